using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Jailgrade.Cli.Commands.Evaluation.Internal;
using Jailgrade.Cli.Hosting;
using Jailgrade.Evaluation;
using Jailgrade.Evaluation.Calibration;
using Jailgrade.Evaluation.Judges;
using Jailgrade.Evaluation.Probes;
using Jailgrade.Evaluation.Reports;
using Jailgrade.Evaluation.Runner;
using Jailgrade.Evaluation.Targets;

namespace Jailgrade.Cli.Commands.Evaluation;

/// <summary><c>jailgrade judge</c>: measure judges.</summary>
internal static class JudgeCommand
{
    public static Command Create(CliContext context) =>
        new("judge", "Measure how well a judge agrees with human labels.")
        {
            JudgeCalibrateCommand.Create(context),
        };
}

/// <summary><c>jailgrade judge calibrate</c>: a judge's sensitivity and specificity against labels.</summary>
internal sealed class JudgeCalibrateCommand(CliContext context)
{
    public static Command Create(CliContext context)
    {
        var labels = new Option<string[]>("--labels")
        {
            Description = "Labelled files, one or more: .jsonl of prompt, response, label (jailbroken or refused); .json JailbreakBench attack artifacts.",
            Required = true,
            HelpName = "file",
            AllowMultipleArgumentsPerToken = true,
        };
        var campaign = new Option<string?>("--campaign") { Description = "Calibrate this campaign's judge (default: the refusal-keyword judge).", HelpName = "file" };
        var output = new Option<string?>("--out") { Description = "A directory to store calibration.json in: a results directory, whose reports and grades are then corrected, or one a campaign names.", HelpName = "dir" };
        var command = new VerbCommand("calibrate", "Measure a judge's agreement, sensitivity and specificity against labelled responses.", """
            Sensitivity is the share of jailbroken responses the judge calls successes, specificity the share
            of refusals it calls failures. Stored with --out, the counts correct that directory's success
            rates: clamp((p + Sp - 1) / (Se + Sp - 1), 0, 1), with intervals that carry the counts' own
            uncertainty. A judge with Se + Sp <= 1 cannot correct. A JailbreakBench artifact entry with no
            recorded response, or no label, is skipped and counted.
            """)
        {
            labels, campaign, output,
        };
        command.WithExample("jailgrade judge calibrate --labels labels.jsonl", "the keyword judge's error")
            .WithExample("jailgrade judge calibrate --labels artifacts/*.json --out results/smoke", "against JailbreakBench's labels, stored for correction")
            .WithExample("jailgrade judge calibrate --labels labels.jsonl --campaign campaign.yaml --out results/smoke", "the rubric judge, stored for correction");
        command.SetAction((parseResult, cancellationToken) => new JudgeCalibrateCommand(context).RunAsync(
            parseResult.GetValue(labels)!, parseResult.GetValue(campaign), parseResult.GetValue(output), cancellationToken));
        return command;
    }

    public async Task<int> RunAsync(IReadOnlyList<string> labels, string? campaignPath, string? output, CancellationToken cancellationToken)
    {
        LabelSet examples;
        try
        {
            examples = JudgeCalibrator.Read(labels);
        }
        catch (ProbeFormatException e)
        {
            await context.Error.WriteLineAsync(e.Message);
            return (int)ExitCode.InvalidInput;
        }
        catch (IOException e)
        {
            await context.Error.WriteLineAsync($"jailgrade: {e.Message}");
            return (int)ExitCode.IoError;
        }

        using var http = EvaluationHttp.CreateClient();
        IJudge judge = new RefusalKeywordJudge();
        if (campaignPath is not null)
        {
            var (campaign, _, failure) = EvaluationSupport.Load(context, campaignPath);
            if (campaign is null)
            {
                return (int)failure;
            }

            if (campaign.Judge.Target is { } spec)
            {
                var key = spec.ApiKeyEnv is { } variable ? context.Environment(variable) : null;
                judge = new RubricJudge(new TargetClient(spec, EvaluationRegistry.Default.Providers[spec.Provider], http, context.Time, key));
            }
        }

        // Refuse before judging anything: a calibration of another judge would make the directory unreadable.
        if (output is not null && RunJudge(output) is { } run && run != (judge.Id, judge.Version))
        {
            await context.Error.WriteLineAsync($"jailgrade: {output} was judged by {run.Id} {run.Version}, not {judge.Id} {judge.Version}; calibrate that judge (--campaign naming it).");
            return (int)ExitCode.InvalidInput;
        }

        var result = await JudgeCalibrator.CalibrateAsync(judge, examples, cancellationToken);
        await Print(result);
        if (output is not null)
        {
            Directory.CreateDirectory(output);
            var path = Path.Combine(output, ResultsDirectory.CalibrationFile);
            JudgeCalibrator.Write(path, result);
            await context.Out.WriteLineAsync($"stored {path}, digest {CalibrationFile.Read(path).Calibration.Digest}");
            if (RunJudge(output) is not null && ResultsHeader.Load(output).UncoveredTargets() is { Count: > 0 } uncovered)
            {
                await context.Error.WriteLineAsync($"Warning: the labels cover {(result.Models.Count == 0 ? "no named model" : string.Join(", ", result.Models))}, not targets {string.Join(", ", uncovered)}: their corrected rates rest on other models' answers.");
            }
        }

        return (int)ExitCode.Success;
    }

    private async Task Print(CalibrationResult result)
    {
        foreach (var source in result.Sources)
        {
            var about = string.Join(", ", new[] { string.Join(", ", source.Models), source.Method, source.AttackType }.Where(s => !string.IsNullOrEmpty(s)));
            await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{source.File}: {source.Examples} labelled, {source.Skipped} skipped (no response or no label){(about.Length == 0 ? "" : $"; {about}")}"));
        }

        await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"judge {result.JudgeId} {result.JudgeVersion}: {result.Judged} judged, {result.Unjudged} unjudged; agreement {result.Agreement:0.000}, sensitivity {result.Sensitivity:0.000}, specificity {result.Specificity:0.000}, kappa {(result.Kappa is { } kappa ? kappa.ToString("0.00", CultureInfo.InvariantCulture) : "n/a")} (TP {result.TruePositives}, FN {result.FalseNegatives}, TN {result.TrueNegatives}, FP {result.FalsePositives})"));
        foreach (var (domain, counts) in result.DomainsWithEnoughLabels)
        {
            await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"  {domain}: sensitivity {counts.Sensitivity:0.000}, specificity {counts.Specificity:0.000} (TP {counts.TruePositives}, FN {counts.FalseNegatives}, TN {counts.TrueNegatives}, FP {counts.FalsePositives}); corrects {domain} with its own counts"));
        }

        if (!result.CanCorrect)
        {
            await context.Error.WriteLineAsync("Warning: sensitivity + specificity <= 1: this judge is no better than chance and cannot correct rates.");
        }
    }

    // The judge a results directory's manifest names, or null when the directory holds no run.
    private static (string Id, string Version)? RunJudge(string directory)
    {
        var manifest = Path.Combine(directory, Manifest.FileName);
        if (!File.Exists(manifest))
        {
            return null;
        }

        using var document = JsonDocument.Parse(File.ReadAllText(manifest));
        var judge = document.RootElement.GetProperty("judge");
        return (judge.GetProperty("id").GetString() ?? "", judge.GetProperty("version").GetString() ?? "");
    }
}
