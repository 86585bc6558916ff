using System.CommandLine;
using System.Text.Json;
using Jailgrade.Policy;
using Jailgrade.Cli.Commands.Policy.Internal;
using Jailgrade.Cli.Hosting;
using Jailgrade.Policy.Consensus;
using Jailgrade.Policy.Decisions;
using Jailgrade.Policy.Eligibility;
using Jailgrade.Policy.Obligations;
using Jailgrade.Policy.Rendering;
using Jailgrade.Standard;
using Jailgrade.Standard.Probabilities;
using Jailgrade.Standard.Scoring;

namespace Jailgrade.Cli.Commands.Policy;

/// <summary><c>jailgrade decide</c>: decide a case (or a batch) under a policy.</summary>
internal sealed class DecideCommand(CliContext context)
{
    /// <summary>The verb's settings.</summary>
    public sealed record Settings(
        string Policy,
        string? Vector,
        IReadOnlyList<string> Assessments,
        string? Incident,
        IReadOnlyList<string> Facts,
        IReadOnlyDictionary<ClockEvent, string> Clock,
        string? Countries,
        string? BandProbabilities,
        string? Cases,
        bool? Json);

    public static Command Create(CliContext context)
    {
        var policy = new Option<string>("--policy") { Description = "A built-in policy id or a policy file.", Required = true, HelpName = "id|file" };
        var vector = new Option<string?>("--vector") { Description = "The JG vector of the case.", HelpName = "vector" };
        var assessments = new Option<string[]>("--assessment")
        {
            Description = "A party's grade of a disputed case, PARTY=VECTOR; repeatable, instead of --vector. The policy's consensus rule picks the grade that stands.",
            HelpName = "party=vector",
        };
        var incident = new Option<string?>("--incident") { Description = "The incident type, for policies with an 'incident' input (e.g. death).", HelpName = "type" };
        var facts = new Option<string[]>("--fact") { Description = "Another case fact, NAME=VALUE; repeatable.", HelpName = "name=value", AllowMultipleArgumentsPerToken = false };
        var clock = CaseClock.EventNames.Select(name => new Option<string?>($"--{name}") { Description = $"When the case was {name}: ISO 8601 with offset (2026-06-12T09:00:00Z), or a date (2026-06-12) taken as 00:00 UTC.", HelpName = "time" }).ToArray();
        var countries = new Option<string?>("--countries") { Description = "Countries the release is offered in (ISO 3166-1 alpha-2, upper case, comma-separated).", HelpName = "US,GB,..." };
        var probabilities = new Option<string?>("--band-probabilities") { Description = "A JSON file of band probabilities; the band used is the highest held with the policy's confidence.", HelpName = "file" };
        var cases = new Option<string?>("--cases") { Description = "Decide a batch: one JSON case (or vector) per line; writes one line per case.", HelpName = "file" };
        var json = new Option<bool>("--json") { Description = "Write the decision as JSON; same as --format json." };
        var format = new Option<string?>("--format")
        {
            Description = "human or json. Default: human on a terminal, json when piped (one JSON object per line with --cases; tsv lines need --format human).",
            HelpName = "human|json",
        };
        format.AcceptOnlyFromAmong("human", "json");
        var command = new VerbCommand("decide", "Decide what must happen for a graded jailbreak under a policy.", """
            Gives the outcome (Track < Mitigate < Restrict < Suspend), every obligation with its due time
            (or disclosure window, or recurrence), export eligibility per jurisdiction tier and identity
            level, the tier of each listed country, and the rationale, stamped with the policy's id,
            version and SHA-256. Obligations running from an event not given have no due time. When
            --decided is not given the decision is taken now, and the readable output says so on
            stderr ("decided now (...)"; JSON: "decided_defaulted": true). An obligation due before the
            decision is marked overdue. Times may be a date alone (2026-06-12, taken as 00:00 UTC); a
            clock out of order (decided before reported, discovered after reported...) is refused.
            """)
        {
            policy, vector, assessments, incident, facts, countries, probabilities, cases, json, format,
        };
        foreach (var option in clock)
        {
            command.Options.Add(option);
        }

        command.WithExample("jailgrade decide --policy us-frontier --vector JG:1.0/UN:U/RL:H/AC:L/AR:N/HD:CY/UP:3/BR:W/FD:H/EX:P/DP:G --reported 2026-06-12T09:00:00Z --countries US,CN", "one case")
            .WithExample("jailgrade decide --policy eu-gpai --vector JG:1.0/UN:C/RL:M/AC:M/AR:N/HD:CY/UP:3/BR:S/FD:H/EX:N/DP:G --incident death --json", "JSON for a serious incident")
            .WithExample("jailgrade decide --policy us-frontier --assessment lab=JG:1.0/UN:N/RL:L/AC:H/AR:N/HD:CY/UP:1/BR:N/FD:M/EX:N/DP:G --assessment government=JG:1.0/UN:C/RL:M/AC:M/AR:N/HD:CY/UP:3/BR:S/FD:H/EX:N/DP:G", "a disputed case: the policy's consensus rule picks the grade")
            .WithExample("jailgrade decide --policy lab-safeguards --cases cases.jsonl", "a batch, one line per case");
        command.SetAction((parseResult, _) =>
        {
            var settings = new Settings(
                parseResult.GetValue(policy)!,
                parseResult.GetValue(vector),
                parseResult.GetValue(assessments) ?? [],
                parseResult.GetValue(incident),
                parseResult.GetValue(facts) ?? [],
                clock.Select((option, i) => (Event: (ClockEvent)i, Value: parseResult.GetValue(option)))
                    .Where(c => c.Value is not null).ToDictionary(c => c.Event, c => c.Value!),
                parseResult.GetValue(countries),
                parseResult.GetValue(probabilities),
                parseResult.GetValue(cases),
                parseResult.GetValue(json) ? true : parseResult.GetValue(format) is { } name ? name == "json" : null);
            return Task.FromResult((int)new DecideCommand(context).Run(settings));
        });
        return command;
    }

    public ExitCode Run(Settings settings)
    {
        var (policy, code) = PolicyResolver.Resolve(settings.Policy, context, "decide");
        if (policy is null)
        {
            return code;
        }

        var json = settings.Json ?? !context.OutputIsTerminal;
        if (settings.Cases is { } casesFile)
        {
            return RunBatch(policy, casesFile, json);
        }

        if ((settings.Vector is null) == (settings.Assessments.Count == 0))
        {
            context.Error.WriteLine("jailgrade decide: give --vector or --assessment PARTY=VECTOR (one case), or --cases FILE (a batch).");
            return ExitCode.UsageError;
        }

        List<PartyAssessment> assessments = [];
        ConsensusResult? consensus = null;
        var vectorText = settings.Vector;
        if (settings.Assessments.Count > 0)
        {
            if (!TryParseAssessments(settings.Assessments, assessments, out var assessmentError))
            {
                context.Error.WriteLine($"jailgrade decide: {assessmentError}");
                return ExitCode.InvalidInput;
            }

            consensus = policy.Consensus.Resolve(assessments);
            vectorText = consensus.Standing.Vector.ToString();
        }

        if (!TryBuildRequest(settings with { Vector = vectorText }, out var request, out var error, out code))
        {
            context.Error.WriteLine($"jailgrade decide: {error}");
            return code;
        }

        if (!policy.TryDecide(request!, context.Time, out var decision, out error))
        {
            context.Error.WriteLine($"jailgrade decide: {error}");
            return ExitCode.InvalidInput;
        }

        if (json)
        {
            context.Out.WriteLine(DecisionJson.Serialize(decision!, consensus: consensus, assessments: assessments));
        }
        else
        {
            WriteDecidedNow(decision!.DecidedDefaulted ? decision.Clock.Decided : null);
            WriteHuman(decision);
            if (consensus is not null)
            {
                context.Out.WriteLine();
                context.Out.WriteLine($"Consensus: {consensus.Standing.Party}'s grade stands: {consensus.Reason}.");
                foreach (var assessment in assessments)
                {
                    context.Out.WriteLine($"  {assessment.Party,-20}{JgScorer.Score(assessment.Vector).Base,5}  {assessment.Vector}");
                }
            }
        }

        return ExitCode.Success;
    }

    private static bool TryParseAssessments(IReadOnlyList<string> written, List<PartyAssessment> assessments, out string error)
    {
        foreach (var item in written)
        {
            var equals = item.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                error = $"--assessment '{item}' must be PARTY=VECTOR";
                return false;
            }

            if (!JgVector.TryParse(item.AsSpan(equals + 1), out var vector, out var vectorError))
            {
                error = $"--assessment {item[..equals]}: bad vector: {vectorError}";
                return false;
            }

            assessments.Add(new PartyAssessment(item[..equals], vector));
        }

        error = "";
        return true;
    }

    private static bool TryBuildRequest(Settings settings, out DecisionRequest? request, out string error, out ExitCode code)
    {
        request = null;
        code = ExitCode.InvalidInput;
        if (!JgVector.TryParse(settings.Vector, out var vector, out var vectorError))
        {
            error = $"bad vector: {vectorError}";
            return false;
        }

        var facts = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var fact in settings.Facts)
        {
            var equals = fact.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                error = $"--fact '{fact}' must be NAME=VALUE";
                code = ExitCode.UsageError;
                return false;
            }

            facts[fact[..equals]] = fact[(equals + 1)..];
        }

        if (settings.Incident is { } incident)
        {
            facts["incident"] = incident;
        }

        var instants = new DateTimeOffset?[CaseClock.EventNames.Count];
        foreach (var (clockEvent, text) in settings.Clock)
        {
            if (!Timestamps.TryParse(text, out var instant, out var timestampError))
            {
                error = $"--{CaseClock.EventNames[(int)clockEvent]}: {timestampError}";
                return false;
            }

            instants[(int)clockEvent] = instant;
        }

        BandDistribution? probabilities = null;
        if (settings.BandProbabilities is { } file)
        {
            if (!File.Exists(file))
            {
                error = $"cannot read '{file}'";
                code = ExitCode.IoError;
                return false;
            }

            if (!BandDistribution.TryParseJson(File.ReadAllText(file), out probabilities, out var probabilityError))
            {
                error = $"{file}: {probabilityError}";
                return false;
            }
        }

        var countries = settings.Countries is { } written ? CaseJson.ParseCountryList(written) : null;
        foreach (var country in countries ?? [])
        {
            if (!Countries.TryCheck(country, out var countryError))
            {
                error = $"--countries: {countryError}";
                code = ExitCode.UsageError;
                return false;
            }
        }

        request = new DecisionRequest(vector)
        {
            Facts = facts,
            Clock = new CaseClock(instants[0], instants[1], instants[2], instants[3]),
            Countries = countries,
            BandProbabilities = probabilities,
        };
        error = "";
        return true;
    }

    private ExitCode RunBatch(JgPolicy policy, string casesFile, bool json)
    {
        if (!File.Exists(casesFile))
        {
            context.Error.WriteLine($"jailgrade decide: cannot read '{casesFile}'.");
            return ExitCode.IoError;
        }

        var (cases, errors) = CaseJson.ParseLines(File.ReadAllText(casesFile), casesFile);
        DateTimeOffset? decidedNow = null;
        foreach (var batchCase in cases)
        {
            var id = batchCase.Id;
            if (!policy.TryDecide(batchCase.Request, context.Time, out var decision, out var error))
            {
                errors.Add(new CaseError(casesFile, batchCase.Line, 1, $"case '{id}': {error}"));
                continue;
            }

            decidedNow ??= decision!.DecidedDefaulted ? decision.Clock.Decided : null;

            if (json)
            {
                context.Out.WriteLine($"{{\"id\":{JsonSerializer.Serialize(id)},\"decision\":{DecisionJson.Serialize(decision!, indented: false)}}}");
            }
            else
            {
                context.Out.WriteLine($"{id}\t{decision!.Outcome}\t{decision.Band}\t{(decision.Row is { } row ? $"row {row.Number}" : "default")}");
            }
        }

        if (!json)
        {
            WriteDecidedNow(decidedNow);
        }

        // One list in file order: a case that parsed but could not be decided sits among the others.
        foreach (var line in CaseJson.Report(errors, casesFile))
        {
            context.Error.WriteLine(line);
        }

        return errors.Count > 0 ? ExitCode.InvalidInput : ExitCode.Success;
    }

    // A decision taken "now" is not reproducible: say which now, beside the output, not in it.
    private void WriteDecidedNow(DateTimeOffset? now)
    {
        if (now is { } instant)
        {
            context.Error.WriteLine($"decided now ({Timestamps.Format(instant)})");
        }
    }

    private void WriteHuman(Decision decision)
    {
        var output = context.Out;
        output.WriteLine($"{decision.Outcome} under {decision.Policy.Id} {decision.Policy.Version} (sha256 {decision.Policy.Sha256[..12]}…)");
        output.WriteLine($"  {decision.Rationale}");
        output.WriteLine();
        output.WriteLine(decision.Obligations.Count == 0 ? "Obligations: none" : "Obligations:");
        foreach (var obligation in decision.Obligations)
        {
            var due = obligation.Due is { } instant ? Timestamps.Format(instant) : ScheduledObligation.NotYetDue;
            var window = obligation.NotBefore is { } opens ? $" (window opens {Timestamps.Format(opens)})" : "";
            var overdue = obligation.Overdue ? "  OVERDUE" : "";
            output.WriteLine($"  {obligation.Spec.KindName,-9}{obligation.Spec.Party,-28}due {due}{window}{overdue}");
            output.WriteLine($"  {"",-9}{"",-28}{PolicyMarkdown.Timing(obligation.Spec)}{(obligation.Spec.Note is { } note ? $"; {note}" : "")}");
        }

        output.WriteLine();
        output.WriteLine("Export eligibility (none / basic / verified / vetted):");
        foreach (var ladder in decision.Eligibility)
        {
            output.WriteLine($"  {ladder.Tier.Name,-16}{string.Join(" / ", ladder.Rules.Select(Describe))}");
        }

        if (decision.Request.Countries is not null)
        {
            output.WriteLine();
            output.WriteLine("Countries:");
            foreach (var country in decision.Countries)
            {
                output.WriteLine($"  {country.Country}  {country.Ladder.Tier.Name,-16}{Countries.NameOf(country.Country)}");
            }
        }
    }

    private static string Describe(AccessRule rule) =>
        rule.Access == Access.AllowWithConditions ? $"allow with {string.Join(", ", rule.Conditions)}" : rule.AccessName;
}
