using System.Net;
using System.Text.Json;
using Jailgrade.Registry.Accreditation;
using Jailgrade.Registry.Organizations;
using Jailgrade.Registry.Persistence;
using Jailgrade.Registry.Releases;
using Jailgrade.Registry.Tests.Cases;
using Jailgrade.Registry.Tests.TestSupport;
using Jailgrade.Server.Tests.Cases;

namespace Jailgrade.Server.Tests.Lists;

/// <summary>
/// Every list that is not the case list (docs/api.md, "Pagination"): organizations, users, models,
/// releases, accreditations and each object's history page the same way, behind the same opaque cursor.
/// </summary>
public class ListPagingTests
{
    // Every paged list: its path, a filter it takes (for a cursor with other filters) and the table a row is added to.
    private static readonly string[] Lists = ["/api/v1/orgs", "/api/v1/users", "/api/v1/models", "/api/v1/releases", "/api/v1/accreditations"];

    private static readonly Dictionary<string, string> OtherFilter = new(StringComparer.Ordinal)
    {
        ["/api/v1/orgs"] = "kind=lab",
        ["/api/v1/users"] = "role=lab",
        ["/api/v1/models"] = "lab=0b5c5a8e-5a8e-4b5c-8e5a-5c0b5a8e4b5c",
        ["/api/v1/releases"] = "lab=0b5c5a8e-5a8e-4b5c-8e5a-5c0b5a8e4b5c",
        ["/api/v1/accreditations"] = "active=true",
    };

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [PostgresData]
    public async Task EveryList_RowsAddedBetweenPages_EachItemOnceNoneRepeated(DatabaseProvider provider)
    {
        await using var api = await CaseApi.StartAsync(provider);
        var admin = Admin(api);
        foreach (var list in Lists)
        {
            for (var i = 0; i < 5; i++)
            {
                await AddAsync(api, list, $"{i}", api.Registry.Time.GetUtcNow());
                // Two rows share each millisecond, so the id breaks ties between pages too.
                if (i % 2 == 1)
                {
                    api.Registry.Time.Advance(TimeSpan.FromSeconds(1));
                }
            }

            var before = Ids(await api.GetJsonAsync($"{list}?limit=200", admin));
            before.Count.ShouldBeGreaterThan(4, list);

            // Between the pages: a row that sorts before the first page's end (written by a server whose clock is an
            // hour behind: an offset would now repeat an item) and one that sorts after everything (it must come).
            Guid early = default, late = default;
            var seen = Ids(await EveryPageAsync(api, list, admin, async () =>
            {
                early = await AddAsync(api, list, "early", api.Registry.Time.GetUtcNow().AddHours(-1));
                api.Registry.Time.Advance(TimeSpan.FromSeconds(1));
                late = await AddAsync(api, list, "late", api.Registry.Time.GetUtcNow());
            }));

            seen.Distinct().Count().ShouldBe(seen.Count, $"{list} repeated an item");
            seen.ShouldBe([.. before, late], $"{list}: every item once, in (created, id) order, the later row last");
            seen.ShouldNotContain(early);
        }
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [PostgresData]
    public async Task History_EventsWrittenBetweenPages_EachEventOnceInOrder(DatabaseProvider provider)
    {
        await using var api = await CaseApi.StartAsync(provider);
        var admin = Admin(api);
        var org = api.World.LabA.Organization;
        for (var i = 0; i < 4; i++)
        {
            await RenameAsync(api, org, $"Lab A {i}");
        }

        var path = $"/api/v1/orgs/{org}/history";
        var seen = Seqs(await EveryPageAsync(api, path, admin, () => RenameAsync(api, org, "Lab A between pages")));

        var all = Seqs(await api.GetJsonAsync($"{path}?limit=200", admin));
        all.Count.ShouldBeGreaterThan(5, "created, four renames and the one between pages");
        seen.ShouldBe(all);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [PostgresData]
    public async Task Cursor_TamperedFromAnotherCallerOrWithOtherFilters_Is400NamingCursor(DatabaseProvider provider)
    {
        await using var api = await CaseApi.StartAsync(provider);
        var admin = Admin(api);
        await RenameAsync(api, api.World.LabA.Organization, "Lab A renamed");
        var history = $"/api/v1/orgs/{api.World.LabA.Organization}/history";
        foreach (var (list, other) in OtherFilter.Append(KeyValuePair.Create(history, "changed_since=2026-01-01T00:00:00.000Z")))
        {
            await AddAsync(api, list, "x", api.Registry.Time.GetUtcNow());
            await AddAsync(api, list, "y", api.Registry.Time.GetUtcNow());
            var next = (await api.GetJsonAsync($"{list}?limit=1", admin)).GetProperty("next").GetString()!;

            using var same = await api.SendAsync(HttpMethod.Get, $"{list}?limit=1&cursor={next}", admin);
            using var otherCaller = await api.SendAsync(HttpMethod.Get, $"{list}?limit=1&cursor={next}", api.World.Regulator);
            using var otherFilters = await api.SendAsync(HttpMethod.Get, $"{list}?limit=1&{other}&cursor={next}", admin);
            using var tampered = await api.SendAsync(HttpMethod.Get, $"{list}?limit=1&cursor={(next[0] == 'A' ? 'B' : 'A')}{next[1..]}", admin);
            using var otherLimit = await api.SendAsync(HttpMethod.Get, $"{list}?limit=2&cursor={next}", admin);

            same.StatusCode.ShouldBe(HttpStatusCode.OK, list);
            otherLimit.StatusCode.ShouldBe(HttpStatusCode.OK, $"{list}: the page size is not a filter");
            foreach (var (refused, why) in new[] { (otherCaller, "another caller"), (otherFilters, "other filters"), (tampered, "tampered") })
            {
                refused.StatusCode.ShouldBe(HttpStatusCode.BadRequest, $"{list}, {why}");
                (await CaseApi.JsonAsync(refused)).GetProperty("field").GetString().ShouldBe("cursor", $"{list}, {why}");
            }
        }
    }

    [Theory]
    [InlineData("limit=0", 422, "limit")]
    [InlineData("limit=201", 422, "limit")]
    [InlineData("limit=ten", 422, "limit")]
    [InlineData("cursor=bm90LWEtY3Vyc29y", 400, "cursor")]
    [InlineData("owner=me", 400, "owner")]
    public async Task EveryList_BadLimitCursorOrParameter_IsAProblemNamingIt(string query, int status, string named)
    {
        await using var api = await CaseApi.StartAsync();
        foreach (var list in Lists.Append($"/api/v1/orgs/{api.World.LabA.Organization}/history").Append($"/api/v1/releases/{api.World.ReleaseA}/history"))
        {
            using var response = await api.SendAsync(HttpMethod.Get, $"{list}?{query}", Admin(api));

            ((int)response.StatusCode).ShouldBe(status, list);
            var problem = await CaseApi.JsonAsync(response);
            (problem.TryGetProperty("field", out var field) ? field.GetString() : problem.GetProperty("detail").GetString()).ShouldNotBeNull().ShouldContain(named);
        }
    }

    [Fact]
    public async Task EveryList_Limit_DefaultsTo50AndServesUpTo200()
    {
        await using var api = await CaseApi.StartAsync();
        for (var i = 0; i < 205; i++)
        {
            await AddAsync(api, "/api/v1/orgs", $"{i}", api.Registry.Time.GetUtcNow());
        }

        var byDefault = await api.GetJsonAsync("/api/v1/orgs", Admin(api));
        var most = await api.GetJsonAsync("/api/v1/orgs?limit=200", Admin(api));

        Ids(byDefault).Count.ShouldBe(50);
        byDefault.GetProperty("next").ValueKind.ShouldBe(JsonValueKind.String);
        Ids(most).Count.ShouldBe(200);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [PostgresData]
    public async Task Filters_NarrowEachListAfterTheCallersPredicate(DatabaseProvider provider)
    {
        await using var api = await CaseApi.StartAsync(provider);
        var (admin, world) = (Admin(api), api.World);
        var since = api.Registry.Time.GetUtcNow().AddSeconds(1);
        api.Registry.Time.Advance(TimeSpan.FromSeconds(2));
        await RenameAsync(api, world.LabB.Organization, "Lab B renamed");
        var active = await AddAsync(api, "/api/v1/accreditations", "active", api.Registry.Time.GetUtcNow());
        var lapsed = await AddAsync(api, "/api/v1/accreditations", "lapsed", api.Registry.Time.GetUtcNow().AddYears(-3));
        var t = Uri.EscapeDataString(since.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture));

        var labs = await ItemsAsync(api, "/api/v1/orgs?kind=lab", admin);
        labs.ShouldContain(world.LabA.Organization);
        labs.ShouldContain(world.LabB.Organization);
        labs.ShouldNotContain(world.Regulator.Organization);
        labs.ShouldNotContain(world.Auditor.Organization);
        (await ItemsAsync(api, $"/api/v1/orgs?changed_since={t}", admin)).ShouldBe([world.LabB.Organization]);
        (await ItemsAsync(api, $"/api/v1/orgs?kind=lab", world.LabA)).ShouldBe([world.LabA.Organization], "the caller's predicate first");
        (await ItemsAsync(api, $"/api/v1/users?organization={world.LabB.Organization}", admin)).ShouldBe([world.LabB.User]);
        (await ItemsAsync(api, $"/api/v1/users?organization={world.LabB.Organization}", world.LabA)).ShouldBeEmpty("Lab B's users are not Lab A's to see");
        (await ItemsAsync(api, "/api/v1/users?role=auditor", admin)).ShouldBe([world.Auditor.User]);
        (await ItemsAsync(api, $"/api/v1/releases?lab={world.LabB.Organization}", admin)).ShouldBe([world.ReleaseB]);
        (await ItemsAsync(api, $"/api/v1/releases?lab={world.LabB.Organization}", world.LabA)).ShouldBeEmpty();
        var modelB = (await api.GetJsonAsync($"/api/v1/releases/{world.ReleaseB}", admin)).GetProperty("model").GetGuid();
        (await ItemsAsync(api, $"/api/v1/releases?model={modelB}", admin)).ShouldBe([world.ReleaseB]);
        (await ItemsAsync(api, $"/api/v1/models?lab={world.LabB.Organization}", admin)).ShouldBe([modelB]);
        (await ItemsAsync(api, "/api/v1/accreditations?active=true", admin)).ShouldBe([active]);
        (await ItemsAsync(api, "/api/v1/accreditations?active=false", admin)).ShouldBe([lapsed]);
        (await ItemsAsync(api, $"/api/v1/accreditations?auditor={world.Auditor.Organization}&active=true", admin)).ShouldBe([active]);
        (await ItemsAsync(api, "/api/v1/accreditations?active=true", world.LabA)).ShouldBeEmpty();
        var history = await api.GetJsonAsync($"/api/v1/orgs/{world.LabB.Organization}/history?changed_since={t}", admin);
        history.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("type").GetString()).ShouldBe(["organization.renamed"]);
    }

    private static Party Admin(CaseApi api) => new("Registry operator", Guid.Empty, Guid.Empty, Role.Admin, api.Registry.AdminKey);

    private static async Task RenameAsync(CaseApi api, Guid org, string name)
    {
        using var read = await api.SendAsync(HttpMethod.Get, $"/api/v1/orgs/{org}", Admin(api));
        using var renamed = await api.SendAsync(HttpMethod.Patch, $"/api/v1/orgs/{org}", Admin(api), JsonSerializer.Serialize(new { name }), read.Headers.ETag!.Tag);
        renamed.StatusCode.ShouldBe(HttpStatusCode.OK, await renamed.Content.ReadAsStringAsync());
    }

    /// <summary>Adds a row that <paramref name="list"/> serves, created at <paramref name="createdAt"/>, straight to the database; returns its id.</summary>
    private static async Task<Guid> AddAsync(CaseApi api, string list, string name, DateTimeOffset createdAt)
    {
        var world = api.World;
        var id = Guid.NewGuid();
        await using var db = api.Registry.Database.CreateContext();
        if (list.Contains("/history", StringComparison.Ordinal))
        {
            await RenameAsync(api, world.LabA.Organization, $"Lab A {name} {id:N}");
            return id;
        }

        switch (list)
        {
            case "/api/v1/orgs":
                db.Organizations.Add(new Organization { Id = id, Name = $"Org {name} {id:N}", Kind = OrganizationKind.Research, CreatedAt = createdAt });
                break;
            case "/api/v1/users":
                db.Users.Add(new User { Id = id, OrganizationId = world.Reporter.Organization, Name = $"user {name} {id:N}", Role = Role.Reporter, CreatedAt = createdAt });
                break;
            case "/api/v1/models":
                db.Models.Add(new AiModel { Id = id, LabId = world.LabA.Organization, Name = $"model {name} {id:N}", CreatedAt = createdAt });
                break;
            case "/api/v1/releases":
                var model = db.Releases.Single(r => r.Id == world.ReleaseA).ModelId;
                db.Releases.Add(new Release { Id = id, ModelId = model, Version = $"v {name} {id:N}", Exposure = "G", Regions = "US", CreatedAt = createdAt });
                break;
            case "/api/v1/accreditations":
                db.Accreditations.Add(new AuditorAccreditation
                {
                    Id = id, AuditorId = world.Auditor.Organization, AuthorityId = world.Regulator.Organization,
                    ValidFrom = createdAt.AddDays(-1), ValidUntil = createdAt.AddYears(1), CreatedAt = createdAt,
                });
                db.AccreditationScopes.Add(new AccreditationScope { AccreditationId = id, Item = "catastrophic" });
                break;
            default:
                throw new ArgumentException($"no rows for {list}", nameof(list));
        }

        await db.SaveChangesAsync();
        return id;
    }

    /// <summary>Every page of <paramref name="path"/>, two items a page, running <paramref name="between"/> after the first.</summary>
    private static async Task<JsonElement> EveryPageAsync(CaseApi api, string path, Party party, Func<Task> between)
    {
        var first = await api.GetJsonAsync($"{path}?limit=2", party);
        var items = first.GetProperty("items").EnumerateArray().ToList();
        var next = first.GetProperty("next").GetString();
        await between();
        while (next is not null)
        {
            var page = await api.GetJsonAsync($"{path}?limit=2&cursor={next}", party);
            items.AddRange(page.GetProperty("items").EnumerateArray());
            next = page.GetProperty("next").GetString();
        }

        return JsonSerializer.SerializeToElement(new { items });
    }

    private static async Task<List<Guid>> ItemsAsync(CaseApi api, string path, Party party) => Ids(await api.GetJsonAsync(path, party));

    private static List<Guid> Ids(JsonElement page) => [.. page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetGuid())];

    private static List<long> Seqs(JsonElement page) => [.. page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("seq").GetInt64())];
}
