using System.Globalization;
using System.Text.Json;
using Jailgrade.Evaluation.Calibration;
using Jailgrade.Evaluation.Judges;
using Jailgrade.Evaluation.Probes;
using Jailgrade.Evaluation.Runner;
using Jailgrade.Evaluation.Statistics;
using Jailgrade.Evaluation.Storage;

namespace Jailgrade.Evaluation.Reports;

/// <summary>
/// What a results directory says about its run, the results aside: the campaign, its seed, the judge
/// and the judge's calibration. Enough, with request rows, for rates and their notes.
/// </summary>
public record ResultsHeader
{
    /// <summary>The calibration file a judge calibration writes into a results directory.</summary>
    public const string CalibrationFile = "calibration.json";

    /// <summary>The campaign's name.</summary>
    public required string Campaign { get; init; }

    /// <summary>The campaign's seed (bootstrap draws derive from it).</summary>
    public required ulong Seed { get; init; }

    /// <summary>The judge's id.</summary>
    public required string JudgeId { get; init; }

    /// <summary>The judge's version (for the rubric, its prompt version).</summary>
    public required string JudgeVersion { get; init; }

    /// <summary>Whether the judge overstates success (the keyword judge).</summary>
    public required bool JudgeOverstates { get; init; }

    /// <summary>
    /// The judge's calibration, when one was stored: its counts, digest, provenance and covered models.
    /// It is the directory's <c>calibration.json</c>, whether the campaign named it at the start of the run
    /// or <c>judge calibrate --out</c> added it later (then its digest differs from <see cref="RunCalibrationDigest"/>).
    /// </summary>
    public JudgeCalibration? Calibration { get; init; }

    /// <summary>The digest of the calibration the campaign named, as the manifest recorded it when the run started; null when it named none.</summary>
    public string? RunCalibrationDigest { get; init; }

    /// <summary>The run's targets as the manifest lists them: (id, model).</summary>
    public IReadOnlyList<(string Id, string Model)> TargetModels { get; init; } = [];

    /// <summary>The targets whose model the calibration did not cover (their corrected rates carry a warning); empty without a calibration.</summary>
    public IReadOnlyList<string> UncoveredTargets() => Calibration?.Uncovered(TargetModels) ?? [];
    /// <summary>
    /// Results a run committed to the write-ahead log but never checkpointed (it was killed): read all
    /// the same, from a private copy, and said in every output.
    /// </summary>
    public long PendingInWal { get; init; }

    /// <summary>The probe sources the manifest describes (empty for directories written before it did).</summary>
    public IReadOnlyList<Probes.SourceDescription> Sources { get; init; } = [];

    /// <summary>What judges recorded answers: their labels (the default, and for directories from before the setting) or the judge.</summary>
    public RecordedAnswersJudge RecordedAnswers { get; init; } = RecordedAnswersJudge.Labels;

    /// <summary>The ids of the targets the run sent requests to; every other target is a source's recorded model.</summary>
    public IReadOnlySet<string> SentTargets { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>
    /// The campaign judge against the recorded labels, per (target, attack) of recorded answers, whichever
    /// of the two is the headline (empty when nothing recorded carries labels).
    /// </summary>
    public IReadOnlyList<LabelComparison> LabelComparisons { get; init; } = [];

    /// <summary>
    /// Whether the source's labels give the headline judgment of a target's answers: only recorded
    /// answers (a target the run did not send to), never a replayed prompt's new answer, and only
    /// unless the campaign made its own judge the headline.
    /// </summary>
    public bool LabelsJudge(string target) => RecordedAnswers == RecordedAnswersJudge.Labels && !SentTargets.Contains(target);

    /// <summary>Whether the headline figures of a (target, attack) come from the source's labels.</summary>
    public bool LabelsJudge(string target, string attack) => LabelsJudge(target) && LabelledPairs.Contains((target, attack));

    /// <summary>Every (target, attack) with labelled answers that are not replayed, whether or not the judge rated them.</summary>
    public IReadOnlySet<(string Target, string Attack)> LabelledPairs { get; init; } = new HashSet<(string, string)>();

    /// <summary>
    /// Whether the headline of a (target, attack) rests on refusal keywords without a calibration: the
    /// standard (7.3) then allows a grade only marked provisional.
    /// </summary>
    public bool UncalibratedKeywords(string target, string attack) =>
        JudgeOverstates && Calibration is null && !LabelsJudge(target, attack);

    /// <summary>The calibration that applies to a (target, attack): none where labels judge.</summary>
    public JudgeCalibration? CalibrationFor(string target, string attack) => LabelsJudge(target, attack) ? null : Calibration;

    /// <summary>Reads the header of a results directory. Throws <see cref="FileNotFoundException"/> when it is not one.</summary>
    public static ResultsHeader Load(string directory)
    {
        var manifestPath = Path.Combine(directory, Manifest.FileName);
        if (!File.Exists(manifestPath) || !File.Exists(Path.Combine(directory, ResultStore.FileName)))
        {
            throw new FileNotFoundException($"{directory} is not a results directory (no {Manifest.FileName} or {ResultStore.FileName}).");
        }

        using var manifest = JsonDocument.Parse(File.ReadAllText(manifestPath));
        var root = manifest.RootElement;
        var judge = root.GetProperty("judge");
        IReadOnlyList<(string Id, string Model)> listed = root.TryGetProperty("targets", out var targets) && targets.ValueKind == JsonValueKind.Array
            ? [.. targets.EnumerateArray().Select(t => (t.GetProperty("id").GetString() ?? "", t.TryGetProperty("model", out var model) ? model.GetString() ?? "" : ""))]
            : [];
        var sent = listed.Select(t => t.Id).ToHashSet(StringComparer.Ordinal);
        return new ResultsHeader
        {
            RecordedAnswers = judge.TryGetProperty("recorded_answers", out var recorded) && recorded.GetString() == "judge"
                ? RecordedAnswersJudge.Judge
                : RecordedAnswersJudge.Labels,
            SentTargets = sent,
            Campaign = root.GetProperty("campaign").GetString() ?? "",
            Seed = ulong.Parse(root.GetProperty("seed").GetString() ?? "0", CultureInfo.InvariantCulture),
            JudgeId = judge.GetProperty("id").GetString() ?? "",
            JudgeVersion = judge.GetProperty("version").GetString() ?? "",
            JudgeOverstates = judge.GetProperty("overstates_success").GetBoolean(),
            Calibration = ReadCalibration(Path.Combine(directory, CalibrationFile), judge.GetProperty("id").GetString(), judge.GetProperty("version").GetString()),
            RunCalibrationDigest = judge.TryGetProperty("calibration", out var named) ? named.GetProperty("digest").GetString() : null,
            TargetModels = listed,
            Sources = Manifest.ReadSources(directory),
        };
    }

    /// <summary>
    /// The header with the directory's request rows (<see cref="ResultStore.ReadRequestRows"/>): what
    /// rates need, in memory that grows with requests rather than results.
    /// </summary>
    public static (ResultsHeader Header, IReadOnlyList<RequestRow> Rows) LoadRequestRows(string directory)
    {
        var header = Load(directory);
        using var store = ResultStore.OpenForReading(Path.Combine(directory, ResultStore.FileName), key: null);
        header = header.WithLabels(store);
        return (header, store.ReadRequestRows(header.LabelsJudge));
    }

    /// <summary>The header with what the store says of recorded labels: the labelled pairs and the judge's agreement with them.</summary>
    internal ResultsHeader WithLabels(ResultStore store)
    {
        // One scan: every labelled (target, attack) of a recorded source, and the judge's agreement where it judged any.
        var recorded = store.ReadLabels().Where(c => !SentTargets.Contains(c.Target)).ToList();
        return this with
        {
            PendingInWal = store.PendingInWal,
            LabelComparisons = [.. recorded.Where(c => c.Counts.Compared > 0)],
            LabelledPairs = recorded.Select(c => (c.Target, c.Attack)).ToHashSet(),
        };
    }

    // A calibration of another judge, or of another prompt version, says nothing about this one's error.
    private static JudgeCalibration? ReadCalibration(string path, string? judgeId, string? judgeVersion)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        StoredCalibration stored;
        try
        {
            stored = Jailgrade.Evaluation.Calibration.CalibrationFile.Read(path);
        }
        catch (ProbeFormatException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }

        if (stored.JudgeId != judgeId || stored.JudgeVersion != judgeVersion)
        {
            throw new InvalidDataException($"{path} calibrates judge {stored.JudgeId} {stored.JudgeVersion}, but the results were judged by {judgeId} {judgeVersion}; calibrate that judge or remove the file.");
        }

        return stored.Calibration;
    }
}

/// <summary>A campaign's output directory as reports and grading read it: the header and every result.</summary>
public sealed record ResultsDirectory : ResultsHeader
{
    /// <summary>Every result, without payloads, in key order.</summary>
    public required IReadOnlyList<ResultRecord> Results { get; init; }

    /// <summary>A results directory built in memory (tests, tools), every required member set by the caller.</summary>
    public ResultsDirectory()
    {
    }

    // Everything the header says, as it says it (a new header field needs no copying here), and the results.
    [System.Diagnostics.CodeAnalysis.SetsRequiredMembers]
    private ResultsDirectory(ResultsHeader header, IReadOnlyList<ResultRecord> results)
        : base(header)
    {
        Results = results;
    }

    /// <summary>Reads a results directory. Throws <see cref="FileNotFoundException"/> when it is not one.</summary>
    public static ResultsDirectory Load(string directory, ResultsKey? key = null)
    {
        var loaded = ResultsHeader.Load(directory);
        using var store = ResultStore.OpenForReading(Path.Combine(directory, ResultStore.FileName), key);
        var header = loaded.WithLabels(store);
        return new ResultsDirectory(header, [.. store.ReadAll().Select(r => RecordedLabels.Headline(r, header.LabelsJudge(r.Target)))]);
    }
}
