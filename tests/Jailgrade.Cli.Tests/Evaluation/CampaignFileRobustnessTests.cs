using Jailgrade.Cli.Tests.TestSupport;

namespace Jailgrade.Cli.Tests.Evaluation;

/// <summary>
/// Issue 9 through the command line: campaign files that crashed or slipped through now exit 1 with
/// file:line:column, never 70 and never a stack trace.
/// </summary>
public sealed class CampaignFileRobustnessTests : IDisposable
{
    private const string Valid = """
        campaign: robust
        seed: 3
        probes:
          - builtin: canary
        targets:
          - id: local
            provider: openai
            base_url: http://127.0.0.1:9/v1
            model: mock-1
            headers:
              X-Team: red
        judge:
          kind: refusal-keywords
        output: out

        """;

    private readonly string _directory = Directory.CreateTempSubdirectory("jg-cli-campaign-robust-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    public static TheoryData<string, string, string> BadCampaigns => new()
    {
        { "deep nesting", "campaign: " + new string('[', 50_000) + new string(']', 50_000) + "\n" + Valid.Replace("campaign: robust\n", "", StringComparison.Ordinal), "campaign.yaml:1:74: not valid YAML: nested more than 64 levels deep" },
        { "unknown keys", Valid + string.Concat(Enumerable.Range(0, 500).Select(i => $"k{i}: 1\n")), "and 400 more errors" },
        { "header injection", Valid.Replace("X-Team: red", "X-Team: \"red\\r\\nX-Evil: 1\"", StringComparison.Ordinal), "campaign.yaml:11:15: the value of header 'X-Team' in target 'local' holds \\r at character 4" },
        { "user info", Valid.Replace("http://127.0.0.1:9/v1", "http://alice:s3cret@127.0.0.1:9/v1", StringComparison.Ordinal), "campaign.yaml:8:15: 'base_url' in target 'local' carries a user name or password" },
        { "empty probes", Valid.Replace("  - builtin: canary\n", "  []\n", StringComparison.Ordinal), "campaign.yaml:4:3: 'probes' in the campaign is empty" },
        { "second document", Valid + "---\ncampaign: two\n", "campaign.yaml:15:1: not valid YAML: a second YAML document starts here" },
        { "empty file", "", "campaign.yaml:1:1: the file is empty" },
    };

    [Theory]
    [MemberData(nameof(BadCampaigns))]
    public async Task EvalRunDryRun_BadCampaign_ExitsOneWithItsPosition(string what, string yaml, string expected)
    {
        var path = Path.Combine(_directory, "campaign.yaml");
        File.WriteAllText(path, yaml);

        var result = await CliRun.RunAsync("eval", "run", path, "--dry-run");

        result.ExitCode.ShouldBe(1, what + ": " + result.Stderr);
        result.Stderr.ShouldContain(expected);
        result.Stderr.ShouldNotContain("   at ");
        result.Stderr.ShouldNotContain("s3cret");
    }
}
