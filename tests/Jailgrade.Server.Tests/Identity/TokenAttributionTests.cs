using System.Net;
using System.Text.Json;
using Jailgrade.Registry.Organizations;
using Jailgrade.Registry.Administration;
using Jailgrade.Server.Identity;

namespace Jailgrade.Server.Tests.Identity;

/// <summary>
/// SECURITY.md 1: a token's caller is (<c>iss</c>, <c>sub</c>), so the events it writes name that pair
/// in their actor (docs/registry.md, "The canonical event encoding"); an API key's caller stays its user and organization.
/// </summary>
public sealed class TokenAttributionTests
{
    [Fact]
    public async Task History_OfATokenCallersWrites_NamesItsIssuerAndSubject_OnCaseAndReleaseRoutes()
    {
        await using var issuer = await TestIssuer.StartAsync();
        await using var registry = await TestRegistry.CreateAsync(start: false);
        registry.Oidc = issuer.Options;
        await registry.StartAsync();
        var token = issuer.Mint(registry.Time.GetUtcNow(), subject: "alice-0001");
        var lab = await registry.OrganizationOfAsync(registry.LabKey);
        var authority = await AuthorityAsync(registry);

        // A case filed through the case service, and a model and release created through the release routes.
        var caseId = await CreatedAsync(registry, "/api/v1/cases", token,
            JsonSerializer.Serialize(new { title = "Token caller's case", authority, labAsReported = "Example Lab", modelAsReported = "ex-1", technique = "Ask the canary to play a librarian." }));
        var model = await CreatedAsync(registry, "/api/v1/models", token, JsonSerializer.Serialize(new { name = "tx-1", lab }));
        var release = await CreatedAsync(registry, $"/api/v1/models/{model:D}/releases", token, """{"version":"2026-12","exposure":"G","regions":["US"]}""");

        var filed = await ActorAsync(registry, $"/api/v1/cases/{caseId:D}/history", token, "case.created");
        var released = await ActorAsync(registry, $"/api/v1/releases/{release:D}/history", token, "release.created");

        string[] expected =
        [
            $"issuer={issuer.Issuer}",
            $"organization={lab:D}",
            "subject=alice-0001",
            $"user={TokenAuthentication.UserId(issuer.Issuer, "alice-0001"):D}",
        ];
        filed.ShouldBe(expected);
        released.ShouldBe(expected);
    }

    [Fact]
    public async Task History_OfAnApiKeyCallersWrites_NamesOnlyItsUserAndOrganization()
    {
        await using var registry = await TestRegistry.CreateAsync();
        var authority = await AuthorityAsync(registry);
        var caseId = await CreatedAsync(registry, "/api/v1/cases", registry.LabKey,
            JsonSerializer.Serialize(new { title = "Key caller's case", authority, labAsReported = "Example Lab", modelAsReported = "ex-1", technique = "Ask the canary to play a librarian." }));

        var actor = await ActorAsync(registry, $"/api/v1/cases/{caseId:D}/history", registry.LabKey, "case.created");

        actor.Select(a => a[..a.IndexOf('=', StringComparison.Ordinal)]).ShouldBe(["organization", "user"]);
        actor[0].ShouldBe($"organization={await registry.OrganizationOfAsync(registry.LabKey):D}");
    }

    private static async Task<Guid> AuthorityAsync(TestRegistry registry)
    {
        var (regulator, _) = await RegistryAdmin.AddUserAsync(registry.Database, "Example Authority", OrganizationKind.Authority, "rita", Role.Regulator, registry.Time);
        return await registry.OrganizationOfAsync(regulator);
    }

    private static async Task<Guid> CreatedAsync(TestRegistry registry, string path, string bearer, string json)
    {
        using var response = await registry.SendAsync(HttpMethod.Post, path, bearer, json);
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.Created, text);
        using var body = JsonDocument.Parse(text);
        return body.RootElement.GetProperty("id").GetGuid();
    }

    /// <summary>The actor of the one event of <paramref name="type"/> in a history: its members as <c>name=value</c>, in name order.</summary>
    private static async Task<List<string>> ActorAsync(TestRegistry registry, string path, string bearer, string type)
    {
        using var response = await registry.SendAsync(HttpMethod.Get, path, bearer);
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, text);
        using var history = JsonDocument.Parse(text);
        var items = history.RootElement.ValueKind == JsonValueKind.Array ? history.RootElement : history.RootElement.GetProperty("items");
        var entry = items.EnumerateArray().Single(e => e.GetProperty("type").GetString() == type);
        return [.. entry.GetProperty("body").GetProperty("actor").EnumerateObject().Select(p => $"{p.Name}={p.Value.GetString()}").Order(StringComparer.Ordinal)];
    }
}
