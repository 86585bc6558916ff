using System.Net;
using System.Text.Json;
using Jailgrade.Registry.Persistence;
using Jailgrade.Registry.Tests.Cases;
using Jailgrade.Registry.Tests.TestSupport;
using Jailgrade.Server.Tests.Cases;

namespace Jailgrade.Server.Tests.Releases;

/// <summary>
/// Models and releases follow the regulator scope and the cases a caller sees (docs/registry.md, "Models and
/// releases"); and a scoped regulator's case list, a union of several searches, holds each case once.
/// The world: Lab A's release offered in US and DE, Lab B's in FR.
/// </summary>
public class ReleaseVisibilityTests
{
    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [PostgresData]
    public async Task AuditorAndReporter_SeeTheReleasesLinkedToTheirCases_AndTheirModels_NoOther(DatabaseProvider provider)
    {
        await using var api = await CaseApi.StartAsync(provider);
        var world = api.World;
        var unlinked = await ReleaseAsync(api, world.LabA, world.ReleaseA, "2027-01", "JP");

        foreach (var party in new[] { world.Auditor, world.Reporter })
        {
            (await ReleasesAsync(api, party)).ShouldBeEmpty($"{party.Name} sees no case yet");
        }

        await api.TwoLabCaseAsync();

        foreach (var party in new[] { world.Auditor, world.Reporter })
        {
            (await ReleasesAsync(api, party)).Order().ShouldBe(new[] { world.ReleaseA, world.ReleaseB }.Order(), party.Name);
            (await ModelNamesAsync(api, party)).Order().ToList().ShouldBe(["a-1", "b-1"], party.Name);
            (await api.GetJsonAsync($"/api/v1/releases/{world.ReleaseB}", party)).GetProperty("modelName").GetString().ShouldBe("b-1");
            // The world's releases were seeded without events: the history is empty, but it answers.
            (await api.GetJsonAsync($"/api/v1/releases/{world.ReleaseB}/history", party)).GetProperty("items").GetArrayLength().ShouldBe(0);
            await ShouldBe404Async(api, $"/api/v1/releases/{unlinked}", party);
            await ShouldBe404Async(api, $"/api/v1/releases/{unlinked}/history", party);
        }

        (await ReleasesAsync(api, world.OtherReporter)).ShouldBeEmpty("the other research group reported nothing");
        (await ModelNamesAsync(api, world.OtherReporter)).ShouldBeEmpty();
        await ShouldBe404Async(api, $"/api/v1/releases/{world.ReleaseA}", world.OtherReporter);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [PostgresData]
    public async Task ScopedRegulator_SeesItsLabs_ItsRegions_AndTheReleasesOfItsCases(DatabaseProvider provider)
    {
        await using var api = await CaseApi.StartAsync(provider);
        var world = api.World;
        var regulator = world.OtherRegulator;
        var japan = await ReleaseAsync(api, world.LabA, world.ReleaseA, "2027-01", "JP");

        (await ReleasesAsync(api, regulator)).Order().ShouldBe(new[] { world.ReleaseA, world.ReleaseB, japan }.Order(), "no scope row: all");

        await ScopeAsync(api, regulator.Organization, $$"""[{"kind":"organization","organization":"{{world.LabA.Organization}}"}]""");
        (await ReleasesAsync(api, regulator)).Order().ShouldBe(new[] { world.ReleaseA, japan }.Order(), "Lab A's");
        (await ModelNamesAsync(api, regulator)).ShouldBe(["a-1"]);
        await ShouldBe404Async(api, $"/api/v1/releases/{world.ReleaseB}", regulator);

        await ScopeAsync(api, regulator.Organization, """[{"kind":"jurisdiction","jurisdiction":"FR"}]""");
        (await ReleasesAsync(api, regulator)).ShouldBe([world.ReleaseB], "offered in FR");
        (await ModelNamesAsync(api, regulator)).ShouldBe(["b-1"]);
        await ShouldBe404Async(api, $"/api/v1/releases/{world.ReleaseA}/history", regulator);

        await ScopeAsync(api, regulator.Organization, """[{"kind":"jurisdiction","jurisdiction":"DE"}]""");
        (await ReleasesAsync(api, regulator)).ShouldBe([world.ReleaseA], "offered in US and DE; the JP release of the same model is not");
        (await ModelNamesAsync(api, regulator)).ShouldBe(["a-1"], "the model of a release it sees");
        await ShouldBe404Async(api, $"/api/v1/releases/{japan}", regulator);

        await ScopeAsync(api, regulator.Organization, """[{"kind":"jurisdiction","jurisdiction":"E"}]""", expect: HttpStatusCode.UnprocessableEntity);

        // The authority a case was filed with sees the case whatever its scope, and so the releases linked to it.
        await ScopeAsync(api, world.Regulator.Organization, """[{"kind":"jurisdiction","jurisdiction":"CA"}]""");
        (await ReleasesAsync(api, world.Regulator)).ShouldBeEmpty("no release is offered in CA");
        await api.TwoLabCaseAsync();
        (await ReleasesAsync(api, world.Regulator)).Order().ShouldBe(new[] { world.ReleaseA, world.ReleaseB }.Order(), "the releases of the case filed with it");
        await ShouldBe404Async(api, $"/api/v1/releases/{japan}", world.Regulator);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [PostgresData]
    public async Task CaseList_ScopedRegulator_HoldsEachCaseOnce_WhateverBranchesItIsIn_PageByPage(DatabaseProvider provider)
    {
        await using var api = await CaseApi.StartAsync(provider);
        var world = api.World;
        var regulator = world.OtherRegulator;
        List<Guid> cases = [];
        for (var n = 0; n < 4; n++)
        {
            cases.Add(await api.TwoLabCaseAsync());
        }

        // One the regulator reported itself, also in every branch of its scope.
        cases.Add(await api.TwoLabCaseAsync(reporter: regulator));
        // Each two-lab case is in the scope four times over: both labs, and a region of each lab's release.
        await ScopeAsync(api, regulator.Organization, $$"""
            [{"kind":"organization","organization":"{{world.LabA.Organization}}"},{"kind":"organization","organization":"{{world.LabB.Organization}}"},
             {"kind":"jurisdiction","jurisdiction":"FR"},{"kind":"jurisdiction","jurisdiction":"US"},{"kind":"jurisdiction","jurisdiction":"DE"}]
            """);

        var whole = await CaseIdsAsync(api, regulator, "?limit=200");
        whole.Order().ShouldBe(cases.Order());
        List<Guid> paged = [];
        string? next = null;
        do
        {
            var page = await api.GetJsonAsync($"/api/v1/cases?limit=2{(next is null ? "" : $"&cursor={next}")}", regulator);
            paged.AddRange(page.GetProperty("items").EnumerateArray().Select(c => c.GetProperty("id").GetGuid()));
            next = page.GetProperty("next").GetString();
        }
        while (next is not null);

        paged.ShouldBe(whole, "pages of two in the order of one page of all, each case once");
    }

    private static async Task<List<Guid>> CaseIdsAsync(CaseApi api, Party party, string query) =>
        [.. (await api.GetJsonAsync($"/api/v1/cases{query}", party)).GetProperty("items").EnumerateArray().Select(c => c.GetProperty("id").GetGuid())];

    private static async Task<List<Guid>> ReleasesAsync(CaseApi api, Party party) =>
        [.. (await api.GetJsonAsync("/api/v1/releases", party)).GetProperty("items").EnumerateArray().Select(r => r.GetProperty("id").GetGuid())];

    private static async Task<List<string?>> ModelNamesAsync(CaseApi api, Party party) =>
        [.. (await api.GetJsonAsync("/api/v1/models", party)).GetProperty("items").EnumerateArray().Select(m => m.GetProperty("name").GetString())];

    private static async Task ShouldBe404Async(CaseApi api, string path, Party party)
    {
        using var response = await api.SendAsync(HttpMethod.Get, path, party);
        response.StatusCode.ShouldBe(HttpStatusCode.NotFound, $"{path} as {party.Name}");
    }

    /// <summary>A new release of the model of <paramref name="sibling"/>, by its lab, offered in <paramref name="region"/>.</summary>
    private static async Task<Guid> ReleaseAsync(CaseApi api, Party lab, Guid sibling, string version, string region)
    {
        var model = (await api.GetJsonAsync($"/api/v1/releases/{sibling}", lab)).GetProperty("model").GetGuid();
        using var response = await api.SendAsync(HttpMethod.Post, $"/api/v1/models/{model}/releases", lab, $$"""{"version":"{{version}}","exposure":"G","regions":["{{region}}"]}""");
        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await CaseApi.JsonAsync(response)).GetProperty("id").GetGuid();
    }

    /// <summary>Sets an authority's scope through the API, as the administrator, with the ETag it reads first.</summary>
    internal static async Task ScopeAsync(CaseApi api, Guid authority, string scope, HttpStatusCode expect = HttpStatusCode.OK)
    {
        var path = $"/api/v1/authorities/{authority}/scope";
        using var current = await api.Registry.SendAsync(HttpMethod.Get, path, api.Registry.AdminKey);
        using var response = await api.Registry.SendAsync(HttpMethod.Put, path, api.Registry.AdminKey, $$"""{"scope":{{scope}}}""", current.Headers.ETag!.Tag);
        response.StatusCode.ShouldBe(expect, await response.Content.ReadAsStringAsync());
    }
}
