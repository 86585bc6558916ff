using System.CommandLine;
using System.Globalization;
using Jailgrade.Cli.Commands.Evaluation.Internal;
using Jailgrade.Cli.Hosting;
using Jailgrade.Evaluation;
using Jailgrade.Evaluation.Campaigns;
using Jailgrade.Evaluation.Probes;
using Jailgrade.Evaluation.Reports;
using Jailgrade.Evaluation.Runner;
using Jailgrade.Evaluation.Statistics;
using Jailgrade.Evaluation.Storage;
using Jailgrade.Evaluation.Targets;

namespace Jailgrade.Cli.Commands.Evaluation;

/// <summary><c>jailgrade eval run</c>: run a campaign file.</summary>
internal sealed class EvalRunCommand(CliContext context)
{
    /// <summary>The verb's settings.</summary>
    public sealed record Settings(string Campaign, bool Resume, bool Force, bool NoCache, bool DryRun, string? Out, SummaryFormat? Format = null);

    public static Command Create(CliContext context)
    {
        var campaign = new Argument<string>("campaign") { Description = "The campaign file (YAML; docs/campaigns.md)." };
        var resume = new Option<bool>("--resume") { Description = "Finish a run that stopped (Ctrl+C, kill, crash): only keys without a result run." };
        var force = new Option<bool>("--force") { Description = "Resume even though the campaign file changed since the run began." };
        var noCache = new Option<bool>("--no-cache") { Description = "Neither read nor fill the response cache." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Print the plan (requests per target, attack and domain, token estimate, budgets) and send nothing." };
        var output = new Option<string?>("--out") { Description = "The results directory (default: the campaign's 'output').", HelpName = "dir" };
        var json = new Option<bool>("--json") { Description = "Write the closing summary as one JSON object; same as --format json." };
        var format = new Option<string?>("--format")
        {
            Description = "The closing summary on stdout: human, tsv or json. Default: human on a terminal, tsv otherwise.",
            HelpName = "human|tsv|json",
        };
        format.AcceptOnlyFromAmong("human", "tsv", "json");
        var command = new VerbCommand("run", "Run a campaign: probes × attacks × targets × samples, judged and stored durably.", """
            Every result is stored in DIR/results.db (SQLite; prompts and responses encrypted under the
            directory's own data key, wrapped in DIR/data-keys by the key from JAILGRADE_KEY or
            ~/.config/jailgrade/results.key) as soon as its batch commits, keyed by (target, attack, probe,
            sample). Ctrl+C or a kill loses nothing that was stored; --resume finishes the rest.
            A preflight call to each target fails fast on a bad key, URL or model. Errors after the last retry
            are recorded as errors, never as refusals. One run at a time writes a results directory (exit 4
            if another holds it). Exit 0 when every key has a result and the error share is within
            max_error_share; 5 (Incomplete) otherwise.
            """)
        {
            campaign, resume, force, noCache, dryRun, output, json, format,
        };
        command.WithExample("jailgrade eval run campaign.yaml", "run a campaign")
            .WithExample("jailgrade eval run campaign.yaml --dry-run", "what it would send, against the budgets")
            .WithExample("jailgrade eval run campaign.yaml --resume", "finish a run that was interrupted")
            .WithExample("jailgrade eval run campaign.yaml --json | jq .complete", "the summary for a script");
        command.SetAction((parseResult, cancellationToken) => new EvalRunCommand(context).RunAsync(
            new Settings(parseResult.GetValue(campaign)!, parseResult.GetValue(resume), parseResult.GetValue(force),
                parseResult.GetValue(noCache), parseResult.GetValue(dryRun), parseResult.GetValue(output),
                parseResult.GetValue(json) ? SummaryFormat.Json
                    : parseResult.GetValue(format) is { } name ? Enum.Parse<SummaryFormat>(name, ignoreCase: true) : null),
            cancellationToken));
        return command;
    }

    public async Task<int> RunAsync(Settings settings, CancellationToken cancellationToken)
    {
        var (campaign, loaded, failure) = EvaluationSupport.LoadSources(context, settings.Campaign);
        if (campaign is null || loaded is null)
        {
            return (int)failure;
        }

        var probes = loaded.Probes;

        EvaluationSupport.WarnUnseededTargets(context, campaign);

        var outputDirectory = EvaluationSupport.OutputDirectory(campaign, settings.Out);
        if (settings.DryRun)
        {
            return (int)DryRun(campaign, loaded, settings.Format ?? SummaryFormat.Tsv);
        }

        using var key = EvaluationSupport.Key(context, outputDirectory, create: true);
        if (key is null)
        {
            return (int)ExitCode.IoError;
        }

        using var http = EvaluationHttp.CreateClient();
        var progress = new ProgressLines(context);
        RunSummary summary;
        try
        {
            var runner = new CampaignRunner(campaign, probes, EvaluationRegistry.Default, new RunnerServices
            {
                Http = http,
                Time = context.Time,
                Environment = context.Environment,
                Key = key,
                Progress = progress,
            })
            {
                Sources = loaded.Sources,
            };
            summary = await runner.RunAsync(new RunOptions
            {
                OutputDirectory = outputDirectory,
                Resume = settings.Resume,
                Force = settings.Force,
                NoCache = settings.NoCache,
            }, cancellationToken);
        }
        catch (RunRefusedException e)
        {
            await context.Error.WriteLineAsync($"jailgrade: {e.Message}");
            return (int)(e.Reason is RefusalReason.ExistingResults or RefusalReason.CampaignChanged or RefusalReason.AttackIdsChanged ? ExitCode.UsageError
                : e.Reason == RefusalReason.MissingKey ? ExitCode.InvalidInput : ExitCode.IoError);
        }
        finally
        {
            progress.Finish();
        }

        await context.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"{summary.Stored}/{summary.Planned} results in {outputDirectory} ({summary.Written} this run), {summary.Errors} errors and {summary.Unjudged} unjudged ({summary.ErrorShare:P1}; limit {summary.MaxErrorShare:P1}){(summary.SkippedForBudget > 0 ? $", {summary.SkippedForBudget} not run: max_requests spent" : "")}."));
        if (summary.Cancelled)
        {
            await context.Error.WriteLineAsync("Stopped: run again with --resume to finish.");
            return (int)ExitCode.Cancelled;
        }

        WriteSummary(outputDirectory, summary, settings.Format ?? (context.OutputIsTerminal ? SummaryFormat.Human : SummaryFormat.Tsv));

        // Said again under the table: the attack arm has fewer requests than the baseline, and why.
        foreach (var source in loaded.Sources.Where(s => s.NoPrompt.Count > 0))
        {
            context.Error.WriteLine("Note: " + ProbeLoader.NoPromptNote(source));
        }

        return (int)(summary.Complete ? ExitCode.Success : ExitCode.Incomplete);
    }

    private ExitCode DryRun(Campaign campaign, LoadedProbes loaded, SummaryFormat format)
    {
        // Nothing is sent or stored: the runner is built only to produce the plan, with no key at all.
        using var http = new HttpClient();
        var runner = new CampaignRunner(campaign, loaded.Probes, EvaluationRegistry.Default, new RunnerServices
        {
            Http = http,
            Time = context.Time,
            Environment = name => context.Environment(name) ?? "(not set)",
        });
        var probes = loaded.Probes.ToDictionary(p => p.Id);
        var targets = campaign.Targets.ToDictionary(t => t.Id);

        // Recorded items (a finished artifact's target is the model it attacked, not one of ours) send nothing: no tokens.
        long? Tokens(WorkItem item) => targets.TryGetValue(item.Target, out var spec) ? (probes[item.Probe].Text.Length / 4) + 50 + spec.MaxTokens : null;
        var rows = runner.Plan()
            .GroupBy(i => (i.Target, i.Attack, probes[i.Probe].Domain))
            .Select(g => new PlanRow(g.Key.Target, g.Key.Attack, g.Key.Domain, g.LongCount(), targets.ContainsKey(g.Key.Target) ? g.Sum(i => Tokens(i)!.Value) : null))
            .OrderBy(r => r.Target, StringComparer.Ordinal).ThenBy(r => r.Attack, StringComparer.Ordinal).ThenBy(r => r.Domain, StringComparer.Ordinal)
            .ToList();
        var budgets = rows.GroupBy(r => r.Target).Select(g =>
        {
            var spec = targets.GetValueOrDefault(g.Key);
            var requests = g.Sum(r => r.Requests);
            var budget = spec is null ? "recorded" : spec.MaxRequests is { } max ? (requests <= max ? "ok" : "OVER") : "none";
            return (Target: g.Key, Requests: requests, Tokens: spec is null ? (long?)null : g.Sum(r => r.Tokens ?? 0), spec?.MaxRequests, Budget: budget);
        }).ToList();

        if (format == SummaryFormat.Json)
        {
            WriteDryRunJson(rows, budgets, loaded.Sources);
        }
        else
        {
            context.Out.WriteLine("target\tattack\tdomain\trequests\test_tokens");
            foreach (var row in rows)
            {
                context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{row.Target}\t{row.Attack}\t{row.Domain}\t{row.Requests}\t{row.Tokens?.ToString(CultureInfo.InvariantCulture) ?? "-"}"));
            }

            context.Out.WriteLine();
            context.Out.WriteLine("target\titems\test_tokens\tmax_requests\tbudget");
            foreach (var (target, requests, tokens, max, budget) in budgets)
            {
                context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{target}\t{requests}\t{tokens?.ToString(CultureInfo.InvariantCulture) ?? "-"}\t{max?.ToString(CultureInfo.InvariantCulture) ?? "-"}\t{budget}"));
            }
        }

        context.Error.WriteLine("Token estimate: prompt characters / 4 + 50 per request for the template, plus max_tokens for the answer; retries and rubric-judge calls come on top. Recorded items send nothing and show '-'.");
        return ExitCode.Success;
    }

    private void WriteDryRunJson(List<PlanRow> rows, IEnumerable<(string Target, long Requests, long? Tokens, long? MaxRequests, string Budget)> budgets, IReadOnlyList<SourceDescription> sources)
    {
        using var buffer = new MemoryStream();
        using (var json = new System.Text.Json.Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartArray("plan");
            foreach (var row in rows)
            {
                json.WriteStartObject();
                json.WriteString("target", row.Target);
                json.WriteString("attack", row.Attack);
                json.WriteString("domain", row.Domain);
                json.WriteNumber("requests", row.Requests);
                json.WriteBoolean("recorded", row.Tokens is null);
                WriteNumberOrNull(json, "est_tokens", row.Tokens);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartArray("targets");
            foreach (var (target, requests, tokens, max, budget) in budgets)
            {
                json.WriteStartObject();
                json.WriteString("target", target);
                json.WriteNumber("requests", requests);
                WriteNumberOrNull(json, "est_tokens", tokens);
                WriteNumberOrNull(json, "max_requests", max);
                json.WriteString("budget", budget);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartArray("sources");
            foreach (var source in sources)
            {
                source.Write(json);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        context.Out.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }

    private static void WriteNumberOrNull(System.Text.Json.Utf8JsonWriter json, string name, long? value)
    {
        if (value is { } number)
        {
            json.WriteNumber(name, number);
        }
        else
        {
            json.WriteNull(name);
        }
    }

    private sealed record PlanRow(string Target, string Attack, string Domain, long Requests, long? Tokens);

    // From request rows, not results: the summary's memory grows with requests, however many samples each has.
    private void WriteSummary(string outputDirectory, RunSummary summary, SummaryFormat format)
    {
        if (EvaluationSupport.LoadRequestRows(context, outputDirectory) is not { } loaded)
        {
            return;
        }

        var (header, rows) = loaded;

        var table = SuccessRates.Compute(rows, header.Seed, header.Calibration);
        RunSummaryWriter.Write(context.Out, context.TerminalWidth, format, summary, header, table);
        context.Out.Flush(); // the notes on stderr belong under the table, not above it
        foreach (var note in ReportWriter.Notes(header, table, rows.Count(r => r.Outcome.Attempts == 0)).Concat(summary.Notes))
        {
            context.Error.WriteLine("Note: " + note);
        }
    }

    /// <summary>Progress on stderr: a line every few seconds at most (the terminal view redraws one line).</summary>
    private sealed class ProgressLines(CliContext context) : IProgress<RunProgress>
    {
        private readonly Lock _gate = new();
        private long _last = long.MinValue;
        private bool _redrawing;

        public void Report(RunProgress value)
        {
            lock (_gate)
            {
                var now = context.Time.GetTimestamp();
                if (_last != long.MinValue && context.Time.GetElapsedTime(_last, now) < TimeSpan.FromSeconds(context.OutputIsTerminal ? 0.5 : 5) && value.Done < value.Total)
                {
                    return;
                }

                _last = now;
                var eta = value.Eta is { } e ? $", ETA {e:hh\\:mm\\:ss}" : "";
                var line = string.Create(CultureInfo.InvariantCulture, $"{value.Done}/{value.Total} done, {value.PerSecond:0.0}/s, {value.Errors} errors{eta}");
                context.Error.Write(context.OutputIsTerminal ? "\r" + line + "   " : line + "\n");
                _redrawing = context.OutputIsTerminal;
            }
        }

        /// <summary>Ends the redrawn line, so that what follows starts on a line of its own.</summary>
        public void Finish()
        {
            lock (_gate)
            {
                if (_redrawing)
                {
                    context.Error.Write("\n");
                    _redrawing = false;
                }
            }
        }
    }
}
