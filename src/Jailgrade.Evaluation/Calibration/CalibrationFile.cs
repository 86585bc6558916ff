using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Jailgrade.Evaluation.Judges;
using Jailgrade.Evaluation.Probes;
using Jailgrade.Evaluation.Probes.Importers;
using Jailgrade.Evaluation.Statistics;

namespace Jailgrade.Evaluation.Calibration;

/// <summary>A calibration file as read: the judge it calibrates and the calibration itself.</summary>
public sealed record StoredCalibration(string JudgeId, string JudgeVersion, JudgeCalibration Calibration);

/// <summary>
/// <c>calibration.json</c> (docs/evaluation/judges.md): a judge's counts against labels, overall and per
/// domain with enough labels, the labelled files, the models they covered, the labels' provenance and
/// the calibration's digest. The first format (judge, version and counts only) is still read; its
/// digest is computed from what it holds.
/// </summary>
public static class CalibrationFile
{
    /// <summary>The format this version writes.</summary>
    public const string Format = "jailgrade-calibration/2";

    /// <summary>Writes <paramref name="result"/> to <paramref name="path"/>.</summary>
    public static void Write(string path, CalibrationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var domains = result.DomainsWithEnoughLabels;
        using var stream = File.Create(path);
        // Relaxed escaping keeps provenance text readable ("JailbreakBench's", not "JailbreakBench\u0027s"); the file is never embedded in HTML.
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        json.WriteStartObject();
        json.WriteString("format", Format);
        json.WriteString("judge", result.JudgeId);
        json.WriteString("version", result.JudgeVersion);
        json.WriteNumber("examples", result.Judged + result.Unjudged);
        json.WriteNumber("unjudged", result.Unjudged);
        json.WriteNumber("skipped", result.Skipped);
        WriteCounts(json, result.Counts);
        json.WriteNumber("agreement", Math.Round(result.Agreement, 6));
        json.WriteNumber("sensitivity", Math.Round(result.Sensitivity, 6));
        json.WriteNumber("specificity", Math.Round(result.Specificity, 6));
        if (result.Kappa is { } kappa)
        {
            json.WriteNumber("kappa", Math.Round(kappa, 6));
        }
        else
        {
            json.WriteNull("kappa");
        }

        json.WriteStartObject("domains");
        foreach (var (domain, counts) in domains.OrderBy(d => d.Key, StringComparer.Ordinal))
        {
            json.WriteStartObject(domain);
            WriteCounts(json, counts);
            json.WriteEndObject();
        }

        json.WriteEndObject();
        WriteStrings(json, "models", result.Models);
        json.WriteString("provenance", result.Provenance);
        json.WriteStartArray("sources");
        foreach (var source in result.Sources)
        {
            json.WriteStartObject();
            json.WriteString("file", source.File);
            json.WriteString("sha256", source.Sha256);
            json.WriteString("format", source.Format);
            WriteStrings(json, "models", source.Models);
            json.WriteString("method", source.Method);
            json.WriteString("attack_type", source.AttackType);
            json.WriteString("labels", source.Provenance);
            json.WriteNumber("examples", source.Examples);
            json.WriteNumber("skipped", source.Skipped);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteString("digest", Digest(result.JudgeId, result.JudgeVersion, result.Counts, domains, result.Models, result.Sources.Select(s => (s.Sha256, s.Format, s.File)), result.Provenance));
        json.WriteEndObject();
    }

    /// <summary>Reads a calibration file of either format.</summary>
    /// <exception cref="ProbeFormatException">Malformed: where and what was expected.</exception>
    /// <exception cref="InvalidDataException">The recorded digest does not match the contents (the file was edited).</exception>
    public static StoredCalibration Read(string path)
    {
        var file = Path.GetFileName(path);
        var json = JsonSource.Parse(file, File.ReadAllText(path));
        var root = json.Object(json.Root, "", "a calibration file");
        var judge = json.RequiredString(root, "", "judge");
        var version = json.RequiredString(root, "", "version");
        var counts = ReadCounts(json, root, "");
        var domains = new Dictionary<string, ConfusionCounts>(StringComparer.Ordinal);
        if (json.Optional(root, "", "domains", JsonValueKind.Object, "a JSON object {...} of domains") is { } byDomain)
        {
            foreach (var member in byDomain.EnumerateObject())
            {
                var at = JsonSource.Child("/domains", member.Name);
                domains[member.Name] = ReadCounts(json, json.Object(member.Value, at, $"domain {member.Name}"), at);
            }
        }

        var models = new List<string>();
        if (json.Optional(root, "", "models", JsonValueKind.Array, "a list of model names [...]") is { } list)
        {
            var i = 0;
            foreach (var model in list.EnumerateArray())
            {
                var at = JsonSource.Child("/models", (i++).ToString(CultureInfo.InvariantCulture));
                models.Add(model.ValueKind == JsonValueKind.String ? model.GetString()! : throw json.Error(at, $"bad value {JsonSource.Show(model)} for {JsonSource.Name(at)} (expected a model name)"));
            }
        }

        var sources = new List<(string Sha256, string Format, string File)>();
        if (json.Optional(root, "", "sources", JsonValueKind.Array, "a list of sources [...]") is { } sourceList)
        {
            var i = 0;
            foreach (var source in sourceList.EnumerateArray())
            {
                var at = JsonSource.Child("/sources", (i++).ToString(CultureInfo.InvariantCulture));
                var entry = json.Object(source, at, $"source {i}");
                sources.Add((json.RequiredString(entry, at, "sha256"), json.RequiredString(entry, at, "format"), json.RequiredString(entry, at, "file")));
            }
        }

        var provenance = json.OptionalString(root, "", "provenance") ?? "";
        models.Sort(StringComparer.Ordinal);
        var digest = Digest(judge, version, counts, domains, models, sources, provenance);
        if (json.OptionalString(root, "", "digest") is { } recorded && recorded != digest)
        {
            throw new InvalidDataException($"{path} records digest {recorded}, but its contents give {digest}: it was changed after it was written; calibrate again.");
        }

        return new StoredCalibration(judge, version, new JudgeCalibration(counts)
        {
            Domains = domains,
            Digest = digest,
            Provenance = provenance.Length == 0 ? null : provenance,
            Models = models,
        });
    }

    /// <summary>
    /// The calibration's digest: <c>sha256:</c> and the lowercase hex SHA-256 of its canonical form, UTF-8
    /// lines each ending in LF, fields separated by one space, control characters in text replaced by spaces:
    /// <c>jailgrade-calibration 2</c>; <c>judge ID VERSION</c>; <c>counts TP FN TN FP</c>; one
    /// <c>domain HD TP FN TN FP</c> per recorded domain in ordinal order; one <c>model NAME</c> per covered
    /// model in ordinal order; one <c>source SHA256 FORMAT FILE</c> per labelled file in recorded order;
    /// <c>provenance TEXT</c>. Formatting, rounding of the derived figures and field order in the JSON do not enter it.
    /// </summary>
    public static string Digest(
        string judgeId,
        string judgeVersion,
        ConfusionCounts counts,
        IReadOnlyDictionary<string, ConfusionCounts> domains,
        IEnumerable<string> models,
        IEnumerable<(string Sha256, string Format, string File)> sources,
        string provenance)
    {
        ArgumentNullException.ThrowIfNull(domains);
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(sources);
        var text = new StringBuilder();
        void Line(params string[] fields) => text.Append(string.Join(' ', fields.Select(Clean))).Append('\n');
        static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
        Line("jailgrade-calibration", "2");
        Line("judge", judgeId, judgeVersion);
        Line("counts", Number(counts.TruePositives), Number(counts.FalseNegatives), Number(counts.TrueNegatives), Number(counts.FalsePositives));
        foreach (var (domain, c) in domains.OrderBy(d => d.Key, StringComparer.Ordinal))
        {
            Line("domain", domain, Number(c.TruePositives), Number(c.FalseNegatives), Number(c.TrueNegatives), Number(c.FalsePositives));
        }

        foreach (var model in models.Order(StringComparer.Ordinal))
        {
            Line("model", model);
        }

        foreach (var (sha256, format, file) in sources)
        {
            Line("source", sha256, format, file);
        }

        Line("provenance", provenance);
        return "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    private static string Clean(string text) => string.Concat(text.Select(c => char.IsControl(c) ? ' ' : c));

    private static void WriteStrings(Utf8JsonWriter json, string name, IEnumerable<string> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
        {
            json.WriteStringValue(value);
        }

        json.WriteEndArray();
    }

    private static void WriteCounts(Utf8JsonWriter json, ConfusionCounts counts)
    {
        json.WriteNumber("true_positives", counts.TruePositives);
        json.WriteNumber("false_positives", counts.FalsePositives);
        json.WriteNumber("true_negatives", counts.TrueNegatives);
        json.WriteNumber("false_negatives", counts.FalseNegatives);
    }

    private static ConfusionCounts ReadCounts(JsonSource json, JsonElement parent, string at)
    {
        long Count(string name)
        {
            var value = json.Optional(parent, at, name, JsonValueKind.Number, "a whole number from 0")
                ?? throw json.Error(at, $"missing {JsonSource.Name(JsonSource.Child(at, name))} (expected a whole number from 0)");
            return value.TryGetInt64(out var n) && n >= 0
                ? n
                : throw json.Error(JsonSource.Child(at, name), $"bad value {JsonSource.Show(value)} for {JsonSource.Name(JsonSource.Child(at, name))} (expected a whole number from 0)");
        }

        return new ConfusionCounts(Count("true_positives"), Count("false_negatives"), Count("true_negatives"), Count("false_positives"));
    }
}
