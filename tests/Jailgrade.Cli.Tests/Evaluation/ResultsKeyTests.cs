using System.Text;
using Jailgrade.Cli.Hosting;
using Jailgrade.Evaluation.Mock;
using Jailgrade.MockTarget;

namespace Jailgrade.Cli.Tests.Evaluation;

/// <summary>Issue 9 item 4 and issue 13 item 9: a wrong or missing results key is exit 4 with a message, never a crash, and a new key is announced.</summary>
public sealed class ResultsKeyTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("jg-cli-key-").FullName;

    private string Config => Path.Combine(_directory, "config");

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS to clean.
        }
    }

    private static async Task<(int Code, string Stdout, string Stderr)> Run(string? key, string config, params string[] args)
    {
        using var output = new MemoryStream();
        using var error = new StringWriter { NewLine = "\n" };
        var context = new CliContext(Stream.Null, output, error, outputIsTerminal: false,
            environment: name => name switch { "JAILGRADE_KEY" => key, "XDG_CONFIG_HOME" => config, _ => null });
        var code = await JailgradeCli.RunAsync(args, context);
        return (code, Encoding.UTF8.GetString(output.ToArray()), error.ToString());
    }

    private async Task<string> RunCampaign(MockTargetServer mock)
    {
        var campaign = Path.Combine(_directory, "campaign.yaml");
        File.WriteAllText(campaign, $"""
            campaign: key
            seed: 1
            probes:
              - builtin: canary
                limit: 4
            targets:
              - id: mock
                provider: openai
                base_url: {mock.OpenAiBaseUrl}
                model: mock-1
            judge:
              kind: refusal-keywords
            output: out

            """);
        var run = await Run(null, Config, "eval", "run", campaign);
        run.Code.ShouldBe(0, run.Stderr);
        run.Stderr.ShouldContain($"Created the results key {Path.Combine(Config, "jailgrade", "results.key")}");
        run.Stderr.ShouldContain("losing it loses them");
        return campaign;
    }

    [Fact]
    public async Task WrongKey_OnResumeAndOnPayloadReport_IsExit4WithTheExpectedFingerprint_NotABug()
    {
        await using var mock = await MockTargetServer.StartAsync(new MockTargetOptions());
        var campaign = await RunCampaign(mock);
        var other = Convert.ToBase64String(new byte[32]);

        var resume = await Run(other, Config, "eval", "run", campaign, "--resume");
        var report = await Run(other, Config, "eval", "report", Path.Combine(_directory, "out"), "--format", "md", "--include-payloads");

        foreach (var result in new[] { resume, report })
        {
            result.Code.ShouldBe((int)ExitCode.IoError, result.Stderr);
            result.Stderr.ShouldContain("was written with another results key (fingerprint ");
            result.Stderr.ShouldNotContain("bug");
        }
    }

    [Fact]
    public async Task NoKey_ForAPayloadReport_IsExit4_AndCreatesNoKeyFile()
    {
        await using var mock = await MockTargetServer.StartAsync(new MockTargetOptions());
        await RunCampaign(mock);
        var elsewhere = Path.Combine(_directory, "other-config");

        var report = await Run(null, elsewhere, "eval", "report", Path.Combine(_directory, "out"), "--format", "md", "--include-payloads");

        report.Code.ShouldBe((int)ExitCode.IoError, report.Stderr);
        report.Stderr.ShouldContain("no results key");
        File.Exists(Path.Combine(elsewhere, "jailgrade", "results.key")).ShouldBeFalse("a reader never makes a key");
    }
}
