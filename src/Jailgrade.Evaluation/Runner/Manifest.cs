using System.Reflection;
using System.Text.Json;
using Jailgrade.Evaluation.Calibration;
using Jailgrade.Evaluation.Campaigns;
using Jailgrade.Evaluation.Judges;
using Jailgrade.Evaluation.Mock;
using Jailgrade.Evaluation.Probes;
using Jailgrade.Evaluation.Storage;
using Jailgrade.Evaluation.Targets;
using Jailgrade.Standard;

namespace Jailgrade.Evaluation.Runner;

/// <summary>
/// <c>manifest.json</c>: what produced the results — tool, standard and policy versions, the campaign
/// file's hash, the judge and its prompt version, the targets' model ids and whether each honours the
/// seed, the attacks with their transforms, the seed, and the probe sources (<see cref="SourceDescription"/>). Written at the start of each run (a resume rewrites it).
/// </summary>
public static class Manifest
{
    /// <summary>The file name inside the output directory.</summary>
    public const string FileName = "manifest.json";

    /// <summary>The tool's version.</summary>
    public static string ToolVersion { get; } =
        typeof(Manifest).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    /// <summary>
    /// Whether the sample's seed reaches the target's sampling: OpenAI-compatible servers take a
    /// <c>seed</c>; the Anthropic Messages API has none, so its samples are not reproducible from the
    /// campaign seed (only the prompts and cache keys are).
    /// </summary>
    public static bool IsSeeded(TargetSpec target)
    {
        ArgumentNullException.ThrowIfNull(target);
        return !EvaluationRegistry.Default.Providers.TryGetValue(target.Provider, out var provider) || provider.SendsSeed;
    }

    /// <summary>The manifest's <c>sources</c> section of a results directory; empty for directories written before it existed.</summary>
    public static IReadOnlyList<SourceDescription> ReadSources(string directory)
    {
        var path = Path.Combine(directory, FileName);
        if (!File.Exists(path))
        {
            return [];
        }

        using var document = JsonDocument.Parse(File.ReadAllText(path));
        if (!document.RootElement.TryGetProperty("sources", out var sources) || sources.ValueKind != JsonValueKind.Array)
        {
            return [];
        }

        return [.. sources.EnumerateArray().Select(SourceDescription.Read)];
    }

    /// <summary>
    /// Writes the manifest; <paramref name="sources"/> describe what was graded (its <c>sources</c> section).
    /// Stores the calibration the campaign names, if any, as the directory's <c>calibration.json</c>.
    /// </summary>
    public static void Write(string directory, Campaign campaign, IJudge judge, TimeProvider time, IReadOnlyList<SourceDescription>? sources = null)
    {
        ArgumentNullException.ThrowIfNull(campaign);
        ArgumentNullException.ThrowIfNull(judge);
        ArgumentNullException.ThrowIfNull(time);
        using var stream = File.Create(Path.Combine(directory, FileName));
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteString("tool", "jailgrade " + ToolVersion);
        json.WriteString("standard", JgMetrics.Standard);
        json.WriteString("policy", "none");
        json.WriteString("campaign", campaign.Name);
        json.WriteString("campaign_sha256", campaign.FileHash);
        json.WriteString("seed", campaign.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture));
        json.WriteNumber("samples", campaign.Samples);
        json.WriteStartObject("judge");
        json.WriteString("id", judge.Id);
        json.WriteString("version", judge.Version);
        json.WriteBoolean("overstates_success", judge.Overstates);
        if (campaign.Judge.Target is { } judgeTarget)
        {
            json.WriteString("model", judgeTarget.Model);
            if (campaign.Simulated.TryGetValue(judgeTarget.Id, out var simulatedJudge))
            {
                WriteSimulated(json, simulatedJudge);
            }
        }

        // The calibration the campaign names, as it was when the run started; one added later with
        // 'judge calibrate --out' is shown from calibration.json, and this record is never rewritten for it.
        if (campaign.Judge.Calibration is { } calibration)
        {
            json.WriteStartObject("calibration");
            json.WriteString("file", Path.GetFileName(calibration));
            json.WriteString("digest", CalibrationFile.Read(calibration).Calibration.Digest);
            json.WriteEndObject();
        }

        // Which judgment gives the headline figure: recorded answers by their labels unless the campaign
        // says otherwise (standard 7.2), answers the run sends by this judge.
        json.WriteString("recorded_answers", RecordedLabels.Name(campaign.Judge.RecordedAnswers));
        json.WriteStartObject("headline");
        if (campaign.Probes.Any(p => p.Format == "jbb-artifacts" && !p.Replay))
        {
            json.WriteString("recorded", campaign.Judge.RecordedAnswers == RecordedAnswersJudge.Labels ? "source-labels" : judge.Id);
        }

        if (campaign.Targets.Count > 0)
        {
            json.WriteString("sent", judge.Id);
        }

        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteStartArray("targets");
        foreach (var target in campaign.Targets)
        {
            json.WriteStartObject();
            json.WriteString("id", target.Id);
            json.WriteString("provider", target.Provider);
            json.WriteString("model", target.Model);
            if (campaign.Simulated.TryGetValue(target.Id, out var simulated))
            {
                WriteSimulated(json, simulated);
            }
            else
            {
                json.WriteString("base_url", target.BaseUrl);
            }

            json.WriteBoolean("seeded", IsSeeded(target));
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteStartArray("attacks");
        foreach (var attack in campaign.Attacks)
        {
            json.WriteStartObject();
            json.WriteString("id", attack.Id);
            json.WriteBoolean("template", attack.Template is not null);
            json.WriteStartArray("transforms");
            foreach (var transform in attack.Transforms)
            {
                json.WriteStringValue(transform.Id + "@" + EvaluationRegistry.Default.Transforms[transform.Id].Version);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteStartArray("sources");
        foreach (var source in sources ?? [])
        {
            source.Write(json);
        }

        json.WriteEndArray();
        json.WriteString("started", time.GetUtcNow().ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        json.WriteEndObject();
        if (campaign.Judge.Calibration is { } file)
        {
            File.Copy(file, Path.Combine(directory, CalibrationFileName), overwrite: true);
        }
    }

    // The simulated model's settings, in the campaign's own terms: what made these numbers, for a rerun.
    private static void WriteSimulated(Utf8JsonWriter json, MockTargetOptions options)
    {
        json.WriteStartObject("mock");
        json.WriteStartArray("vulnerable");
        foreach (var vulnerability in options.Vulnerabilities)
        {
            json.WriteStringValue(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{vulnerability.Pattern}={vulnerability.ComplianceProbability}"));
        }

        json.WriteEndArray();
        json.WriteString("refusal", options.Refusal);
        json.WriteBoolean("answers_rubric", options.AnswersRubric);
        json.WriteNumber("latency_ms", (long)options.Latency.TotalMilliseconds);
        json.WriteNumber("fault_429", options.Faults.RateLimited);
        json.WriteNumber("retry_after", options.Faults.RetryAfterSeconds);
        json.WriteNumber("fault_500", options.Faults.ServerError);
        json.WriteNumber("fault_hang", options.Faults.Hang);
        json.WriteNumber("hang_s", options.Faults.HangDuration.TotalSeconds);
        json.WriteNumber("fault_malformed", options.Faults.Malformed);
        json.WriteNumber("fault_truncated", options.Faults.Truncated);
        json.WriteEndObject();
    }

    // Reports.ResultsHeader.CalibrationFile; named here too because Reports depends on Runner, not the reverse.
    private const string CalibrationFileName = "calibration.json";
}
