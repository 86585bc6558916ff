using System.Net;
using System.Text.Json;
using Jailgrade.Registry.Cases;
using Jailgrade.Registry.Identity;
using Jailgrade.Registry.Persistence;
using Jailgrade.Registry.Tests.Cases;
using Jailgrade.Registry.Tests.TestSupport;
using Microsoft.Extensions.Time.Testing;

namespace Jailgrade.Server.Tests.Cases;

/// <summary><c>GET /api/v1/cases</c>: filters on the caller's projection and keyset pages behind opaque cursors.</summary>
public class CaseListTests
{
    [Fact]
    public Task Pages_ACaseFiledBetweenPages_NeitherRepeatsNorSkipsAnItem_Sqlite() => PagesStayConsistent(DatabaseProvider.Sqlite);

    [PostgresFact]
    public Task Pages_ACaseFiledBetweenPages_NeitherRepeatsNorSkipsAnItem_Postgres() => PagesStayConsistent(DatabaseProvider.PostgreSql);

    [Fact]
    public Task Filters_ApplyToTheCallersProjection_Sqlite() => FiltersApplyToTheProjection(DatabaseProvider.Sqlite);

    [PostgresFact]
    public Task Filters_ApplyToTheCallersProjection_Postgres() => FiltersApplyToTheProjection(DatabaseProvider.PostgreSql);

    [Fact]
    public async Task Cursor_FromAnotherCallerOrWithOtherFilters_Is400()
    {
        await using var api = await CaseApi.StartAsync();
        for (var i = 0; i < 3; i++)
        {
            await api.FileAsync(api.World.Reporter);
        }

        var next = (await api.GetJsonAsync("/api/v1/cases?limit=1", api.World.Regulator)).GetProperty("next").GetString()!;

        using var sameCaller = await api.SendAsync(HttpMethod.Get, $"/api/v1/cases?limit=1&cursor={next}", api.World.Regulator);
        using var otherCaller = await api.SendAsync(HttpMethod.Get, $"/api/v1/cases?limit=1&cursor={next}", api.World.Reporter);
        using var otherFilters = await api.SendAsync(HttpMethod.Get, $"/api/v1/cases?limit=1&status=reported&cursor={next}", api.World.Regulator);
        using var tampered = await api.SendAsync(HttpMethod.Get, $"/api/v1/cases?limit=1&cursor={(next[0] == 'A' ? 'B' : 'A')}{next[1..]}", api.World.Regulator);

        sameCaller.StatusCode.ShouldBe(HttpStatusCode.OK);
        foreach (var refused in new[] { otherCaller, otherFilters, tampered })
        {
            refused.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
            (await CaseApi.JsonAsync(refused)).GetProperty("field").GetString().ShouldBe("cursor");
        }
    }

    [Theory]
    [InlineData("limit=0", 422, "limit")]
    [InlineData("limit=201", 422, "limit")]
    [InlineData("status=open", 422, "status")]
    [InlineData("lab=acme", 422, "lab")]
    [InlineData("changed_since=yesterday", 422, "changed_since")]
    [InlineData("owner=me", 400, "owner")]
    public async Task List_BadQuery_IsAProblemNamingTheParameter(string query, int status, string named)
    {
        await using var api = await CaseApi.StartAsync();

        using var response = await api.SendAsync(HttpMethod.Get, $"/api/v1/cases?{query}", api.World.Regulator);

        ((int)response.StatusCode).ShouldBe(status);
        (await response.Content.ReadAsStringAsync()).ShouldContain(named);
    }

    private static async Task PagesStayConsistent(DatabaseProvider provider)
    {
        await using var api = await CaseApi.StartAsync(provider);
        var filed = new List<Guid>();
        for (var i = 0; i < 5; i++)
        {
            filed.Add((await api.FileAsync(api.World.Reporter, title: $"case {i}")).Id);
            // Two cases share each millisecond, so the id breaks ties between pages too.
            if (i % 2 == 1)
            {
                api.Registry.Time.Advance(TimeSpan.FromSeconds(1));
            }
        }

        var first = await api.GetJsonAsync("/api/v1/cases?limit=3", api.World.Reporter);
        var seen = Ids(first);
        var next = first.GetProperty("next").GetString();
        // Filed between the pages, and sorting before the first page's end (a server whose clock is an
        // hour behind): an offset would now repeat an item on the next page; a keyset position does not.
        var late = await FileEarlierAsync(api);
        while (next is not null)
        {
            var page = await api.GetJsonAsync($"/api/v1/cases?limit=3&cursor={next}", api.World.Reporter);
            seen.AddRange(Ids(page));
            next = page.GetProperty("next").GetString();
        }

        seen.Order().ShouldBe(filed.Order());
        seen.Distinct().Count().ShouldBe(seen.Count);
        var all = await api.GetJsonAsync("/api/v1/cases?limit=200", api.World.Reporter);
        Ids(all).ShouldBe([late, .. seen]);
    }

    private static async Task<Guid> FileEarlierAsync(CaseApi api)
    {
        var clock = new FakeTimeProvider(api.Registry.Time.GetUtcNow().AddHours(-1));
        await using var db = api.Registry.Database.CreateContext();
        var service = new CaseService(db, clock, MasterKey.Load(api.Registry.MasterKeyPath));
        var result = await service.FileAsync(api.World.Reporter.Caller, new FileCaseRequest("filed between pages", api.World.Regulator.Organization, "Example Lab", "ex-1", "benign cue"));
        return result.ShouldBeOfType<CaseResult.Done>().Case.Header.Id;
    }

    private static async Task FiltersApplyToTheProjection(DatabaseProvider provider)
    {
        await using var api = await CaseApi.StartAsync(provider);
        var world = api.World;
        var twoLab = await api.TwoLabCaseAsync();
        api.Registry.Time.Advance(TimeSpan.FromHours(1));
        var untriaged = (await api.FileAsync(world.Reporter)).Id;
        var since = "2026-12-02T09:30:00.000Z";

        (await ListAsync(api, "status=reported", world.Regulator)).ShouldBe([untriaged]);
        (await ListAsync(api, "status=triaged", world.Regulator)).ShouldBe([twoLab]);
        (await ListAsync(api, $"lab={world.LabB.Organization}", world.Regulator)).ShouldBe([twoLab]);
        (await ListAsync(api, $"release={world.ReleaseA}", world.LabA)).ShouldBe([twoLab]);
        (await ListAsync(api, $"lab={world.LabB.Organization}", world.LabA)).ShouldBeEmpty();
        (await ListAsync(api, $"changed_since={since}", world.Regulator)).ShouldBe([untriaged]);

        // Lab B moves its part: for the regulator the case changed (by Lab B, since T); for Lab A nothing did.
        var (asB, etagB) = await api.GetAsync(twoLab, world.LabB);
        var involvementB = asB.GetProperty("involvements")[0].GetProperty("id").GetGuid();
        using (var moved = await api.SendAsync(HttpMethod.Post, $"/api/v1/cases/{twoLab}/involvements/{involvementB}/transition", world.LabB, """{"to":"mitigating"}""", etagB))
        {
            moved.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        (await ListAsync(api, $"changed_by={world.LabB.Organization}&changed_since={since}", world.Regulator)).ShouldBe([twoLab]);
        (await ListAsync(api, $"changed_by={world.LabB.Organization}&changed_since={since}", world.LabA)).ShouldBeEmpty();
        (await ListAsync(api, "status=triaged", world.Regulator)).ShouldBe([twoLab], "Lab A's part is still triaged");
        (await ListAsync(api, "status=triaged", world.LabA)).ShouldBe([twoLab]);
        (await ListAsync(api, "status=mitigating", world.LabB)).ShouldBe([twoLab]);
        (await ListAsync(api, "status=mitigating", world.Regulator)).ShouldBeEmpty();
    }

    private static async Task<List<Guid>> ListAsync(CaseApi api, string query, Party party) => Ids(await api.GetJsonAsync($"/api/v1/cases?{query}", party));

    private static List<Guid> Ids(JsonElement page) => [.. page.GetProperty("items").EnumerateArray().Select(c => c.GetProperty("id").GetGuid())];
}
