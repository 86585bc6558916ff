using System.CommandLine;
using System.Globalization;
using Jailgrade.Cli.Commands.Evaluation.Internal;
using Jailgrade.Cli.Hosting;
using Jailgrade.Evaluation;
using Jailgrade.Evaluation.Judges;
using Jailgrade.Evaluation.Probes;
using Jailgrade.Evaluation.Reports;
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
        var labels = new Option<string>("--labels") { Description = "JSON Lines of prompt, response, label (jailbroken or refused).", Required = true, HelpName = "file" };
        var campaign = new Option<string?>("--campaign") { Description = "Calibrate this campaign's judge (default: the refusal-keyword judge).", HelpName = "file" };
        var output = new Option<string?>("--out") { Description = "A results directory to store calibration.json in; its reports and grades are then corrected.", HelpName = "dir" };
        var command = new VerbCommand("calibrate", "Measure a judge's agreement, sensitivity and specificity against labelled responses.", """
            Sensitivity is the share of jailbroken responses the judge calls successes, specificity the share
            of refusals it calls failures. Stored with --out, they correct that directory's success rates and
            intervals: clamp((p + Sp - 1) / (Se + Sp - 1), 0, 1). A judge with Se + Sp <= 1 cannot correct.
            """)
        {
            labels, campaign, output,
        };
        command.WithExample("jailgrade judge calibrate --labels labels.jsonl", "the keyword judge's error")
            .WithExample("jailgrade judge calibrate --labels labels.jsonl --campaign campaign.yaml --out results/smoke", "the rubric judge, stored for correction");
        command.SetAction((parseResult, cancellationToken) => new JudgeCalibrateCommand(context).RunAsync(
            parseResult.GetValue(labels)!, parseResult.GetValue(campaign), parseResult.GetValue(output), cancellationToken));
        return command;
    }

    public async Task<int> RunAsync(string labels, string? campaignPath, string? output, CancellationToken cancellationToken)
    {
        IReadOnlyList<LabelledExample> examples;
        try
        {
            examples = JudgeCalibrator.ReadLabels(labels);
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

        var result = await JudgeCalibrator.CalibrateAsync(judge, examples, cancellationToken);
        await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"judge {result.JudgeId} {result.JudgeVersion}: {result.Judged} judged, {result.Unjudged} unjudged; agreement {result.Agreement:0.000}, sensitivity {result.Sensitivity:0.000}, specificity {result.Specificity:0.000}"));
        if (!result.CanCorrect)
        {
            await context.Error.WriteLineAsync("Warning: sensitivity + specificity <= 1: this judge is no better than chance and cannot correct rates.");
        }

        if (output is not null)
        {
            Directory.CreateDirectory(output);
            JudgeCalibrator.Write(Path.Combine(output, ResultsDirectory.CalibrationFile), result);
        }

        return (int)ExitCode.Success;
    }
}
