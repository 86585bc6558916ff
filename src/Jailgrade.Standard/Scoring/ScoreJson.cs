using System.Text.Json;

namespace Jailgrade.Standard.Scoring;

/// <summary>Writing scores into JSON the one way the project promises: a number with exactly one decimal.</summary>
public static class ScoreJson
{
    private static readonly string[] BandNames = [.. Bands.All.Select(b => b.ToString())];

    /// <summary>Writes <c>"name": 9.0</c> (never <c>9</c>), without allocating.</summary>
    public static void WriteScore(this Utf8JsonWriter writer, string name, Score score)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WritePropertyName(name);
        writer.WriteScoreValue(score);
    }

    /// <summary>Writes the score as a JSON number with exactly one decimal (in an array, or after a property name).</summary>
    public static void WriteScoreValue(this Utf8JsonWriter writer, Score score)
    {
        ArgumentNullException.ThrowIfNull(writer);
        Span<char> chars = stackalloc char[12];
        Span<byte> digits = stackalloc byte[12];
        score.TryFormat(chars, out var length);
        for (var i = 0; i < length; i++)
        {
            digits[i] = (byte)chars[i];
        }

        writer.WriteRawValue(digits[..length], skipInputValidation: true);
    }

    /// <summary>
    /// The JSON record of one score, as <c>jailgrade score --json</c> prints it and the registry's
    /// <c>POST /api/v1/score</c> answers: standard, vector, score, band, cjs, sub-scores and, with MS,
    /// the current score and band (docs/cli.md, "score").
    /// </summary>
    public static void WriteScoreRecord(this Utf8JsonWriter writer, in JgScore score)
    {
        ArgumentNullException.ThrowIfNull(writer);
        Span<char> buffer = stackalloc char[JgVector.MaxLength];
        writer.WriteStartObject();
        writer.WriteString("standard", JgMetrics.Standard);
        score.Vector.TryFormat(buffer, out var length);
        writer.WriteString("vector", buffer[..length]);
        writer.WriteScore("score", score.Base);
        writer.WriteString("band", BandNames[(int)score.Band]);
        if (score.Cjs is { } cjs)
        {
            writer.WriteString("cjs", cjs);
        }
        else
        {
            writer.WriteNull("cjs");
        }

        writer.WriteStartObject("subscores");
        writer.WriteScore("bypass", score.Bypass);
        writer.WriteScore("capability", score.Capability);
        writer.WriteScore("impact", score.Impact);
        writer.WriteEndObject();
        if (score.Current is { } current)
        {
            writer.WriteScore("current_score", current);
            writer.WriteString("current_band", BandNames[(int)current.Band]);
        }

        writer.WriteEndObject();
    }
}
