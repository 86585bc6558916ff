using System.CommandLine;
using System.Text.Json;
using Jailgrade.Policy;
using Jailgrade.Cli.Commands.Policy.Internal;
using Jailgrade.Cli.Hosting;
using Jailgrade.Policy.Decisions;

namespace Jailgrade.Cli.Commands.Policy;

/// <summary><c>jailgrade policy diff A B --vectors FILE</c>: which decisions change between two policies.</summary>
internal sealed class DiffPolicyCommand(CliContext context)
{
    public static Command Create(CliContext context)
    {
        var before = new Argument<string>("before") { Description = "The current policy: a built-in id or a file." };
        var after = new Argument<string>("after") { Description = "The proposed policy: a built-in id or a file." };
        var vectors = new Option<string>("--vectors") { Description = "Cases to compare on: one vector or one JSON case per line (see 'jailgrade decide --cases').", Required = true, HelpName = "file" };
        var json = new Option<bool>("--json") { Description = "One JSON object per changed case (JSON Lines)." };
        var command = new VerbCommand("diff", "Show which decisions change between two policies over a set of cases.", """
            What-if analysis before adopting a policy: every case is decided under both policies, and the
            cases whose outcome, obligations or eligibility differ are listed with what changed. Cases state
            their own clock; nothing is read from the system clock.
            """)
        {
            before, after, vectors, json,
        };
        command.WithExample("jailgrade policy diff us-frontier my-policy.yaml --vectors cases.jsonl", "what would change if we adopted my-policy");
        command.SetAction((parseResult, _) => Task.FromResult((int)new DiffPolicyCommand(context).Run(
            parseResult.GetValue(before)!, parseResult.GetValue(after)!, parseResult.GetValue(vectors)!, parseResult.GetValue(json))));
        return command;
    }

    public ExitCode Run(string beforeName, string afterName, string casesFile, bool json)
    {
        var (before, beforeCode) = PolicyResolver.Resolve(beforeName, context, "policy diff");
        var (after, afterCode) = PolicyResolver.Resolve(afterName, context, "policy diff");
        if (before is null || after is null)
        {
            return before is null ? beforeCode : afterCode;
        }

        if (!File.Exists(casesFile))
        {
            context.Error.WriteLine($"jailgrade policy diff: cannot read '{casesFile}'.");
            return ExitCode.IoError;
        }

        var (cases, parseErrors) = CaseJson.ParseLines(File.ReadAllText(casesFile), casesFile);
        var (changes, decideErrors) = PolicyDiff.Compare(before, after, cases);
        foreach (var change in changes)
        {
            if (json)
            {
                context.Out.WriteLine(JsonSerializer.Serialize(new { id = change.Id, before = change.Before.Outcome.ToString(), after = change.After.Outcome.ToString(), changes = change.Changes }));
                continue;
            }

            context.Out.WriteLine($"{change.Id}: {change.Before.Outcome} → {change.After.Outcome}");
            foreach (var line in change.Changes)
            {
                context.Out.WriteLine($"  {line}");
            }
        }

        foreach (var error in CaseJson.Report(parseErrors, casesFile).Concat(decideErrors))
        {
            context.Error.WriteLine(error);
        }

        context.Error.WriteLine($"jailgrade policy diff: {changes.Count} of {cases.Count} cases change between {PolicyResolver.Describe(before)} and {PolicyResolver.Describe(after)}.");
        foreach (var transition in changes.Where(c => c.Before.Outcome != c.After.Outcome)
            .GroupBy(c => (c.Before.Outcome, c.After.Outcome)).OrderBy(g => g.Key.Item1).ThenBy(g => g.Key.Item2))
        {
            context.Error.WriteLine($"  {transition.Key.Item1} → {transition.Key.Item2}: {transition.Count()} case{(transition.Count() == 1 ? "" : "s")}");
        }
        return parseErrors.Count + decideErrors.Count > 0 ? ExitCode.InvalidInput : ExitCode.Success;
    }
}
