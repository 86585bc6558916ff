using System.Text.Json;
using Jailgrade.Cli.Hosting;
using Jailgrade.Cli.Tests.TestSupport;

namespace Jailgrade.Cli.Tests.Registry;

/// <summary>
/// The case verbs against <see cref="FakeCaseServer"/>, a stand-in written to the case API contract,
/// because the real case routes are built on another branch. Every test here should move to the real
/// server (<see cref="LiveRegistry"/>) when the case routes are merged.
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
    public async Task CaseCreate_SendsTheContractsBodyAndNeverPrintsTheTechnique()
    {
        var technique = Path.Combine(_root, "technique.txt");
        File.WriteAllText(technique, Canary);
        const string Authority = "5f1c8a2e-3b4d-4e6f-8a9b-0c1d2e3f4a5b";

        var result = await RunAsync(false, "case", "create", "--title", "Role-play unlocks synthesis canary", "--authority", Authority,
            "--lab", "Example Lab", "--model", "ex-1", "--technique-file", technique, "--discovered-at", "2026-12-01T09:30:00+01:00");

        result.ExitCode.ShouldBe(0, result.Stderr);
        var sent = _server.Posted.ShouldHaveSingleItem();
        sent.Select(p => p.Key).Order(StringComparer.Ordinal).ShouldBe(["authority", "discoveredAt", "labAsReported", "modelAsReported", "technique", "title"]);
        sent["technique"]!.GetValue<string>().ShouldBe(Canary);
        sent["authority"]!.GetValue<string>().ShouldBe(Authority);
        sent["discoveredAt"]!.GetValue<string>().ShouldBe("2026-12-01T08:30:00.000Z");
        result.Lines[0].ShouldBe("id\tstatus\tcreated\ttitle\tlab_as_reported\tmodel_as_reported\treporter\tauthority\tresolution\tinvolvements\tetag");
        result.Lines[1].Split('\t')[1..5].ShouldBe(["reported", "2026-12-02T09:00:00.000Z", "Role-play unlocks synthesis canary", "Example Lab"]);
        (result.Stdout + result.Stderr).ShouldNotContain("TQ7F3A-marker");
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
    public async Task CaseShow_Piped_PrintsOneRowWithItsInvolvementsAndETag()
    {
        var (id, involvement) = _server.Seed("Many-shot canary");

        var result = await RunAsync(false, "case", "show", id.ToString());

        result.ExitCode.ShouldBe(0, result.Stderr);
        result.Lines.Length.ShouldBe(2);
        var row = result.Lines[1].Split('\t');
        row[0].ShouldBe(id.ToString());
        row[^2].ShouldBe($"{involvement}=decided");
        row[^1].ShouldBe("\"c1.1\"");
    }

    [Fact]
    public async Task CaseShow_OnATerminal_PrintsTheHeaderThenTheInvolvements()
    {
        var (id, involvement) = _server.Seed("Many-shot canary");

        var result = await RunAsync(true, "case", "show", id.ToString());

        result.ExitCode.ShouldBe(0, result.Stderr);
        result.Stdout.ShouldContain("title              Many-shot canary");
        result.Stdout.ShouldContain("etag               \"c1.1\"");
        result.Stdout.ShouldContain("│ involvement");
        result.Stdout.ShouldContain(involvement.ToString());
    }

    [Fact]
    public async Task CaseShow_Missing_Exits12()
    {
        var result = await RunAsync(false, "case", "show", Guid.NewGuid().ToString());

        result.ExitCode.ShouldBe((int)ExitCode.NotFound);
        result.Stderr.ShouldContain("no case");
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
    public async Task CaseList_WithoutAll_PrintsTheFirstPageAndSaysHowToGetMore()
    {
        for (var i = 0; i < 5; i++)
        {
            _server.Seed($"case {i}");
        }

        var result = await RunAsync(false, "case", "list", "--limit", "2");

        result.ExitCode.ShouldBe(0, result.Stderr);
        result.Lines.Skip(1).Select(l => l.Split('\t')[3]).ShouldBe(["case 0", "case 1"]);
        result.Stderr.ShouldContain("more cases follow after these 2; add --all to follow every page");
    }

    [Fact]
    public async Task CaseList_All_FollowsEveryCursorInOrder()
    {
        for (var i = 0; i < 5; i++)
        {
            _server.Seed($"case {i}");
        }

        var table = await RunAsync(false, "case", "list", "--limit", "2", "--all");
        var json = await RunAsync(false, "case", "list", "--limit", "2", "--all", "--json");

        table.ExitCode.ShouldBe(0, table.Stderr);
        table.Lines.Skip(1).Select(l => l.Split('\t')[3]).ShouldBe(["case 0", "case 1", "case 2", "case 3", "case 4"]);
        table.Stderr.ShouldBeEmpty();
        var page = JsonDocument.Parse(json.Stdout).RootElement;
        page.GetProperty("items").GetArrayLength().ShouldBe(5);
        page.GetProperty("next").ValueKind.ShouldBe(JsonValueKind.Null);
        _server.Queries.Take(3).ShouldBe(["?limit=2", "?limit=2&cursor=c2", "?limit=2&cursor=c4"]);
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
    public async Task CaseHistory_All_ListsEveryEventInOrder()
    {
        var (id, involvement) = _server.Seed("History canary");
        (await RunAsync(false, "case", "transition", id.ToString(), "--involvement", involvement.ToString(), "--to", "mitigating")).ExitCode.ShouldBe(0);
        (await RunAsync(false, "case", "transition", id.ToString(), "--involvement", involvement.ToString(), "--to", "verifying")).ExitCode.ShouldBe(0);

        var result = await RunAsync(false, "case", "history", id.ToString(), "--limit", "1", "--all");

        result.ExitCode.ShouldBe(0, result.Stderr);
        result.Lines[0].ShouldBe("seq\ttime\ttype\tobject\tactor\tchanges");
        result.Lines.Skip(1).Select(l => l.Split('\t')[^1]).ShouldBe(["status: decided -> mitigating", "status: mitigating -> verifying"]);
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

    [Fact]
    public async Task CaseTransition_StaleIfMatch_Exits13SayingReadItAgain()
    {
        var (id, involvement) = _server.Seed("Stale canary");

        var result = await RunAsync(false, "case", "transition", id.ToString(), "--involvement", involvement.ToString(), "--to", "mitigating", "--if-match", "\"c1.0\"");

        result.ExitCode.ShouldBe((int)ExitCode.StaleVersion);
        result.Stderr.ShouldContain("its ETag is now \"c1.1\"");
        result.Stderr.ShouldContain("read it again and retry");
        _server.IfMatches.ShouldBe(["\"c1.0\""]);
    }

    [Fact]
    public async Task CaseTransition_IllegalMove_Exits1NamingTheStatusesAllowed()
    {
        var (id, involvement) = _server.Seed("Illegal canary", involvementStatus: "verifying");

        var result = await RunAsync(false, "case", "transition", id.ToString(), "--involvement", involvement.ToString(), "--to", "decided");

        result.ExitCode.ShouldBe((int)ExitCode.InvalidInput);
        result.Stderr.ShouldContain("an involvement in status verifying cannot move to decided");
        result.Stderr.ShouldContain("allowed from here: closed, mitigating");
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
