using System.Text.RegularExpressions;
using Jailgrade.Cli.Hosting;

namespace Jailgrade.Cli.Tests;

/// <summary>The exit codes scripts rely on: the documented table and the enum say the same thing.</summary>
public partial class ExitCodeTests
{
    [Fact]
    public void ExitCodes_DocumentedTable_MatchesTheEnumRowForRow()
    {
        var documented = TableRow().Matches(File.ReadAllText(Golden.PathOf("docs/cli.md")))
            .Select(m => (Code: int.Parse(m.Groups["code"].Value, System.Globalization.CultureInfo.InvariantCulture), Name: m.Groups["name"].Value))
            .ToList();
        var declared = Enum.GetValues<ExitCode>().Select(c => (Code: (int)c, Name: c.ToString())).OrderBy(c => c.Code).ToList();

        documented.ShouldBe(declared);
    }

    [Fact]
    public void ExitCodes_PublishedBeforeThisRevision_KeepTheirNumbers()
    {
        // A published code never changes meaning; new ones are appended (docs/cli.md).
        ((int)ExitCode.InvalidInput).ShouldBe(1);
        ((int)ExitCode.UsageError).ShouldBe(2);
        ((int)ExitCode.CheckFailed).ShouldBe(3);
        ((int)ExitCode.IoError).ShouldBe(4);
        ((int)ExitCode.Incomplete).ShouldBe(5);
        ((int)ExitCode.InternalError).ShouldBe(70);
        ((int)ExitCode.Cancelled).ShouldBe(130);
    }

    [Fact]
    public async Task RootHelp_ListsEveryExitCode()
    {
        var help = (await TestSupport.CliRun.RunAsync("--help")).Stdout;
        var listed = help[help.IndexOf("Exit codes", StringComparison.Ordinal)..];

        foreach (var code in Enum.GetValues<ExitCode>())
        {
            listed.ShouldMatch($@"(^|\s){(int)code} ", $"exit code {(int)code} ({code}) is not in the root help");
        }
    }

    [GeneratedRegex(@"^\| (?<code>\d+) \| (?<name>[A-Za-z]+) \|", RegexOptions.Multiline)]
    private static partial Regex TableRow();
}
