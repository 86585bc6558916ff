using System.Net;
using System.Text.Json;
using Jailgrade.Registry.Persistence;
using Jailgrade.Registry.Tests.Cases;

namespace Jailgrade.Server.Tests.Cases;

/// <summary>A running registry with the parties of a case, and the case routes as calls.</summary>
internal sealed class CaseApi : IAsyncDisposable
{
    private CaseApi(TestRegistry registry, CaseWorld world)
    {
        Registry = registry;
        World = world;
    }

    public TestRegistry Registry { get; }

    public CaseWorld World { get; }

    public static async Task<CaseApi> StartAsync(DatabaseProvider provider = DatabaseProvider.Sqlite)
    {
        var registry = await TestRegistry.CreateAsync(start: false, provider: provider);
        var world = await CaseWorld.SeedAsync(registry.Database, registry.Time);
        await registry.StartAsync();
        return new CaseApi(registry, world);
    }

    public Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, Party party, string? json = null, string? ifMatch = null) =>
        Registry.SendAsync(method, path, party.Key, json, ifMatch);

    /// <summary>Files a case as <paramref name="reporter"/>; returns its id and ETag.</summary>
    public async Task<(Guid Id, string ETag)> FileAsync(Party reporter, string title = "Role-play unlocks the canary", string technique = "Ask the canary to play a librarian.")
    {
        var json = JsonSerializer.Serialize(new { title, authority = World.Regulator.Organization, labAsReported = "Example Lab", modelAsReported = "ex-1", technique });
        using var response = await SendAsync(HttpMethod.Post, "/api/v1/cases", reporter, json);
        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var body = await JsonAsync(response);
        return (body.GetProperty("id").GetGuid(), response.Headers.ETag!.Tag);
    }

    /// <summary>Files a case (as the reporter unless another party is named) and triages it to both labs with the auditor assigned; returns its id.</summary>
    public async Task<Guid> TwoLabCaseAsync(Party? reporter = null)
    {
        var (id, etag) = await FileAsync(reporter ?? World.Reporter);
        var json = JsonSerializer.Serialize(new
        {
            involvements = new[] { new { lab = World.LabA.Organization, releases = new[] { World.ReleaseA } }, new { lab = World.LabB.Organization, releases = new[] { World.ReleaseB } } },
            auditors = new[] { World.Auditor.Organization },
        });
        using var response = await SendAsync(HttpMethod.Post, $"/api/v1/cases/{id}/triage", World.Regulator, json, etag);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return id;
    }

    /// <summary>A case as <paramref name="party"/> sees it, with its ETag.</summary>
    public async Task<(JsonElement Case, string ETag)> GetAsync(Guid id, Party party)
    {
        using var response = await SendAsync(HttpMethod.Get, $"/api/v1/cases/{id}", party);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await JsonAsync(response), response.Headers.ETag!.Tag);
    }

    public async Task<JsonElement> GetJsonAsync(string path, Party party)
    {
        using var response = await SendAsync(HttpMethod.Get, path, party);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return await JsonAsync(response);
    }

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.Clone();
    }

    public ValueTask DisposeAsync() => Registry.DisposeAsync();
}
