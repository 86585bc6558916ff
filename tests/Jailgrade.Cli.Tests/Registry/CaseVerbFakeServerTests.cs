using System.Text.Json;
using Jailgrade.Cli.Hosting;
using Jailgrade.Cli.Tests.TestSupport;

namespace Jailgrade.Cli.Tests.Registry;

/// <summary>
/// The case verbs against <see cref="FakeCaseServer"/>, a stand-in written to the case API contract,
/// for what a real server cannot be made to send (control characters in its text, redirects, answers
/// that are not a case) or what it does not show (the exact requests). Everything else is tested
/// against the real server in <see cref="CaseVerbTests"/>.
/// </summary>
public sealed class CaseVerbFakeServerTests : IAsyncLifetime
{
    private const string Canary = "TQ7F3A-marker: a role-play framing, benign test text";

    private FakeCaseServer _server = null!;
    private string _root = null!;
    private string _keyFile = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeCaseServer.StartAsync();
        _root = Directory.CreateTempSubdirectory("jailgrade-cli-cases-").FullName;
        _keyFile = Path.Combine(_root, "reporter.key");
        File.WriteAllText(_keyFile, FakeCaseServer.Key + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(_keyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task CaseCreate_DiscoveredAtNotATime_Exits2BeforeSendingAnything()
    {
        var technique = Path.Combine(_root, "technique.txt");
        File.WriteAllText(technique, Canary);

        var result = await RunAsync(false, "case", "create", "--title", "t", "--authority", Guid.NewGuid().ToString(), "--lab", "L", "--model", "m",
            "--technique-file", technique, "--discovered-at", "last tuesday");

        result.ExitCode.ShouldBe((int)ExitCode.UsageError);
        result.Stderr.ShouldContain("--discovered-at 'last tuesday'");
        _server.Posted.ShouldBeEmpty();
    }

    [Fact]
    public async Task CaseCreate_TechniqueFileMissing_Exits4()
    {
        var result = await RunAsync(false, "case", "create", "--title", "t", "--authority", Guid.NewGuid().ToString(), "--lab", "L", "--model", "m",
            "--technique-file", Path.Combine(_root, "absent.txt"));

        result.ExitCode.ShouldBe((int)ExitCode.IoError);
        result.Stderr.ShouldContain("absent.txt not found");
        _server.Posted.ShouldBeEmpty();
    }

    [Fact]
    public async Task CaseShow_NotAnId_Exits2()
    {
        var result = await RunAsync(false, "case", "show", "../../orgs");

        result.ExitCode.ShouldBe((int)ExitCode.UsageError);
        _server.Paths.ShouldBeEmpty();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task CaseShow_ControlCharactersInServerText_AreEscaped(bool terminal)
    {
        var (id, _) = _server.Seed("Title\u001b]0;owned\u0007\u001b[2J\nforged\trow\u202e", lab: "Lab\u009b31m");

        var result = await RunAsync(terminal, "case", "show", id.ToString());

        result.ExitCode.ShouldBe(0, result.Stderr);
        result.Stdout.ShouldNotContain("\u001b");
        result.Stdout.ShouldNotContain("\u0007");
        result.Stdout.ShouldNotContain("\u009b");
        result.Stdout.ShouldNotContain("\u202e");
        result.Stdout.ShouldContain(@"Title\u001b]0;owned\u0007\u001b[2J\nforged\trow\u202e");
        result.Stdout.ShouldContain(@"Lab\u009b31m");
        if (!terminal)
        {
            result.Lines.Length.ShouldBe(2);
            result.Lines[1].Split('\t').Length.ShouldBe(result.Lines[0].Split('\t').Length);
        }
    }

    [Fact]
    public async Task CaseShow_Json_IsTheServersJsonWithControlCharactersEscaped()
    {
        var (id, _) = _server.Seed("Title\u001b[2J");

        var result = await RunAsync(false, "case", "show", id.ToString(), "--json");

        result.ExitCode.ShouldBe(0, result.Stderr);
        result.Stdout.ShouldNotContain("\u001b");
        JsonDocument.Parse(result.Stdout).RootElement.GetProperty("title").GetString().ShouldBe("Title\u001b[2J");
    }

    [Fact]
    public async Task CaseList_Filters_AreSentAsTheContractsSnakeCaseQuery()
    {
        var lab = Guid.NewGuid();
        var release = Guid.NewGuid();
        var by = Guid.NewGuid();

        var result = await RunAsync(false, "case", "list", "--status", "triaged", "--release", release.ToString(), "--lab", lab.ToString(),
            "--changed-since", "2026-12-01", "--changed-by", by.ToString());

        result.ExitCode.ShouldBe(0, result.Stderr);
        _server.Queries.ShouldHaveSingleItem().ShouldBe(
            $"?status=triaged&release={release}&lab={lab}&changed_since=2026-12-01T00%3A00%3A00.000Z&changed_by={by}");
    }

    [Fact]
    public async Task CaseTransition_SendsTheETagItReadAsIfMatch()
    {
        var (id, involvement) = _server.Seed("Transition canary");

        var result = await RunAsync(false, "case", "transition", id.ToString(), "--involvement", involvement.ToString(), "--to", "mitigating");

        result.ExitCode.ShouldBe(0, result.Stderr);
        _server.IfMatches.ShouldBe(["\"c1.1\""]);
        result.Lines[1].Split('\t')[1].ShouldBe("mitigating");
        result.Lines[1].Split('\t')[^1].ShouldBe("\"c1.2\"");
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("\"a case\"")]
    [InlineData("""{"id":"x","involvements":{"id":"y"}}""")]
    [InlineData("""{"id":"x","involvements":"none"}""")]
    public async Task CaseShow_AnswerThatIsNotACase_Exits4SayingSo(string answer)
    {
        var id = Guid.NewGuid();
        _server.Malformed[id] = answer;

        foreach (var terminal in new[] { false, true })
        {
            var result = await RunAsync(terminal, "case", "show", id.ToString());

            result.ExitCode.ShouldBe((int)ExitCode.IoError, result.Stderr);
            result.Stderr.ShouldContain("the server's answer is not a case");
            result.Stdout.ShouldBeEmpty();
        }
    }

    [Fact]
    public async Task Redirect_IsNotFollowed()
    {
        var result = await RunAsync(false, "org", "list", "--server", _server.Url + "/moved");

        result.ExitCode.ShouldBe((int)ExitCode.IoError);
        result.Stderr.ShouldContain("answered 307, redirecting to");
        result.Stderr.ShouldContain("jailgrade follows no redirects");
        _server.Paths.ShouldBe(["/moved/api/v1/orgs"]);
    }

    private Task<CliResult> RunAsync(bool terminal, params string[] args)
    {
        var environment = new Dictionary<string, string> { ["JAILGRADE_SERVER"] = _server.Url };
        return CliRun.RunAsync([], terminal, name => environment.GetValueOrDefault(name), [.. args, "--key-file", _keyFile]);
    }
}
