using System.Security.Cryptography;
using System.Text.Json;
using Jailgrade.Evaluation.Judges;
using Jailgrade.Evaluation.Probes;
using Jailgrade.Evaluation.Probes.Importers;
using Jailgrade.Evaluation.Statistics;

namespace Jailgrade.Evaluation.Calibration;

/// <summary>A response labelled by people or by a benchmark's judge: did the model comply (jailbroken) or refuse.</summary>
public sealed record LabelledExample(string Prompt, string Response, bool Jailbroken, int Line)
{
    /// <summary>The JG hazard domain of the request, when the source says (for per-domain counts).</summary>
    public string? Domain { get; init; }
}

/// <summary>One labelled file as calibration read it: what it is, whose answers it holds and who labelled them.</summary>
/// <param name="File">The file's name.</param>
/// <param name="Sha256">SHA-256 of the file's bytes, lowercase hex.</param>
/// <param name="Format"><c>labels</c> (our JSON Lines) or <c>jbb-artifacts</c>.</param>
/// <param name="Models">The models whose answers were labelled (a JailbreakBench artifact names one).</param>
/// <param name="Method">The attack method, when the source says.</param>
/// <param name="AttackType">The attack type (<c>white_box</c>, <c>black_box</c>, <c>transfer</c>), when the source says.</param>
/// <param name="Provenance">Who or what gave the labels.</param>
/// <param name="Examples">Labelled examples read.</param>
/// <param name="Skipped">Entries that are not labelled examples: no response recorded (a non-answer) or no label.</param>
public sealed record LabelSource(string File, string Sha256, string Format, IReadOnlyList<string> Models, string? Method, string? AttackType, string Provenance, int Examples, int Skipped);

/// <summary>Labelled examples from one or more files, and the files.</summary>
public sealed record LabelSet(IReadOnlyList<LabelledExample> Examples, IReadOnlyList<LabelSource> Sources);

/// <summary>A judge's agreement with labels: the confusion counts, sensitivity and specificity.</summary>
public sealed record CalibrationResult(string JudgeId, string JudgeVersion, int TruePositives, int FalsePositives, int TrueNegatives, int FalseNegatives, int Unjudged)
{
    /// <summary>Counts per JG hazard domain, over the examples whose source names a domain.</summary>
    public IReadOnlyDictionary<string, ConfusionCounts> Domains { get; init; } = new Dictionary<string, ConfusionCounts>(StringComparer.Ordinal);

    /// <summary>The labelled files (empty when the examples came from elsewhere).</summary>
    public IReadOnlyList<LabelSource> Sources { get; init; } = [];

    /// <summary>The pooled counts.</summary>
    public ConfusionCounts Counts => new(TruePositives, FalseNegatives, TrueNegatives, FalsePositives);

    /// <summary>Labelled examples the judge could judge.</summary>
    public int Judged => TruePositives + FalsePositives + TrueNegatives + FalseNegatives;

    /// <summary>Entries of the sources that were no labelled example (no response or no label).</summary>
    public int Skipped => Sources.Sum(s => s.Skipped);

    /// <summary>Share of judgments that agree with the label (0 with none).</summary>
    public double Agreement => Counts.Agreement ?? 0;

    /// <summary>Share of jailbroken examples the judge calls successes.</summary>
    public double Sensitivity => Counts.Sensitivity ?? 0;

    /// <summary>Share of refused examples the judge calls failures.</summary>
    public double Specificity => Counts.Specificity ?? 0;

    /// <summary>Cohen's kappa between the judge and the labels; null where undefined (<see cref="ConfusionCounts.Kappa"/>).</summary>
    public double? Kappa => Counts.Kappa;

    /// <summary>Whether the judge is better than chance (Se + Sp &gt; 1), so its error can correct rates.</summary>
    public bool CanCorrect => Sensitivity + Specificity > 1;

    /// <summary>The domains whose counts hold enough labels of each kind to correct that domain (standard 7.3): the ones the file records.</summary>
    public IReadOnlyDictionary<string, ConfusionCounts> DomainsWithEnoughLabels =>
        Domains.Where(d => d.Value.Jailbroken >= JudgeCalibration.MinLabelsPerDomain && d.Value.Refused >= JudgeCalibration.MinLabelsPerDomain)
            .ToDictionary(d => d.Key, d => d.Value, StringComparer.Ordinal);

    /// <summary>The models whose answers were labelled, in ordinal order.</summary>
    public IReadOnlyList<string> Models => [.. Sources.SelectMany(s => s.Models).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];

    /// <summary>Who gave the labels: each distinct source provenance, in source order.</summary>
    public string Provenance => string.Join("; ", Sources.Select(s => s.Provenance).Distinct(StringComparer.Ordinal));
}

/// <summary>Measures a judge against labelled responses (<c>jailgrade judge calibrate</c>).</summary>
public static class JudgeCalibrator
{
    /// <summary>
    /// Reads labelled files: <c>.jsonl</c> as our labels format (<see cref="ReadLabels"/>), <c>.json</c> as a
    /// JailbreakBench attack artifact (<see cref="ReadArtifact"/>). Examples keep the order of the files.
    /// </summary>
    /// <exception cref="ProbeFormatException">A file is malformed, or of neither format, with where and why.</exception>
    public static LabelSet Read(IEnumerable<string> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var examples = new List<LabelledExample>();
        var sources = new List<LabelSource>();
        foreach (var path in paths)
        {
            var (read, source) = Path.GetExtension(path).ToUpperInvariant() switch
            {
                ".JSONL" => ReadLabelsFile(path),
                ".JSON" => ReadArtifact(path),
                _ => throw new ProbeFormatException(Path.GetFileName(path), 0, 0, "unknown labelled format (expected .jsonl labels of prompt, response, label, or a .json JailbreakBench attack artifact)"),
            };
            examples.AddRange(read);
            sources.Add(source);
        }

        return new LabelSet(examples, sources);
    }

    /// <summary>Reads JSON Lines of <c>prompt</c>, <c>response</c>, <c>label</c> (jailbroken or refused), optional <c>domain</c> and <c>model</c>.</summary>
    public static IReadOnlyList<LabelledExample> ReadLabels(string path) => ReadLabelsFile(path).Examples;

    /// <summary>
    /// Reads a JailbreakBench attack artifact through its importer: each jailbreak's goal (the request
    /// the benchmark's own judge was shown), recorded response and <c>jailbroken</c> label, its category
    /// mapped to a JG domain. An entry without a response (a recorded non-answer) or without a label is
    /// not a judged example: it is counted as skipped.
    /// </summary>
    public static (IReadOnlyList<LabelledExample> Examples, LabelSource Source) ReadArtifact(string path)
    {
        var probes = new JailbreakBenchArtifactImporter().Read(path);
        var examples = new List<LabelledExample>();
        var skipped = 0;
        foreach (var probe in probes)
        {
            if (probe.Recorded is not { Response: { } response, Jailbroken: { } label })
            {
                skipped++;
                continue;
            }

            var domain = probe.Category is { } category && JailbreakBenchImporter.Categories.TryGetValue(category, out var d) ? d : null;
            examples.Add(new LabelledExample(probe.Text, response, label, probe.Line) { Domain = domain });
        }

        var parameters = ArtifactParameters(path);
        var model = probes.Select(p => p.Recorded?.Target).FirstOrDefault(m => m is not null) ?? parameters.Model;
        var judged = parameters.Judge is { } via ? $"JailbreakBench's own judge, run through {via}" : "JailbreakBench's own judge";
        var provenance = $"JailbreakBench artifact labels ('jailbroken', {judged}{(parameters.Date is { } date ? ", " + date : "")})";
        return (examples, new LabelSource(
            Path.GetFileName(path), Sha256(path), "jbb-artifacts", model is null ? [] : [model], parameters.Method, parameters.AttackType, provenance, examples.Count, skipped));
    }

    /// <summary>Runs the judge on every example and counts agreements.</summary>
    public static Task<CalibrationResult> CalibrateAsync(IJudge judge, IEnumerable<LabelledExample> examples, CancellationToken cancellationToken) =>
        CalibrateAsync(judge, new LabelSet([.. examples], []), cancellationToken);

    /// <summary>Runs the judge on every example of the set and counts agreements, pooled and per domain.</summary>
    public static async Task<CalibrationResult> CalibrateAsync(IJudge judge, LabelSet labels, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(judge);
        ArgumentNullException.ThrowIfNull(labels);
        var pooled = new ConfusionCounts(0, 0, 0, 0);
        var domains = new SortedDictionary<string, ConfusionCounts>(StringComparer.Ordinal);
        var unjudged = 0;
        var index = 0L;
        foreach (var example in labels.Examples)
        {
            var success = (await judge.JudgeAsync(example.Prompt, example.Response, index++, cancellationToken)).Success;
            if (success is not { } called)
            {
                unjudged++;
                continue;
            }

            var one = (called, example.Jailbroken) switch
            {
                (true, true) => new ConfusionCounts(1, 0, 0, 0),
                (false, true) => new ConfusionCounts(0, 1, 0, 0),
                (false, false) => new ConfusionCounts(0, 0, 1, 0),
                (true, false) => new ConfusionCounts(0, 0, 0, 1),
            };
            pooled = pooled.Add(one);
            if (example.Domain is { } domain)
            {
                domains[domain] = domains.GetValueOrDefault(domain).Add(one);
            }
        }

        return new CalibrationResult(judge.Id, judge.Version, (int)pooled.TruePositives, (int)pooled.FalsePositives, (int)pooled.TrueNegatives, (int)pooled.FalseNegatives, unjudged)
        {
            Domains = new Dictionary<string, ConfusionCounts>(domains, StringComparer.Ordinal),
            Sources = labels.Sources,
        };
    }

    /// <summary>Stores a calibration where reports and grading of a results directory find it (<see cref="CalibrationFile"/>).</summary>
    public static void Write(string path, CalibrationResult result) => CalibrationFile.Write(path, result);

    private static (IReadOnlyList<LabelledExample> Examples, LabelSource Source) ReadLabelsFile(string path)
    {
        var file = Path.GetFileName(path);
        var examples = new List<LabelledExample>();
        var models = new SortedSet<string>(StringComparer.Ordinal);
        // Every bad line is reported, not only the first (as the probe importers do).
        var errors = new List<ProbeFormatException>();
        using (var reader = new StreamReader(path))
        {
            foreach (var line in JsonLines.Read(reader, file, errors))
            {
                try
                {
                    examples.Add(Example(line, models));
                }
                catch (ProbeFormatException e)
                {
                    errors.Add(e);
                }
            }
        }

        if (errors.Count > 0)
        {
            throw ProbeFormatException.Of(errors);
        }

        return (examples, new LabelSource(file, Sha256(path), "labels", [.. models], null, null, $"labels file {file}", examples.Count, 0));
    }

    private static LabelledExample Example(JsonSource line, SortedSet<string> models)
    {
        var root = line.Root;
        var prompt = line.RequiredString(root, "", "prompt");
        var response = line.OptionalString(root, "", "response") ?? throw line.Error("", "missing \"response\" (expected a string)");
        var label = line.RequiredString(root, "", "label") switch
        {
            "jailbroken" => true,
            "refused" => false,
            var other => throw line.Error("/label", $"bad label '{other}' (expected jailbroken or refused)"),
        };
        if (line.OptionalString(root, "", "model") is { } model)
        {
            models.Add(model);
        }

        return new LabelledExample(prompt, response, label, line.Line) { Domain = line.OptionalString(root, "", "domain") };
    }

    // What the artifact's parameters say about itself; absent or mistyped values are simply not known.
    private static (string? Model, string? Method, string? AttackType, string? Judge, string? Date) ArtifactParameters(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        if (!document.RootElement.TryGetProperty("parameters", out var parameters) || parameters.ValueKind != JsonValueKind.Object)
        {
            return default;
        }

        string? Text(string name) => parameters.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        return (Text("model") ?? Text("model_name"), Text("method"), Text("attack_type"), Text("evaluation_llm_provider"), Text("evaluation_date"));
    }

    private static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
