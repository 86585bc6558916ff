using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Jailgrade.Standard.Scoring;

namespace Jailgrade.Standard;

/// <summary>
/// The machine-readable definition of JG 1.0 (docs/standard/jg-1.0.json): every metric and value with
/// its weight, the tiers, caps and bands. Generated from <see cref="JgMetrics"/>; a test keeps the
/// committed file byte-identical, so the docs and the code cannot drift.
/// </summary>
public static class JgDefinition
{
    /// <summary>The definition as indented JSON with LF line endings and a final newline.</summary>
    public static string ToJson()
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions
        {
            Indented = true,
            NewLine = "\n",
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        }))
        {
            writer.WriteStartObject();
            writer.WriteString("standard", JgMetrics.Standard);
            writer.WriteString("prefix", JgMetrics.Prefix);
            writer.WriteString("grammar", Grammar);
            writer.WriteNumber("base_vector_count", JgMetrics.BaseVectorCount);

            writer.WriteStartObject("scoring");
            writer.WriteString("unit", "weights are in score points; all arithmetic is exact in tenths");
            writer.WriteString("zero_rule", "UP:0 gives 0.0");
            writer.WriteScore("floor", new Score(1));
            writer.WriteStartArray("tiers");
            foreach (var tier in Enum.GetValues<HazardTier>())
            {
                writer.WriteStartObject();
                writer.WriteString("tier", Lower(tier.ToString()));
                writer.WriteScore("weight", new Score(JgMetrics.TierWeights[(int)tier]));
                writer.WriteScore("cap", new Score(JgMetrics.TierCaps[(int)tier]));
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteStartArray("bands");
            foreach (var band in Bands.All)
            {
                writer.WriteStartObject();
                writer.WriteString("band", band.ToString());
                writer.WriteScore("min", new Score(Bands.LowerBounds[(int)band]));
                writer.WriteScore("max", new Score(band == Band.Critical ? 100 : Bands.LowerBounds[(int)band + 1] - 1));
                writer.WriteString("cjs", $"CJS-{(int)band}");
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();

            writer.WriteStartArray("metrics");
            foreach (var metric in JgMetrics.All)
            {
                writer.WriteStartObject();
                writer.WriteString("abbreviation", metric.Abbreviation);
                writer.WriteString("name", metric.Name);
                writer.WriteString("criterion", Lower(metric.Criterion.ToString()));
                writer.WriteBoolean("mandatory", metric.Mandatory);
                writer.WriteString("definition", metric.Definition);
                writer.WriteStartArray("values");
                foreach (var value in metric.Values)
                {
                    writer.WriteStartObject();
                    writer.WriteString("abbreviation", value.Abbreviation);
                    writer.WriteString("name", value.Name);
                    writer.WriteString("definition", value.Definition);
                    if (value.Tier is { } tier)
                    {
                        writer.WriteString("tier", Lower(tier.ToString()));
                        writer.WriteScore("weight", new Score(JgMetrics.TierWeights[(int)tier]));
                    }
                    else if (value.Weight is { } weight)
                    {
                        writer.WriteScore("weight", new Score(weight));
                    }
                    else
                    {
                        writer.WriteNull("weight");
                    }

                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    /// <summary>The vector grammar as a regular expression (the parser gives structured errors; this is the reference).</summary>
    public static string Grammar { get; } = "^" + JgMetrics.Prefix.Replace(".", "\\.", StringComparison.Ordinal)
        + string.Concat(JgMetrics.All.Select(m =>
            $"(/{m.Abbreviation}:({string.Join('|', m.Values.Select(v => v.Abbreviation))})){(m.Mandatory ? "" : "?")}"))
        + "$";

    private static string Lower(string text) => text.ToLowerInvariant();
}
