using System.CommandLine;
using Jailgrade.Cli.Hosting;
using Jailgrade.Cli.Tests.TestSupport;

namespace Jailgrade.Cli.Tests;

/// <summary>Every verb's --help is checked against a committed golden file (tests/Jailgrade.Cli.Tests/Help/).</summary>
public class HelpTests
{
    public static TheoryData<string> CommandPaths()
    {
        var root = JailgradeCli.Build(new CliContext(Stream.Null, Stream.Null, TextWriter.Null, false));
        var paths = new TheoryData<string>();
        paths.Add("");
        foreach (var path in Walk(root, ""))
        {
            paths.Add(path);
        }

        return paths;
    }

    [Theory]
    [MemberData(nameof(CommandPaths))]
    public async Task Help_EveryVerb_MatchesItsGoldenFile(string path)
    {
        var args = path.Split(' ', StringSplitOptions.RemoveEmptyEntries).Append("--help").ToArray();
        var result = await CliRun.RunAsync(args);
        result.ExitCode.ShouldBe(0);
        var name = path.Length == 0 ? "jailgrade" : "jailgrade-" + path.Replace(' ', '-');
        // The usage line names the executable: "jailgrade" when installed, the test host here.
        var help = result.Stdout.Replace("  testhost", "  jailgrade", StringComparison.Ordinal);
        Golden.Matches($"tests/Jailgrade.Cli.Tests/Help/{name}.txt", help);
    }

    [Theory]
    [MemberData(nameof(CommandPaths))]
    public async Task Help_EveryVerb_HasADescriptionAndExamples(string path)
    {
        // The root command ("") too: it once returned before asserting anything.
        var names = path.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var result = await CliRun.RunAsync([.. names, "--help"]);

        result.ExitCode.ShouldBe(0);
        result.Stdout.ShouldMatch(@"^Description:\n  \S", $"'jailgrade {path} --help' starts by saying what the command does");
        var root = JailgradeCli.Build(new CliContext(Stream.Null, Stream.Null, TextWriter.Null, false));
        var command = names.Aggregate((Command)root, (parent, name) => parent.Subcommands.Single(c => c.Name == name));
        if (command.Subcommands.Count == 0)
        {
            result.Stdout.ShouldContain("Examples:", customMessage: $"'jailgrade {path} --help' teaches by example");
        }
        else
        {
            command.Subcommands.Where(c => !c.Hidden).ShouldAllBe(c => result.Stdout.Contains("\n  " + c.Name + " ", StringComparison.Ordinal), $"'jailgrade {path} --help' lists its commands");
        }
    }

    private static IEnumerable<string> Walk(Command command, string prefix)
    {
        foreach (var sub in command.Subcommands)
        {
            var path = (prefix + " " + sub.Name).Trim();
            yield return path;
            foreach (var nested in Walk(sub, path))
            {
                yield return nested;
            }
        }
    }
}
