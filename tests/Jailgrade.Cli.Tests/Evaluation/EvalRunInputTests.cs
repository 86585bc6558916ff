using Jailgrade.Cli.Tests.TestSupport;

namespace Jailgrade.Cli.Tests.Evaluation;

/// <summary><c>eval run</c> on bad probe files and on targets the seed cannot reach: what it prints and how it exits.</summary>
public sealed class EvalRunInputTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("jg-cli-eval-input-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string WriteCampaign(string probes, string extraTarget = "")
    {
        var path = Path.Combine(_directory, "campaign.yaml");
        File.WriteAllText(path, $"""
            campaign: input
            seed: 3
            probes:
            {probes}
            targets:
              - id: local
                provider: openai
                base_url: http://127.0.0.1:9/v1
                model: mock-1
            {extraTarget}
            judge:
              kind: refusal-keywords
            output: out

            """);
        return path;
    }

    [Fact]
    public async Task Run_JsonlProbeFileWithASyntaxError_PrintsFileLineColumnAndExitsInvalidInput()
    {
        File.WriteAllText(Path.Combine(_directory, "probes.jsonl"),
            "{\"id\": \"a1\", \"domain\": \"CY\", \"prompt\": \"p\"}\n{\"id\": \"a2\", \"domain\": \"CY\", \"prompt\": oops}\n");
        var campaign = WriteCampaign("  - file: probes.jsonl\n    format: jsonl");

        var result = await CliRun.RunAsync("eval", "run", campaign);

        result.ExitCode.ShouldBe(1, result.Stderr);
        result.Stderr.ShouldStartWith("probes.jsonl:2:40: not valid JSON: 'o' is an invalid start of a value.");
        result.Stderr.ShouldNotContain("   at ");
        result.Stdout.ShouldBeEmpty();
        Directory.Exists(Path.Combine(_directory, "out")).ShouldBeFalse();
    }

    [Fact]
    public async Task Run_ProbeFileThatCannotBeRead_ExitsIoErrorWithoutAStackTrace()
    {
        // /proc/self/mem exists but cannot be read from its start: a read error even for root.
        var campaign = WriteCampaign("  - file: /proc/self/mem\n    format: jsonl");

        var result = await CliRun.RunAsync("eval", "run", campaign);

        result.ExitCode.ShouldBe(4, result.Stderr);
        result.Stderr.ShouldStartWith("jailgrade: cannot read the campaign or one of its probe files: ");
        result.Stderr.ShouldNotContain("   at ");
    }

    [Fact]
    public async Task Run_JsonlProbeFileWithAWrongType_PrintsTheValueAndWhatWasExpected()
    {
        File.WriteAllText(Path.Combine(_directory, "probes.jsonl"), "{\"id\": \"a1\", \"domain\": \"CY\", \"prompt\": 12}\n");
        var campaign = WriteCampaign("  - file: probes.jsonl\n    format: jsonl");

        var result = await CliRun.RunAsync("eval", "run", campaign);

        result.ExitCode.ShouldBe(1, result.Stderr);
        result.Stderr.ShouldBe("probes.jsonl:1:40: bad value 12 for \"prompt\" (expected a string)\n");
    }

    [Fact]
    public async Task Run_AnthropicTarget_WarnsOnceThatTheSeedDoesNotReachIt()
    {
        var campaign = WriteCampaign("  - builtin: canary\n    limit: 2",
            "  - id: claude\n    provider: anthropic\n    base_url: https://api.anthropic.com\n    model: claude-model");

        var result = await CliRun.RunAsync("eval", "run", campaign, "--dry-run");

        result.ExitCode.ShouldBe(0, result.Stderr);
        var warnings = result.Stderr.Split('\n').Where(l => l.Contains("warning", StringComparison.Ordinal)).ToList();
        warnings.ShouldBe(["jailgrade: warning: target 'claude': provider 'anthropic' takes no seed; samples are not reproducible from the campaign seed (set temperature: 0 when that matters)"]);
    }
}
