using Jailgrade.Cli.Hosting;
using Jailgrade.Cli.Tests.TestSupport;

namespace Jailgrade.Cli.Tests;

/// <summary>Issue 13 item 3: parse errors that teach — the nearest verb or option, and help for a bare command.</summary>
public class UsageErrorTests
{
    [Fact]
    public async Task MisspeltVerb_SuggestsTheNearestVerb_AndSaysNothingMisleading()
    {
        var result = await CliRun.RunAsync("scroe", "JG:1.0/UN:N");

        result.ExitCode.ShouldBe((int)ExitCode.UsageError);
        result.Stderr.ShouldStartWith("jailgrade: unknown verb 'scroe' for 'jailgrade': did you mean 'score'? The verbs are: demo, score,");
        result.Stderr.ShouldNotContain("Required command was not provided");
        result.Stderr.ShouldNotContain("JG:1.0/UN:N", Case.Sensitive, "the misspelt verb's arguments are not errors of their own");
    }

    [Fact]
    public async Task MisspeltNestedVerb_SuggestsFromItsGroup()
    {
        var result = await CliRun.RunAsync("eval", "rnu", "campaign.yaml");

        result.ExitCode.ShouldBe((int)ExitCode.UsageError);
        result.Stderr.ShouldContain("unknown verb 'rnu' for 'jailgrade eval': did you mean 'run'?");
    }

    [Fact]
    public async Task MisspeltOption_SuggestsTheNearestOption_InOneLine_WithoutIsRequired()
    {
        var result = await CliRun.RunAsync("decide", "--polcy", "us-frontier", "--vector", "JG:1.0/UN:N/RL:L/AC:H/AR:N/HD:CY/UP:1/BR:N/FD:M/EX:N/DP:G");

        result.ExitCode.ShouldBe((int)ExitCode.UsageError);
        result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).ShouldBe([
            "jailgrade: unknown option '--polcy' for 'jailgrade decide': did you mean '--policy'?",
            "Run 'jailgrade decide --help' for usage.",
        ]);
    }

    [Fact]
    public async Task UnknownOption_FarFromEveryOption_SuggestsNothing()
    {
        var result = await CliRun.RunAsync("score", "--zzz");

        result.Stderr.ShouldStartWith("jailgrade: unknown option '--zzz' for 'jailgrade score'.\n");
    }

    [Theory]
    [InlineData(new string[0], "jailgrade [command] [options]")]
    [InlineData(new[] { "eval" }, "jailgrade eval [command] [options]")]
    [InlineData(new[] { "policy" }, "jailgrade policy [command] [options]")]
    public async Task BareGroupCommand_PrintsItsHelp(string[] args, string usage)
    {
        var result = await CliRun.RunAsync(args);

        result.ExitCode.ShouldBe(0);
        result.Stderr.ShouldBeEmpty();
        result.Stdout.Replace("  testhost", "  jailgrade", StringComparison.Ordinal).ShouldContain(usage);
    }

    [Theory]
    [InlineData("scroe", "score", 1)]
    [InlineData("scroe", "scree", 1)]
    [InlineData("abcd", "badc", 2)]
    [InlineData("socre", "score", 1)]
    [InlineData("--jsn", "--json", 1)]
    [InlineData("", "abc", 3)]
    [InlineData("kitten", "sitting", 3)]
    public void Distance_IsTheOptimalStringAlignmentDistance(string a, string b, int expected)
    {
        UsageErrors.Distance(a, b).ShouldBe(expected);
        UsageErrors.Distance(b, a).ShouldBe(expected);
    }
}

/// <summary>Issue 13 item 6: a missing file is named as missing, with the documented I/O code, and nothing follows that reads like a result.</summary>
public class MissingFileTests
{
    [Fact]
    public async Task EvalRun_MissingCampaignFile_SaysNotFoundWithoutAPosition_Exit4()
    {
        var result = await CliRun.RunAsync("eval", "run", "no-such-campaign.yaml");

        result.ExitCode.ShouldBe((int)ExitCode.IoError);
        result.Stderr.ShouldBe("jailgrade: campaign file not found: no-such-campaign.yaml\n");
    }

    [Fact]
    public async Task PolicyValidate_MissingFile_IsUnreadableNotASyntaxError_Exit4()
    {
        var result = await CliRun.RunAsync("policy", "validate", "no-such-policy.yaml");

        result.ExitCode.ShouldBe((int)ExitCode.IoError);
        result.Stderr.ShouldContain("no-such-policy.yaml: error Unreadable: policy file not found");
        result.Stderr.ShouldNotContain("Syntax");
        result.Stderr.ShouldNotContain(":1:1:");
    }

    [Fact]
    public async Task PolicyTest_UnknownPolicy_PrintsNoTallyOfZero()
    {
        var result = await CliRun.RunAsync("policy", "test", "no-such-policy");

        result.ExitCode.ShouldNotBe(0);
        result.Stderr.ShouldContain("'no-such-policy' is neither a built-in policy");
        result.Stderr.ShouldNotContain("0 passed, 0 failed");
    }
}
