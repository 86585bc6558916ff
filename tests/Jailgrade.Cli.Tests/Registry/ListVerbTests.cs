using System.Net;
using System.Text.Json;
using Jailgrade.Cli.Hosting;
using Jailgrade.Registry.Organizations;

namespace Jailgrade.Cli.Tests.Registry;

/// <summary>
/// <c>org list</c>, <c>org history</c> and <c>users list</c> page like <c>case list</c>: against a real
/// server, the first page with a note on stderr, or with <c>--all</c> every page, following the server's
/// cursors; and a name resolves among every organization, not only the first page's.
/// </summary>
public sealed class ListVerbTests : IAsyncLifetime
{
    private LiveRegistry _registry = null!;

    public async Task InitializeAsync()
    {
        _registry = await LiveRegistry.StartAsync();
        for (var i = 0; i < 5; i++)
        {
            await _registry.AddPartyAsync($"Research {i}", OrganizationKind.Research, $"r{i}", Role.Reporter);
        }
    }

    public async Task DisposeAsync() => await _registry.DisposeAsync();

    [Fact]
    public async Task OrgList_WithoutAll_PrintsTheFirstPageAndSaysHowToGetMore()
    {
        var result = await _registry.RunAsync("org", "list", "--limit", "2", "--key-file", _registry.AdminKeyFile);

        result.ExitCode.ShouldBe(0, result.Stderr);
        result.Lines.Skip(1).Select(Id).ShouldBe((await ServerOrderAsync("orgs")).Take(2));
        result.Stderr.ShouldContain("more organizations follow after these 2; add --all to follow every page");
    }

    [Fact]
    public async Task OrgList_All_FollowsTheServersCursorsOverEveryPage()
    {
        var table = await _registry.RunAsync("org", "list", "--limit", "2", "--all", "--key-file", _registry.AdminKeyFile);
        var json = await _registry.RunAsync("org", "list", "--limit", "2", "--all", "--json", "--key-file", _registry.AdminKeyFile);

        table.ExitCode.ShouldBe(0, table.Stderr);
        var everyOrg = await ServerOrderAsync("orgs");
        everyOrg.Count.ShouldBe(7, "the operator, Example Lab and five research groups");
        table.Lines.Skip(1).Select(Id).ShouldBe(everyOrg);
        table.Stderr.ShouldBeEmpty();
        var page = JsonDocument.Parse(json.Stdout).RootElement;
        page.GetProperty("items").EnumerateArray().Select(o => o.GetProperty("id").GetString()).ShouldBe(everyOrg);
        page.GetProperty("next").ValueKind.ShouldBe(JsonValueKind.Null);
    }

    [Fact]
    public async Task OrgList_Kind_ListsOnlyThatKind()
    {
        var result = await _registry.RunAsync("org", "list", "--kind", "lab", "--all", "--key-file", _registry.AdminKeyFile);

        result.ExitCode.ShouldBe(0, result.Stderr);
        result.Lines.Skip(1).Select(l => l.Split('\t')[1]).ShouldBe(["Example Lab"]);
    }

    [Fact]
    public async Task OrgShow_ByNameBeyondTheFirstPage_FindsIt()
    {
        // More than the largest page (200): the name to find is created last, on a later page.
        await using (var db = _registry.Database.CreateContext())
        {
            var now = TimeProvider.System.GetUtcNow();
            db.Organizations.AddRange(Enumerable.Range(0, 201).Select(i => new Organization { Id = Guid.NewGuid(), Name = $"Lab {i:D3}", Kind = OrganizationKind.Lab, CreatedAt = now.AddMilliseconds(i) }));
            await db.SaveChangesAsync();
        }

        var result = await _registry.RunAsync("org", "show", "Lab 200", "--key-file", _registry.AdminKeyFile);

        result.ExitCode.ShouldBe(0, result.Stderr);
        result.Lines[1].Split('\t')[1].ShouldBe("Lab 200");
    }

    [Fact]
    public async Task OrgHistory_All_FollowsEveryPage()
    {
        foreach (var (from, to) in new[] { ("Example Lab", "Example Lab 2"), ("Example Lab 2", "Example Lab 3"), ("Example Lab 3", "Example Lab 4") })
        {
            (await _registry.RunAsync("org", "rename", from, "--name", to, "--key-file", _registry.AdminKeyFile)).ExitCode.ShouldBe(0);
        }

        var first = await _registry.RunAsync("org", "history", "Example Lab 4", "--limit", "2", "--key-file", _registry.AdminKeyFile);
        var all = await _registry.RunAsync("org", "history", "Example Lab 4", "--limit", "2", "--all", "--key-file", _registry.AdminKeyFile);

        first.Lines.Length.ShouldBe(3);
        first.Stderr.ShouldContain("more events follow after these 2");
        all.ExitCode.ShouldBe(0, all.Stderr);
        all.Lines.Skip(1).Select(l => l.Split('\t')[2]).ShouldBe(["organization.created", "organization.renamed", "organization.renamed", "organization.renamed"]);
        all.Stderr.ShouldBeEmpty();
    }

    [Fact]
    public async Task UsersList_All_FollowsEveryPageAndNamesEachOrganization()
    {
        var result = await _registry.RunAsync("users", "list", "--limit", "3", "--all", "--key-file", _registry.AdminKeyFile);

        result.ExitCode.ShouldBe(0, result.Stderr);
        var everyUser = await ServerOrderAsync("users");
        everyUser.Count.ShouldBe(7, "admin, alice and five reporters");
        result.Lines.Skip(1).Select(Id).ShouldBe(everyUser);
        result.Lines.Skip(1).Select(l => l.Split('\t')[3]).ShouldContain("Research 4");
        result.Stderr.ShouldBeEmpty();
    }

    [Fact]
    public async Task UsersList_OrgByNameAndRole_ListOnlyThoseUsers()
    {
        var ofOrg = await _registry.RunAsync("users", "list", "--org", "Research 3", "--key-file", _registry.AdminKeyFile);
        var ofRole = await _registry.RunAsync("users", "list", "--role", "lab", "--key-file", _registry.AdminKeyFile);

        ofOrg.ExitCode.ShouldBe(0, ofOrg.Stderr);
        ofOrg.Lines.Skip(1).Select(l => l.Split('\t')[1]).ShouldBe(["r3"]);
        ofRole.Lines.Skip(1).Select(l => l.Split('\t')[1]).ShouldBe(["alice"]);
    }

    [Theory]
    [InlineData("org", "0")]
    [InlineData("users", "201")]
    public async Task List_LimitOutOfRange_IsAUsageError(string noun, string limit)
    {
        var result = await _registry.RunAsync(noun, "list", "--limit", limit, "--key-file", _registry.AdminKeyFile);

        result.ExitCode.ShouldBe((int)ExitCode.UsageError);
        result.Stderr.ShouldContain($"--limit {limit}: expected 1 to 200 per page");
    }

    private static string Id(string line) => line.Split('\t')[0];

    // The ids the server lists, in its order, read in one page.
    private async Task<List<string>> ServerOrderAsync(string list)
    {
        using var response = await _registry.SendAsync(HttpMethod.Get, $"api/v1/{list}?limit=200", _registry.AdminKey);
        var page = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        page.GetProperty("next").ValueKind.ShouldBe(JsonValueKind.Null);
        return [.. page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()!)];
    }
}
