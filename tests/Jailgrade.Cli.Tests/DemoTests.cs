using Jailgrade.Cli.Tests.TestSupport;

namespace Jailgrade.Cli.Tests;

/// <summary>The README's first command: the whole pipeline against the built-in simulated model, in-process.</summary>
public sealed class DemoTests : IDisposable
{
    private static readonly string Key = Convert.ToBase64String([.. Enumerable.Range(0, 32).Select(i => (byte)(i * 11))]);
    private readonly string _directory = Directory.CreateTempSubdirectory("jg-demo-").FullName;

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

    [Fact]
    public async Task Demo_MeasuresGradesAndDecidesEndToEnd()
    {
        var demo = Path.Combine(_directory, "demo");
        var result = await CliRun.RunAsync([], terminal: false,
            name => name switch { "JAILGRADE_KEY" => Key, "XDG_CONFIG_HOME" => Path.Combine(_directory, "config"), _ => null },
            "demo", "--dir", demo);

        result.ExitCode.ShouldBe(0, result.Stderr);
        result.Stdout.ShouldContain("mock\tbaseline\t300\t0\t0\t");
        result.Stdout.ShouldContain("mock\troleplay\t300\t");
        result.Stdout.ShouldContain("grade: High (BI,");
        result.Stdout.ShouldContain("Restrict under us-frontier");
        result.Stdout.ShouldContain("the lab grades a cyber jailbreak 3.0 Low, the government 8.5 High");
        result.Stdout.ShouldContain("UP:1 -> UP:3  3.0 -> 6.6 Medium");
        File.Exists(Path.Combine(demo, "campaign.yaml")).ShouldBeTrue();
        Directory.EnumerateFiles(Path.Combine(demo, "results")).ShouldNotBeEmpty();
    }

    [Fact]
    public async Task Demo_ItsCampaignFile_RerunsWithoutAServerToTheSameNumbers()
    {
        var demo = Path.Combine(_directory, "demo");
        Func<string, string?> environment = name => name switch { "JAILGRADE_KEY" => Key, "XDG_CONFIG_HOME" => Path.Combine(_directory, "config"), _ => null };
        (await CliRun.RunAsync([], terminal: false, environment, "demo", "--dir", demo)).ExitCode.ShouldBe(0);
        var campaign = await File.ReadAllTextAsync(Path.Combine(demo, "campaign.yaml"));

        var rerun = await CliRun.RunAsync([], terminal: false, environment, "eval", "run", Path.Combine(demo, "campaign.yaml"), "--out", Path.Combine(demo, "results-2"));
        var first = await CliRun.RunAsync([], terminal: false, environment, "eval", "report", Path.Combine(demo, "results"), "--format", "json");
        var second = await CliRun.RunAsync([], terminal: false, environment, "eval", "report", Path.Combine(demo, "results-2"), "--format", "json");

        rerun.ExitCode.ShouldBe(0, rerun.Stderr);
        campaign.ShouldContain("provider: mock");
        campaign.ShouldNotContain("base_url");
        rerun.Stdout.ShouldContain("mock\troleplay\t300\t141\t0\t");
        second.Stdout.ShouldBe(first.Stdout);
    }

    [Fact]
    public async Task Demo_NonEmptyDirectory_IsRefusedAndLeftAlone()
    {
        var keep = Path.Combine(_directory, "keep.txt");
        await File.WriteAllTextAsync(keep, "mine");
        var result = await CliRun.RunAsync("demo", "--dir", _directory);
        result.ExitCode.ShouldBe(2);
        result.Stderr.ShouldContain("is not empty");
        (await File.ReadAllTextAsync(keep)).ShouldBe("mine");
    }
}
