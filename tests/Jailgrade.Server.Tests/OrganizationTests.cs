using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Jailgrade.Registry.Administration;
using Jailgrade.Registry.Organizations;

namespace Jailgrade.Server.Tests;

public class OrganizationTests
{
    [Fact]
    public async Task List_AsLab_SeesOnlyItsOwnOrganization()
    {
        await using var registry = await TestRegistry.CreateAsync();
        await RegistryAdmin.AddUserAsync(registry.Database, "Other Lab", OrganizationKind.Lab, "bob", Role.Lab, registry.Time);

        var asLab = await GetJsonAsync(registry, "/api/v1/orgs", registry.LabKey);
        var asAdmin = await GetJsonAsync(registry, "/api/v1/orgs", registry.AdminKey);

        asLab.GetProperty("items").EnumerateArray().Select(o => o.GetProperty("name").GetString()).ShouldBe(["Example Lab"]);
        asAdmin.GetProperty("items").EnumerateArray().Select(o => o.GetProperty("name").GetString()).Order().ShouldBe(["Example Lab", "Other Lab", "Registry operator"]);
    }

    [Fact]
    public async Task Get_AnotherOrganizationAsLab_Is404IdenticalToAMissingOne()
    {
        await using var registry = await TestRegistry.CreateAsync();
        var other = await CreateAsync(registry, "Other Lab", "lab");
        var missing = Guid.NewGuid();

        using var foreign = await registry.SendAsync(HttpMethod.Get, $"/api/v1/orgs/{other}", registry.LabKey);
        using var absent = await registry.SendAsync(HttpMethod.Get, $"/api/v1/orgs/{missing}", registry.LabKey);

        foreign.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        absent.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        Normalized(await foreign.Content.ReadAsStringAsync(), other).ShouldBe(Normalized(await absent.Content.ReadAsStringAsync(), missing));
        foreign.Headers.Select(h => h.Key).Order().ShouldBe(absent.Headers.Select(h => h.Key).Order());
        foreign.Headers.ETag.ShouldBeNull();
    }

    [Fact]
    public async Task Create_AsLab_Is403()
    {
        await using var registry = await TestRegistry.CreateAsync();

        using var response = await registry.SendAsync(HttpMethod.Post, "/api/v1/orgs", registry.LabKey, """{"name":"Sneaky","kind":"authority"}""");

        response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Create_AsAdmin_Is201WithLocationETagAndAnAttributedEvent()
    {
        await using var registry = await TestRegistry.CreateAsync();

        using var response = await registry.SendAsync(HttpMethod.Post, "/api/v1/orgs", registry.AdminKey, """{"name":"EU AI Office","kind":"authority"}""");

        response.StatusCode.ShouldBe(HttpStatusCode.Created);
        response.Headers.ETag!.Tag.ShouldBe("\"v1\"");
        using var created = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var id = created.RootElement.GetProperty("id").GetGuid();
        response.Headers.Location!.ToString().ShouldBe($"/api/v1/orgs/{id}");
        created.RootElement.GetProperty("kind").GetString().ShouldBe("authority");

        var history = await GetJsonAsync(registry, $"/api/v1/orgs/{id}/history", registry.AdminKey);
        var entry = history.GetProperty("items").EnumerateArray().Single();
        entry.GetProperty("type").GetString().ShouldBe("organization.created");
        entry.GetProperty("body").GetProperty("actor").GetProperty("user").GetGuid().ShouldBe(await MeAsync(registry, registry.AdminKey));
    }

    [Theory]
    [InlineData("""{"name":"A","kind":"lab","owner":"me"}""", "owner")]
    [InlineData("""{"name":"A","name":"B","kind":"lab"}""", "name")]
    [InlineData("""{"name":"A","kind":"lab""", "$")]
    public async Task Create_BodyWithUnknownOrDuplicatePropertyOrBroken_Is400NamingWhere(string body, string named)
    {
        await using var registry = await TestRegistry.CreateAsync();

        using var response = await registry.SendAsync(HttpMethod.Post, "/api/v1/orgs", registry.AdminKey, body);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await response.Content.ReadAsStringAsync()).ShouldContain(named);
    }

    [Fact]
    public async Task Create_UnknownKind_Is422NamingTheFieldAndTheExpectedValues()
    {
        await using var registry = await TestRegistry.CreateAsync();

        using var response = await registry.SendAsync(HttpMethod.Post, "/api/v1/orgs", registry.AdminKey, """{"name":"A","kind":"government"}""");

        response.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        problem.RootElement.GetProperty("field").GetString().ShouldBe("kind");
        problem.RootElement.GetProperty("detail").GetString().ShouldBe("kind: 'government'; expected one of operator, lab, authority, auditor, research");
    }

    [Fact]
    public async Task Rename_WithoutIfMatch_Is428AndWithAStaleOne412()
    {
        await using var registry = await TestRegistry.CreateAsync();
        var id = await CreateAsync(registry, "Other Lab", "lab");

        using var missing = await registry.SendAsync(HttpMethod.Patch, $"/api/v1/orgs/{id}", registry.AdminKey, """{"name":"Renamed"}""");
        using var renamed = await registry.SendAsync(HttpMethod.Patch, $"/api/v1/orgs/{id}", registry.AdminKey, """{"name":"Renamed"}""", ifMatch: "\"v1\"");
        using var stale = await registry.SendAsync(HttpMethod.Patch, $"/api/v1/orgs/{id}", registry.AdminKey, """{"name":"Again"}""", ifMatch: "\"v1\"");

        missing.StatusCode.ShouldBe(HttpStatusCode.PreconditionRequired);
        renamed.StatusCode.ShouldBe(HttpStatusCode.OK);
        renamed.Headers.ETag!.Tag.ShouldBe("\"v2\"");
        stale.StatusCode.ShouldBe(HttpStatusCode.PreconditionFailed);
        stale.Headers.ETag!.Tag.ShouldBe("\"v2\"");
        var history = (await GetJsonAsync(registry, $"/api/v1/orgs/{id}/history", registry.AdminKey)).GetProperty("items").EnumerateArray().ToList();
        history.Select(e => e.GetProperty("type").GetString()).ShouldBe(["organization.created", "organization.renamed"]);
        var change = history[1].GetProperty("body").GetProperty("changes")[0];
        (change.GetProperty("from").GetString(), change.GetProperty("to").GetString()).ShouldBe(("Other Lab", "Renamed"));
    }

    [Fact]
    public async Task Rename_ConcurrentWritesWithTheSameIfMatch_ExactlyOneSucceeds()
    {
        await using var registry = await TestRegistry.CreateAsync();
        var id = await CreateAsync(registry, "Other Lab", "lab");

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            registry.SendAsync(HttpMethod.Patch, $"/api/v1/orgs/{id}", registry.AdminKey, $$"""{"name":"Name {{i}}"}""", ifMatch: "\"v1\"")));

        responses.Count(r => r.StatusCode == HttpStatusCode.OK).ShouldBe(1);
        responses.Count(r => r.StatusCode == HttpStatusCode.PreconditionFailed).ShouldBe(7);
        (await GetJsonAsync(registry, $"/api/v1/orgs/{id}/history", registry.AdminKey)).GetProperty("items").GetArrayLength().ShouldBe(2);
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task Rename_AnotherOrganizationAsLab_Is404AndItsOwn403()
    {
        await using var registry = await TestRegistry.CreateAsync();
        var other = await CreateAsync(registry, "Other Lab", "lab");
        var own = await registry.OrganizationOfAsync(registry.LabKey);

        using var foreign = await registry.SendAsync(HttpMethod.Patch, $"/api/v1/orgs/{other}", registry.LabKey, """{"name":"X"}""", ifMatch: "\"v1\"");
        using var mine = await registry.SendAsync(HttpMethod.Patch, $"/api/v1/orgs/{own}", registry.LabKey, """{"name":"X"}""", ifMatch: "\"v1\"");
        using var history = await registry.SendAsync(HttpMethod.Get, $"/api/v1/orgs/{other}/history", registry.LabKey);

        foreign.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        mine.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        history.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    private static string Normalized(string problem, Guid id)
    {
        using var document = JsonDocument.Parse(problem);
        var fields = document.RootElement.EnumerateObject().Where(p => p.Name != "traceId").Select(p => $"{p.Name}={p.Value}");
        return string.Join("\n", fields).Replace(id.ToString("D"), "ID", StringComparison.Ordinal);
    }

    private static async Task<Guid> CreateAsync(TestRegistry registry, string name, string kind)
    {
        using var response = await registry.SendAsync(HttpMethod.Post, "/api/v1/orgs", registry.AdminKey, JsonSerializer.Serialize(new { name, kind }));
        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    private static async Task<Guid> MeAsync(TestRegistry registry, string key) => (await GetJsonAsync(registry, "/api/v1/me", key)).GetProperty("user").GetGuid();

    private static async Task<JsonElement> GetJsonAsync(TestRegistry registry, string path, string key)
    {
        using var response = await registry.SendAsync(HttpMethod.Get, path, key);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}
