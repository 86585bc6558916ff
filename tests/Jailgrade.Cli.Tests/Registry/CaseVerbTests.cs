using System.Net;
using System.Text.Json;
using Jailgrade.Cli.Hosting;
using Jailgrade.Cli.Tests.TestSupport;
using Jailgrade.Registry.Organizations;

namespace Jailgrade.Cli.Tests.Registry;

/// <summary>
/// The case verbs against a real registry server (<see cref="LiveRegistry"/>) with the parties of a
/// case: an authority's regulator, a reporter, a second reporter, and a lab with a release.
/// </summary>
public sealed class CaseVerbTests : IAsyncLifetime
{
    private const string Canary = "TQ7F3A-marker: a role-play framing, benign test text";

    private LiveRegistry _registry = null!;
    private LiveParty _regulator = null!;
    private LiveParty _reporter = null!;
    private LiveParty _otherReporter = null!;
    private LiveParty _lab = null!;
    private Guid _release;
    private string _technique = null!;

    public async Task InitializeAsync()
    {
        _registry = await LiveRegistry.StartAsync();
        _regulator = await _registry.AddPartyAsync("Authority", OrganizationKind.Authority, "reg", Role.Regulator);
        _reporter = await _registry.AddPartyAsync("Researchers", OrganizationKind.Research, "rep", Role.Reporter);
        _otherReporter = await _registry.AddPartyAsync("Other Researchers", OrganizationKind.Research, "rep2", Role.Reporter);
        _lab = await _registry.AddPartyAsync("Lab A", OrganizationKind.Lab, "a", Role.Lab);
        _release = await _registry.AddReleaseAsync(_lab.Organization, "a-1", "2026-10");
        _technique = Path.Combine(_registry.Root, "technique.txt");
        await File.WriteAllTextAsync(_technique, Canary);
    }

    public async Task DisposeAsync() => await _registry.DisposeAsync();

    [Fact]
    public async Task CaseCreate_TechniqueFromAFile_IsSentButNeverPrintedAndShowReportsTheNewCase()
    {
        var created = await _registry.RunAsync("case", "create", "--title", "Role-play unlocks synthesis canary", "--authority", _regulator.Organization.ToString(),
            "--lab", "Example Lab", "--model", "ex-1", "--technique-file", _technique, "--discovered-at", "2026-12-01T09:30:00+01:00", "--key-file", _reporter.KeyFile);

        created.ExitCode.ShouldBe(0, created.Stderr);
        (created.Stdout + created.Stderr).ShouldNotContain("TQ7F3A-marker");
        created.Lines[0].ShouldBe("id\tstatus\tcreated\ttitle\tlab_as_reported\tmodel_as_reported\treporter\tauthority\tresolution\tinvolvements\tetag");
        var id = created.Lines[1].Split('\t')[0];
        var shown = await _registry.RunAsync("case", "show", id, "--key-file", _reporter.KeyFile);
        shown.ExitCode.ShouldBe(0, shown.Stderr);
        var row = shown.Lines[1].Split('\t');
        row[0].ShouldBe(id);
        row[1].ShouldBe("reported");
        row[3..8].ShouldBe(["Role-play unlocks synthesis canary", "Example Lab", "ex-1", _reporter.Organization.ToString(), _regulator.Organization.ToString()]);
        shown.Stdout.ShouldNotContain("TQ7F3A-marker");
        var json = JsonDocument.Parse((await _registry.RunAsync("case", "show", id, "--json", "--key-file", _reporter.KeyFile)).Stdout).RootElement;
        json.GetProperty("discoveredAt").GetString().ShouldBe("2026-12-01T08:30:00.000Z");
        using var technique = await _registry.SendAsync(HttpMethod.Get, $"api/v1/cases/{id}/technique", _reporter.Key);
        JsonDocument.Parse(await technique.Content.ReadAsStringAsync()).RootElement.GetProperty("technique").GetString().ShouldBe(Canary);
    }

    [Fact]
    public async Task CaseList_WithoutAll_PrintsTheFirstPageAndSaysHowToGetMore()
    {
        await FileAsync(5);

        var result = await _registry.RunAsync("case", "list", "--limit", "2", "--key-file", _reporter.KeyFile);

        result.ExitCode.ShouldBe(0, result.Stderr);
        result.Lines.Skip(1).Select(l => l.Split('\t')[0]).ShouldBe((await ServerOrderAsync()).Take(2));
        result.Stderr.ShouldContain("more cases follow after these 2; add --all to follow every page");
    }

    [Fact]
    public async Task CaseList_All_FollowsTheServersCursorsOverEveryPage()
    {
        await FileAsync(5);

        var table = await _registry.RunAsync("case", "list", "--limit", "2", "--all", "--key-file", _reporter.KeyFile);
        var json = await _registry.RunAsync("case", "list", "--limit", "2", "--all", "--json", "--key-file", _reporter.KeyFile);

        table.ExitCode.ShouldBe(0, table.Stderr);
        table.Lines.Skip(1).Select(l => l.Split('\t')[0]).ShouldBe(await ServerOrderAsync());
        table.Lines.Skip(1).Select(l => l.Split('\t')[3]).Order(StringComparer.Ordinal).ShouldBe(["case 0", "case 1", "case 2", "case 3", "case 4"]);
        table.Stderr.ShouldBeEmpty();
        var page = JsonDocument.Parse(json.Stdout).RootElement;
        page.GetProperty("items").GetArrayLength().ShouldBe(5);
        page.GetProperty("next").ValueKind.ShouldBe(JsonValueKind.Null);
    }

    [Fact]
    public async Task CaseList_StatusTriaged_ListsOnlyTheTriagedCases()
    {
        var ids = await FileAsync(2);
        await TriageAsync(ids[1]);

        var result = await _registry.RunAsync("case", "list", "--status", "triaged", "--key-file", _reporter.KeyFile);

        result.ExitCode.ShouldBe(0, result.Stderr);
        result.Lines.Skip(1).Select(l => l.Split('\t')[0..2]).ShouldHaveSingleItem().ShouldBe([ids[1], "triaged"]);
    }

    [Fact]
    public async Task CaseHistory_ListsTheCasesEventsInOrder()
    {
        var id = (await FileAsync(1))[0];
        var involvement = await TriageAsync(id);
        (await TransitionAsync(id, involvement, "mitigating")).ExitCode.ShouldBe(0);

        var result = await _registry.RunAsync("case", "history", id, "--limit", "1", "--all", "--key-file", _regulator.KeyFile);

        result.ExitCode.ShouldBe(0, result.Stderr);
        result.Lines[0].ShouldBe("seq\ttime\ttype\tobject\tactor\tchanges");
        result.Lines.Skip(1).Select(l => l.Split('\t')[2]).ShouldBe(["case.created", "case.triaged", "involvement.created", "involvement.transitioned"]);
        result.Lines[^1].ShouldEndWith("status: triaged -> mitigating");
        result.Stdout.ShouldNotContain("TQ7F3A-marker");
    }

    [Fact]
    public async Task CaseTransition_TriagedToMitigatingByTheLab_ShowsTheNewStatus()
    {
        var id = (await FileAsync(1))[0];
        var involvement = await TriageAsync(id);

        var result = await TransitionAsync(id, involvement, "mitigating");

        result.ExitCode.ShouldBe(0, result.Stderr);
        var row = result.Lines[1].Split('\t');
        row[1].ShouldBe("mitigating");
        row[^2].ShouldBe($"{involvement}=mitigating");
        var shown = await _registry.RunAsync(terminal: true, [], "case", "show", id, "--key-file", _lab.KeyFile);
        shown.ExitCode.ShouldBe(0, shown.Stderr);
        shown.Stdout.ShouldContain($"involvement   {involvement}");
        shown.Stdout.ShouldContain($"releases      {_release}");
    }

    [Fact]
    public async Task CaseTransition_IllegalMove_Exits1NamingTheStatusesAllowed()
    {
        var id = (await FileAsync(1))[0];
        var involvement = await TriageAsync(id);

        var result = await TransitionAsync(id, involvement, "closed");

        result.ExitCode.ShouldBe((int)ExitCode.InvalidInput, result.Stderr);
        result.Stderr.ShouldContain("answered 409");
        result.Stderr.ShouldContain("allowed from here: mitigating");
        result.Stdout.ShouldBeEmpty();
    }

    [Fact]
    public async Task CaseTransition_StaleIfMatch_Exits13SayingReadItAgain()
    {
        var id = (await FileAsync(1))[0];
        var involvement = await TriageAsync(id);
        var before = (await _registry.RunAsync("case", "show", id, "--key-file", _lab.KeyFile)).Lines[1].Split('\t')[^1];
        (await TransitionAsync(id, involvement, "mitigating")).ExitCode.ShouldBe(0);

        var result = await TransitionAsync(id, involvement, "verifying", "--if-match", before);

        result.ExitCode.ShouldBe((int)ExitCode.StaleVersion, result.Stderr);
        result.Stderr.ShouldContain("read it again and retry");
        result.Stdout.ShouldBeEmpty();
        (await _registry.RunAsync("case", "show", id, "--key-file", _lab.KeyFile)).Lines[1].Split('\t')[1].ShouldBe("mitigating");
    }

    [Fact]
    public async Task CaseShow_AnotherOrganizationsCase_Exits12AsAMissingOne()
    {
        var id = (await FileAsync(1, _otherReporter))[0];

        var absent = Guid.NewGuid().ToString();

        var foreign = await _registry.RunAsync("case", "show", id, "--key-file", _reporter.KeyFile);
        var missing = await _registry.RunAsync("case", "show", absent, "--key-file", _reporter.KeyFile);

        foreign.ExitCode.ShouldBe((int)ExitCode.NotFound, foreign.Stderr);
        missing.ExitCode.ShouldBe((int)ExitCode.NotFound, missing.Stderr);
        foreign.Stderr.Replace(id, "ID", StringComparison.Ordinal).ShouldBe(missing.Stderr.Replace(absent, "ID", StringComparison.Ordinal));
        foreign.Stdout.ShouldBeEmpty();
    }

    /// <summary>Files <paramref name="count"/> cases titled "case 0", "case 1", ... through the verb; returns their ids.</summary>
    private async Task<string[]> FileAsync(int count, LiveParty? reporter = null)
    {
        var ids = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var created = await _registry.RunAsync("case", "create", "--title", $"case {i}", "--authority", _regulator.Organization.ToString(),
                "--lab", "Lab A", "--model", "a-1", "--technique-file", _technique, "--key-file", (reporter ?? _reporter).KeyFile);
            created.ExitCode.ShouldBe(0, created.Stderr);
            ids.Add(created.Lines[1].Split('\t')[0]);
        }

        return [.. ids];
    }

    /// <summary>The regulator triages a case to the lab (no verb does this yet); returns the new involvement's id.</summary>
    private async Task<string> TriageAsync(string id)
    {
        using var read = await _registry.SendAsync(HttpMethod.Get, $"api/v1/cases/{id}", _regulator.Key);
        read.StatusCode.ShouldBe(HttpStatusCode.OK);
        var json = JsonSerializer.Serialize(new { involvements = new[] { new { lab = _lab.Organization, releases = new[] { _release } } }, auditors = Array.Empty<Guid>() });
        using var triaged = await _registry.SendAsync(HttpMethod.Post, $"api/v1/cases/{id}/triage", _regulator.Key, json, read.Headers.ETag!.Tag);
        var body = await triaged.Content.ReadAsStringAsync();
        triaged.StatusCode.ShouldBe(HttpStatusCode.OK, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("involvements")[0].GetProperty("id").GetString()!;
    }

    private Task<CliResult> TransitionAsync(string id, string involvement, string to, params string[] more) =>
        _registry.RunAsync([.. new[] { "case", "transition", id, "--involvement", involvement, "--to", to, "--key-file", _lab.KeyFile }, .. more]);

    /// <summary>The reporter's cases in the server's own order, read in one page straight from the API.</summary>
    private async Task<string[]> ServerOrderAsync()
    {
        using var response = await _registry.SendAsync(HttpMethod.Get, "api/v1/cases?limit=200", _reporter.Key);
        var page = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        page.GetProperty("next").ValueKind.ShouldBe(JsonValueKind.Null);
        return [.. page.GetProperty("items").EnumerateArray().Select(c => c.GetProperty("id").GetString()!)];
    }
}
