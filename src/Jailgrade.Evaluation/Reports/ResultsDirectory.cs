using System.Globalization;
using System.Text.Json;
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
        return new ResultsHeader
        {
            Campaign = root.GetProperty("campaign").GetString() ?? "",
            Seed = ulong.Parse(root.GetProperty("seed").GetString() ?? "0", CultureInfo.InvariantCulture),
            JudgeId = judge.GetProperty("id").GetString() ?? "",
            JudgeVersion = judge.GetProperty("version").GetString() ?? "",
            JudgeOverstates = judge.GetProperty("overstates_success").GetBoolean(),
            Calibration = ReadCalibration(Path.Combine(directory, CalibrationFile), judge.GetProperty("id").GetString(), judge.GetProperty("version").GetString()),
            RunCalibrationDigest = judge.TryGetProperty("calibration", out var named) ? named.GetProperty("digest").GetString() : null,
            TargetModels = root.TryGetProperty("targets", out var targets)
                ? [.. targets.EnumerateArray().Select(t => (t.GetProperty("id").GetString() ?? "", t.GetProperty("model").GetString() ?? ""))]
                : [],
        };
    }

    /// <summary>
    /// The header with the directory's request rows (<see cref="ResultStore.ReadRequestRows"/>): what
    /// rates need, in memory that grows with requests rather than results.
    /// </summary>
    public static (ResultsHeader Header, IReadOnlyList<RequestRow> Rows) LoadRequestRows(string directory)
    {
        var header = Load(directory);
        using var store = ResultStore.Open(Path.Combine(directory, ResultStore.FileName), cipher: null);
        return (header, store.ReadRequestRows());
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
            stored = Judges.CalibrationFile.Read(path);
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

    /// <summary>Reads a results directory. Throws <see cref="FileNotFoundException"/> when it is not one.</summary>
    public static ResultsDirectory Load(string directory, PayloadCipher? cipher = null)
    {
        var header = ResultsHeader.Load(directory);
        using var store = ResultStore.Open(Path.Combine(directory, ResultStore.FileName), cipher);
        return new ResultsDirectory
        {
            Campaign = header.Campaign,
            Seed = header.Seed,
            JudgeId = header.JudgeId,
            JudgeVersion = header.JudgeVersion,
            JudgeOverstates = header.JudgeOverstates,
            Calibration = header.Calibration,
            RunCalibrationDigest = header.RunCalibrationDigest,
            TargetModels = header.TargetModels,
            Results = [.. store.ReadAll()],
        };
    }
}
