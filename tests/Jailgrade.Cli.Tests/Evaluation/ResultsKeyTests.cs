using System.Text;
using Jailgrade.Cli.Hosting;
using Jailgrade.Evaluation.Mock;
using Jailgrade.MockTarget;

namespace Jailgrade.Cli.Tests.Evaluation;

/// <summary>
/// Issue 9 items 4 and 18, issue 13 item 9: a wrong or missing results key is exit 4 with a message, never a
/// crash, and a new key is announced; one directory's data key is handed over alone (export-key, import-key).
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
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

    private string Out => Path.Combine(_directory, "out");

    private string AuditorConfig => Path.Combine(_directory, "auditor-config");

    private static Task<(int Code, string Stdout, string Stderr)> Run(string? key, string config, params string[] args) =>
        Run(key, config, terminal: false, args);

    private static async Task<(int Code, string Stdout, string Stderr)> Run(string? key, string config, bool terminal, params string[] args)
    {
        using var output = new MemoryStream();
        using var error = new StringWriter { NewLine = "\n" };
        var context = new CliContext(Stream.Null, output, error, outputIsTerminal: terminal,
            environment: name => name switch { "JAILGRADE_KEY" => key, "XDG_CONFIG_HOME" => config, _ => null });
        var code = await JailgradeCli.RunAsync(args, context);
        return (code, Encoding.UTF8.GetString(output.ToArray()), error.ToString());
    }

    private async Task<string> RunCampaign(MockTargetServer mock, string output = "out")
    {
        var campaign = Path.Combine(_directory, output + ".yaml");
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
            output: {output}

            """);
        var created = !File.Exists(Path.Combine(Config, "jailgrade", "results.key"));
        var run = await Run(null, Config, "eval", "run", campaign);
        run.Code.ShouldBe(0, run.Stderr);
        if (!created)
        {
            return campaign;
        }

        run.Stderr.ShouldContain($"Created the results key {Path.Combine(Config, "jailgrade", "results.key")}");
        run.Stderr.ShouldContain("losing it loses every run's prompts and responses");
        run.Stderr.ShouldContain("jailgrade eval export-key DIR --key-out FILE");
        return campaign;
    }

    [Fact]
    public async Task WrongKey_OnResumeAndOnPayloadReport_IsExit4SayingNoDataKeyOpens_WithNoFingerprint_NotABug()
    {
        await using var mock = await MockTargetServer.StartAsync(new MockTargetOptions());
        var campaign = await RunCampaign(mock);
        var other = Convert.ToBase64String(new byte[32]);

        var resume = await Run(other, Config, "eval", "run", campaign, "--resume");
        var report = await Run(other, Config, "eval", "report", Path.Combine(_directory, "out"), "--format", "md", "--include-payloads");

        foreach (var result in new[] { resume, report })
        {
            result.Code.ShouldBe((int)ExitCode.IoError, result.Stderr);
            result.Stderr.ShouldContain($"no data key in {Path.Combine(_directory, "out", "data-keys")} opens with your results key");
            result.Stderr.ShouldContain("eval import-key");
            result.Stderr.ShouldNotContain("fingerprint");
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

    // The lab's run, and the data key it hands over in a new file.
    private async Task<string> Exported(MockTargetServer mock)
    {
        await RunCampaign(mock);
        var file = Path.Combine(_directory, "out.data-key");
        var export = await Run(null, Config, "eval", "export-key", Out, "--key-out", file);
        export.Code.ShouldBe(0, export.Stderr);
        export.Stderr.ShouldContain($"jailgrade eval import-key {Out} --key-file {file}");
        return file;
    }

    [Fact]
    public async Task ExportKeyThenImportKey_TheAuditorReadsPayloadsWithTheirOwnKey()
    {
        await using var mock = await MockTargetServer.StartAsync(new MockTargetOptions());
        var file = await Exported(mock);
        var before = await Run(null, AuditorConfig, "eval", "report", Out, "--format", "md", "--include-payloads");
        before.Code.ShouldBe((int)ExitCode.IoError, "the auditor's config has no key yet");

        var import = await Run(null, AuditorConfig, "eval", "import-key", Out, "--key-file", file);
        var report = await Run(null, AuditorConfig, "eval", "report", Out, "--format", "md", "--include-payloads");

        (File.GetUnixFileMode(file) & (UnixFileMode)0b111_111_111).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        import.Code.ShouldBe(0, import.Stderr);
        import.Stderr.ShouldContain($"Created the results key {Path.Combine(AuditorConfig, "jailgrade", "results.key")}");
        report.Code.ShouldBe(0, report.Stderr);
        report.Stdout.ShouldContain("## Successful attempts (payloads)");
        File.ReadAllBytes(Path.Combine(AuditorConfig, "jailgrade", "results.key")).ShouldNotBe(File.ReadAllBytes(Path.Combine(Config, "jailgrade", "results.key")));
    }

    [Fact]
    public async Task ImportKey_DataKeyOfAnotherDirectory_IsExit4SayingWhy()
    {
        await using var mock = await MockTargetServer.StartAsync(new MockTargetOptions());
        var file = await Exported(mock);
        await RunCampaign(mock, "other");

        var import = await Run(null, AuditorConfig, "eval", "import-key", Path.Combine(_directory, "other"), "--key-file", file);

        import.Code.ShouldBe((int)ExitCode.IoError, import.Stderr);
        import.Stderr.ShouldContain($"the data key in {file} does not open {Path.Combine(_directory, "other")}: it was exported from another results directory");
    }

    [Fact]
    public async Task ImportKey_KeyFileReadableByOthers_IsExit4WithTheModeAndTheChmod()
    {
        await using var mock = await MockTargetServer.StartAsync(new MockTargetOptions());
        var file = await Exported(mock);
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var import = await Run(null, AuditorConfig, "eval", "import-key", Out, "--key-file", file);

        import.Code.ShouldBe((int)ExitCode.IoError, import.Stderr);
        import.Stderr.ShouldContain($"the key file {file} has mode 0644");
        import.Stderr.ShouldContain($"chmod 600 {file}");
        File.Exists(Path.Combine(AuditorConfig, "jailgrade", "results.key")).ShouldBeFalse("nothing is created before the key file is accepted");
    }

    [Fact]
    public async Task ExportKey_ToAnExistingFile_IsRefusedAndTheFileLeftAlone()
    {
        await using var mock = await MockTargetServer.StartAsync(new MockTargetOptions());
        await RunCampaign(mock);
        var file = Path.Combine(_directory, "existing");
        File.WriteAllText(file, "keep me");

        var export = await Run(null, Config, "eval", "export-key", Out, "--key-out", file);

        export.Code.ShouldBe((int)ExitCode.IoError, export.Stderr);
        export.Stderr.ShouldContain("never overwrites");
        File.ReadAllText(file).ShouldBe("keep me");
    }

    [Fact]
    public async Task ExportKey_ToStandardOutput_PrintsOnlyOnATerminal()
    {
        await using var mock = await MockTargetServer.StartAsync(new MockTargetOptions());
        await RunCampaign(mock);

        var piped = await Run(null, Config, terminal: false, "eval", "export-key", Out, "--key-out", "-");
        var terminal = await Run(null, Config, terminal: true, "eval", "export-key", Out, "--key-out", "-");

        piped.Code.ShouldBe((int)ExitCode.UsageError);
        piped.Stdout.ShouldBeEmpty();
        piped.Stderr.ShouldContain("standard output is not a terminal");
        terminal.Code.ShouldBe(0, terminal.Stderr);
        terminal.Stdout.ShouldStartWith("jailgrade-data-key-v1:");
    }

    [Fact]
    public async Task DryRun_NeedsNoKeyVariable_AndCreatesNoKeyFile()
    {
        await using var mock = await MockTargetServer.StartAsync(new MockTargetOptions());
        var campaign = await RunCampaign(mock, "planned");
        var fresh = Path.Combine(_directory, "fresh-config");

        var dry = await Run(null, fresh, "eval", "run", campaign, "--dry-run", "--out", Path.Combine(_directory, "never"));

        dry.Code.ShouldBe(0, dry.Stderr);
        Directory.Exists(Path.Combine(fresh, "jailgrade")).ShouldBeFalse("a dry run reads and creates no key");
        Directory.Exists(Path.Combine(_directory, "never")).ShouldBeFalse();
    }
}
