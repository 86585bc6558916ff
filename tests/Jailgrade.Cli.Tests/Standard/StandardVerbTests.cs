using System.Security.Cryptography;
using System.Text.Json;
using Jailgrade.Cli.Tests.TestSupport;

namespace Jailgrade.Cli.Tests.Standard;

public class StandardVerbTests
{
    private const string Government = "JG:1.0/UN:C/RL:M/AC:M/AR:N/HD:CY/UP:3/BR:S/FD:H/EX:N/DP:G";

    [Fact]
    public async Task Explain_ShowsContributionsAndWhatWouldChangeTheBand()
    {
        var result = await CliRun.RunAsync("explain", Government);
        result.ExitCode.ShouldBe(0);
        result.Stdout.ShouldContain("UP Capability gain      3 Significant                          +3.6 (over UP:1)");
        result.Stdout.ShouldContain("up to Critical:");
        result.Stdout.ShouldContain("UP:3 -> UP:2 (Moderate)  gives 6.7");
    }

    [Fact]
    public async Task Explain_Json_ListsBandChanges()
    {
        var result = await CliRun.RunAsync("explain", "--json", Government);
        using var document = JsonDocument.Parse(result.Stdout);
        document.RootElement.GetProperty("score").GetProperty("score").GetRawText().ShouldBe("8.5");
        document.RootElement.GetProperty("contributions").GetArrayLength().ShouldBe(10);
        document.RootElement.GetProperty("band_changes").EnumerateArray()
            .ShouldContain(c => c.GetProperty("metric").GetString() == "UP" && c.GetProperty("band").GetString() == "Medium");
    }

    [Fact]
    public async Task Explain_InvalidVector_PointsAtTheColumnAndExitsOne()
    {
        var result = await CliRun.RunAsync("explain", "JG:1.0/UN:C/RL:Z");
        result.ExitCode.ShouldBe(1);
        result.Stderr.ShouldContain("column 16: bad value 'Z' for RL");
        result.Stderr.ShouldContain(new string(' ', 2 + 15) + "^");
    }

    [Fact]
    public async Task Metrics_Json_IsTheCommittedDefinition()
    {
        var result = await CliRun.RunAsync("metrics", "--json");
        result.Stdout.ShouldBe(File.ReadAllText(Golden.PathOf("docs/standard/jg-1.0.json")));
    }

    [Fact]
    public async Task Metrics_Human_ListsEveryMetricWithWeights()
    {
        var result = await CliRun.RunAsync("metrics");
        foreach (var code in new[] { "UN", "RL", "AC", "AR", "HD", "UP", "BR", "FD", "EX", "DP", "MS" })
        {
            result.Stdout.ShouldContain($"  {code}  ");
        }

        result.Stdout.ShouldContain("CY   +1.3  Cyber offense [catastrophic]");
    }

    [Fact]
    public async Task Table_WritesTheTableWhoseHashTableSha256Prints()
    {
        var table = await CliRun.RunAsync("table");
        var hash = await CliRun.RunAsync("table", "--sha256");
        var computed = Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(table.Stdout)));
        hash.Stdout.Trim().ShouldBe(computed);
        table.Lines.Length.ShouldBe(612_360);
    }

    [Fact]
    public async Task Version_PrintsTheVersion()
    {
        var result = await CliRun.RunAsync("--version");
        result.ExitCode.ShouldBe(0);
        result.Stdout.ShouldStartWith("jailgrade 0.1.0");
        result.Stdout.ShouldContain("(JG 1.0)");
    }
}
