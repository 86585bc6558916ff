using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Jailgrade.Registry.Administration;
using Jailgrade.Registry.Organizations;

namespace Jailgrade.Server.Tests;

public class UserTests
{
    [Fact]
    public async Task Create_AsAdmin_ReturnsAWorkingKeyOnceAndNotCacheable()
    {
        await using var registry = await TestRegistry.CreateAsync();
        var lab = await registry.OrganizationOfAsync(registry.LabKey);

        using var response = await PostAsync(registry, registry.AdminKey, $$"""{"organization":"{{lab}}","name":"carol","role":"lab"}""");

        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        response.Headers.CacheControl!.NoStore.ShouldBeTrue();
        var created = await response.Content.ReadFromJsonAsync<JsonElement>();
        var key = created.GetProperty("apiKey").GetString()!;
        using var me = await registry.SendAsync(HttpMethod.Get, "/api/v1/me", key);
        (await me.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("name").GetString().ShouldBe("carol");
    }

    [Fact]
    public async Task Create_AsLabWithARoleAboveItsOwn_Is403()
    {
        await using var registry = await TestRegistry.CreateAsync();
        var lab = await registry.OrganizationOfAsync(registry.LabKey);

        using var response = await PostAsync(registry, registry.LabKey, $$"""{"organization":"{{lab}}","name":"mallory","role":"admin"}""");

        response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Create_AsLabInItsOwnOrganizationAtItsRole_Is201()
    {
        await using var registry = await TestRegistry.CreateAsync();
        var lab = await registry.OrganizationOfAsync(registry.LabKey);

        using var response = await PostAsync(registry, registry.LabKey, $$"""{"organization":"{{lab}}","name":"dave","role":"lab"}""");

        response.StatusCode.ShouldBe(HttpStatusCode.Created);
    }

    [Fact]
    public async Task Create_AsLabInAnotherOrganization_Is404()
    {
        await using var registry = await TestRegistry.CreateAsync();
        var operatorOrg = await registry.OrganizationOfAsync(registry.AdminKey);

        using var response = await PostAsync(registry, registry.LabKey, $$"""{"organization":"{{operatorOrg}}","name":"mallory","role":"public"}""");

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task List_AsLab_SeesOnlyItsOrganizationsUsers()
    {
        await using var registry = await TestRegistry.CreateAsync();
        await RegistryAdmin.AddUserAsync(registry.Database, "Other Lab", OrganizationKind.Lab, "bob", Role.Lab, registry.Time);

        using var asLab = await registry.SendAsync(HttpMethod.Get, "/api/v1/users", registry.LabKey);
        using var asAdmin = await registry.SendAsync(HttpMethod.Get, "/api/v1/users", registry.AdminKey);

        (await asLab.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").EnumerateArray().Select(u => u.GetProperty("name").GetString()).ShouldBe(["alice"]);
        (await asAdmin.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").EnumerateArray().Select(u => u.GetProperty("name").GetString()).Order().ShouldBe(["admin", "alice", "bob"]);
    }

    private static Task<HttpResponseMessage> PostAsync(TestRegistry registry, string key, string json) =>
        registry.SendAsync(HttpMethod.Post, "/api/v1/users", key, json);
}
