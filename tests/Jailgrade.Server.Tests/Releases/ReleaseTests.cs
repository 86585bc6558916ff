using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Jailgrade.Registry.Administration;
using Jailgrade.Registry.Organizations;
using Jailgrade.Registry.Persistence;
using Jailgrade.Registry.Tests.TestSupport;

namespace Jailgrade.Server.Tests.Releases;

public class ReleaseTests
{
    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [PostgresData]
    public async Task CreateModelAndRelease_AsLab_Are201WithLocationETagAndAttributedEvents(DatabaseProvider provider)
    {
        await using var registry = await TestRegistry.CreateAsync(provider: provider);
        var lab = await registry.OrganizationOfAsync(registry.LabKey);

        using var model = await registry.SendAsync(HttpMethod.Post, "/api/v1/models", registry.LabKey, """{"name":"ex-1"}""");
        model.StatusCode.ShouldBe(HttpStatusCode.Created, await model.Content.ReadAsStringAsync());
        var modelBody = await model.Content.ReadFromJsonAsync<JsonElement>();
        var modelId = modelBody.GetProperty("id").GetGuid();
        model.Headers.Location!.ToString().ShouldBe($"/api/v1/models/{modelId}");
        model.Headers.ETag!.Tag.ShouldBe("\"v1\"");
        modelBody.GetProperty("lab").GetGuid().ShouldBe(lab);

        using var release = await registry.SendAsync(HttpMethod.Post, $"/api/v1/models/{modelId}/releases", registry.LabKey,
            """{"version":"2026-06-01","exposure":"G","regions":["US","GB"]}""");
        release.StatusCode.ShouldBe(HttpStatusCode.Created, await release.Content.ReadAsStringAsync());
        var releaseId = (await release.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        release.Headers.Location!.ToString().ShouldBe($"/api/v1/releases/{releaseId}");

        using var read = await registry.SendAsync(HttpMethod.Get, $"/api/v1/releases/{releaseId}", registry.LabKey);
        read.Headers.ETag!.Tag.ShouldBe("\"v1\"");
        var body = await read.Content.ReadFromJsonAsync<JsonElement>();
        (body.GetProperty("model").GetGuid(), body.GetProperty("lab").GetGuid(), body.GetProperty("modelName").GetString()).ShouldBe((modelId, lab, "ex-1"));
        (body.GetProperty("version").GetString(), body.GetProperty("exposure").GetString()).ShouldBe(("2026-06-01", "G"));
        body.GetProperty("regions").EnumerateArray().Select(r => r.GetString()).ShouldBe(["US", "GB"]);

        var history = (await GetJsonAsync(registry, $"/api/v1/releases/{releaseId}/history", registry.LabKey)).GetProperty("items").EnumerateArray().Single();
        history.GetProperty("type").GetString().ShouldBe("release.created");
        history.GetProperty("body").GetProperty("actor").GetProperty("organization").GetGuid().ShouldBe(lab);
        var changes = history.GetProperty("body").GetProperty("changes").EnumerateArray().ToDictionary(c => c.GetProperty("field").GetString()!, c => c.GetProperty("to").ToString());
        changes["regions"].ShouldBe("""["US","GB"]""");
        changes["model"].ShouldBe(modelId.ToString("D"));
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [PostgresData]
    public async Task Visibility_LabSeesItsOwn_RegulatorAll_AuditorReporterPublicNone(DatabaseProvider provider)
    {
        await using var registry = await TestRegistry.CreateAsync(provider: provider);
        var (otherLab, _) = await RegistryAdmin.AddUserAsync(registry.Database, "Other Lab", OrganizationKind.Lab, "bob", Role.Lab, registry.Time);
        var regulator = await KeyAsync(registry, "AI Safety Authority", OrganizationKind.Authority, Role.Regulator);
        var auditor = await KeyAsync(registry, "Audit Co", OrganizationKind.Auditor, Role.Auditor);
        var reporter = await KeyAsync(registry, "Research Group", OrganizationKind.Research, Role.Reporter);
        var (mine, mineRelease) = await ModelWithReleaseAsync(registry, registry.LabKey, "ex-1");
        var (theirs, theirRelease) = await ModelWithReleaseAsync(registry, otherLab, "ot-1");

        (await NamesAsync(registry, "/api/v1/models", registry.LabKey)).ShouldBe(["ex-1"]);
        (await NamesAsync(registry, "/api/v1/models", regulator)).Order().ShouldBe(["ex-1", "ot-1"]);
        (await GetJsonAsync(registry, "/api/v1/releases", registry.LabKey)).GetProperty("items").EnumerateArray().Select(r => r.GetProperty("id").GetGuid()).ShouldBe([mineRelease]);
        (await GetJsonAsync(registry, "/api/v1/releases", regulator)).GetProperty("items").GetArrayLength().ShouldBe(2);
        foreach (var key in new[] { auditor, reporter })
        {
            (await GetJsonAsync(registry, "/api/v1/models", key)).GetProperty("items").GetArrayLength().ShouldBe(0);
            (await GetJsonAsync(registry, "/api/v1/releases", key)).GetProperty("items").GetArrayLength().ShouldBe(0);
            await ShouldBe404Async(registry, $"/api/v1/releases/{mineRelease}", key);
            await ShouldBe404Async(registry, $"/api/v1/models/{mine}", key);
        }

        await ShouldBe404Async(registry, $"/api/v1/models/{theirs}", registry.LabKey);
        await ShouldBe404Async(registry, $"/api/v1/releases/{theirRelease}", registry.LabKey);
        await ShouldBe404Async(registry, $"/api/v1/releases/{theirRelease}/history", registry.LabKey);
        (await GetJsonAsync(registry, $"/api/v1/releases/{theirRelease}", regulator)).GetProperty("modelName").GetString().ShouldBe("ot-1");
    }

    [Fact]
    public async Task Get_AnotherLabsRelease_Is404IdenticalToAMissingOne()
    {
        await using var registry = await TestRegistry.CreateAsync();
        var (otherLab, _) = await RegistryAdmin.AddUserAsync(registry.Database, "Other Lab", OrganizationKind.Lab, "bob", Role.Lab, registry.Time);
        var (_, theirs) = await ModelWithReleaseAsync(registry, otherLab, "ot-1");
        var missing = Guid.NewGuid();

        using var foreign = await registry.SendAsync(HttpMethod.Get, $"/api/v1/releases/{theirs}", registry.LabKey);
        using var absent = await registry.SendAsync(HttpMethod.Get, $"/api/v1/releases/{missing}", registry.LabKey);

        foreign.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        Normalized(await foreign.Content.ReadAsStringAsync(), theirs).ShouldBe(Normalized(await absent.Content.ReadAsStringAsync(), missing));
        foreign.Headers.Select(h => h.Key).Order().ShouldBe(absent.Headers.Select(h => h.Key).Order());
    }

    [Fact]
    public async Task CreateModel_ForAnotherLabOrAsRegulator_Is403_AsAdminNeedsALab()
    {
        await using var registry = await TestRegistry.CreateAsync();
        var regulator = await KeyAsync(registry, "AI Safety Authority", OrganizationKind.Authority, Role.Regulator);
        var (otherLab, _) = await RegistryAdmin.AddUserAsync(registry.Database, "Other Lab", OrganizationKind.Lab, "bob", Role.Lab, registry.Time);
        var other = await registry.OrganizationOfAsync(otherLab);

        using var forOther = await registry.SendAsync(HttpMethod.Post, "/api/v1/models", registry.LabKey, $$"""{"name":"x","lab":"{{other}}"}""");
        using var asRegulator = await registry.SendAsync(HttpMethod.Post, "/api/v1/models", regulator, """{"name":"x"}""");
        using var adminNoLab = await registry.SendAsync(HttpMethod.Post, "/api/v1/models", registry.AdminKey, """{"name":"x"}""");
        using var adminNotALab = await registry.SendAsync(HttpMethod.Post, "/api/v1/models", registry.AdminKey, $$"""{"name":"x","lab":"{{await registry.OrganizationOfAsync(regulator)}}"}""");
        using var admin = await registry.SendAsync(HttpMethod.Post, "/api/v1/models", registry.AdminKey, $$"""{"name":"x","lab":"{{other}}"}""");

        forOther.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        asRegulator.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        adminNoLab.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await Problem(adminNotALab)).GetProperty("detail").GetString().ShouldEndWith("expected the id of an organization of kind lab");
        admin.StatusCode.ShouldBe(HttpStatusCode.Created);
        (await admin.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("lab").GetGuid().ShouldBe(other);
    }

    [Fact]
    public async Task CreateRelease_OnAnotherLabsModel_Is404ForALab_And403ForARegulatorWhoSeesIt()
    {
        await using var registry = await TestRegistry.CreateAsync();
        var regulator = await KeyAsync(registry, "AI Safety Authority", OrganizationKind.Authority, Role.Regulator);
        var (otherLab, _) = await RegistryAdmin.AddUserAsync(registry.Database, "Other Lab", OrganizationKind.Lab, "bob", Role.Lab, registry.Time);
        var (theirs, _) = await ModelWithReleaseAsync(registry, otherLab, "ot-1");
        const string body = """{"version":"2","exposure":"I","regions":[]}""";

        using var asLab = await registry.SendAsync(HttpMethod.Post, $"/api/v1/models/{theirs}/releases", registry.LabKey, body);
        using var asRegulator = await registry.SendAsync(HttpMethod.Post, $"/api/v1/models/{theirs}/releases", regulator, body);
        using var missing = await registry.SendAsync(HttpMethod.Post, $"/api/v1/models/{Guid.NewGuid()}/releases", registry.AdminKey, body);
        using var asAdmin = await registry.SendAsync(HttpMethod.Post, $"/api/v1/models/{theirs}/releases", registry.AdminKey, body);

        asLab.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        asRegulator.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        missing.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        asAdmin.StatusCode.ShouldBe(HttpStatusCode.Created);
    }

    [Theory]
    [InlineData("""{"version":"1","exposure":"X","regions":[]}""", "exposure", "exposure: 'X'; expected the JG DP value: one of I, L, G, O")]
    [InlineData("""{"version":"1","exposure":"G","regions":["US","UK"]}""", "regions[1]", "did you mean 'GB'?")]
    [InlineData("""{"version":"1","exposure":"G","regions":["US","us"]}""", "regions[1]", "country codes are upper case")]
    [InlineData("""{"version":"1","exposure":"G","regions":["US","US"]}""", "regions[1]", "expected each region once")]
    [InlineData("""{"version":"","exposure":"G","regions":[]}""", "version", "1 to 200 characters")]
    public async Task CreateRelease_BadValue_Is422NamingTheFieldAndWhatWasExpected(string body, string field, string detail)
    {
        await using var registry = await TestRegistry.CreateAsync();
        var model = await ModelAsync(registry, registry.LabKey, "ex-1");

        using var response = await registry.SendAsync(HttpMethod.Post, $"/api/v1/models/{model}/releases", registry.LabKey, body);

        response.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        var problem = await Problem(response);
        problem.GetProperty("field").GetString().ShouldBe(field);
        problem.GetProperty("detail").GetString().ShouldNotBeNull().ShouldContain(detail);
    }

    [Theory]
    [InlineData("/api/v1/models", """{"name":"a","owner":"me"}""", "owner")]
    [InlineData("/api/v1/models", """{"name":"a","name":"b"}""", "name")]
    [InlineData("MODEL/releases", """{"version":"1","exposure":"G"}""", "regions")]
    public async Task Create_UnknownDuplicateOrMissingProperty_Is400NamingIt(string path, string body, string named)
    {
        await using var registry = await TestRegistry.CreateAsync();
        var model = await ModelAsync(registry, registry.LabKey, "ex-1");

        using var response = await registry.SendAsync(HttpMethod.Post, path.Replace("MODEL", $"/api/v1/models/{model}", StringComparison.Ordinal), registry.LabKey, body);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).ShouldContain(named);
    }

    [Fact]
    public async Task Create_SameNameOrSameVersionTwice_Is409()
    {
        await using var registry = await TestRegistry.CreateAsync();
        var (model, _) = await ModelWithReleaseAsync(registry, registry.LabKey, "ex-1");

        using var again = await registry.SendAsync(HttpMethod.Post, "/api/v1/models", registry.LabKey, """{"name":"ex-1"}""");
        using var releaseAgain = await registry.SendAsync(HttpMethod.Post, $"/api/v1/models/{model}/releases", registry.LabKey, """{"version":"1","exposure":"I","regions":[]}""");

        again.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        releaseAgain.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await Problem(releaseAgain)).GetProperty("field").GetString().ShouldBe("version");
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [PostgresData]
    public async Task Change_WithoutIfMatch428_Stale412_ElseRecordedFromWhatToWhat(DatabaseProvider provider)
    {
        await using var registry = await TestRegistry.CreateAsync(provider: provider);
        var (_, release) = await ModelWithReleaseAsync(registry, registry.LabKey, "ex-1");
        var path = $"/api/v1/releases/{release}";

        using var missing = await registry.SendAsync(HttpMethod.Patch, path, registry.LabKey, """{"exposure":"O"}""");
        using var changed = await registry.SendAsync(HttpMethod.Patch, path, registry.LabKey, """{"exposure":"O","regions":["FR"]}""", ifMatch: "\"v1\"");
        using var stale = await registry.SendAsync(HttpMethod.Patch, path, registry.LabKey, """{"exposure":"L"}""", ifMatch: "\"v1\"");

        missing.StatusCode.ShouldBe(HttpStatusCode.PreconditionRequired);
        changed.StatusCode.ShouldBe(HttpStatusCode.OK, await changed.Content.ReadAsStringAsync());
        changed.Headers.ETag!.Tag.ShouldBe("\"v2\"");
        (await changed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("exposure").GetString().ShouldBe("O");
        stale.StatusCode.ShouldBe(HttpStatusCode.PreconditionFailed);
        stale.Headers.ETag!.Tag.ShouldBe("\"v2\"");
        var history = (await GetJsonAsync(registry, $"{path}/history", registry.LabKey)).GetProperty("items").EnumerateArray().ToList();
        history.Select(e => e.GetProperty("type").GetString()).ShouldBe(["release.created", "release.changed"]);
        var changes = history[1].GetProperty("body").GetProperty("changes").EnumerateArray()
            .Select(c => $"{c.GetProperty("field").GetString()}: {c.GetProperty("from")} -> {c.GetProperty("to")}").ToList();
        changes.ShouldBe(["exposure: G -> O", """regions: ["US"] -> ["FR"]"""]);
    }

    [Fact]
    public async Task Change_ConcurrentWritesWithTheSameIfMatch_ExactlyOneSucceeds()
    {
        await using var registry = await TestRegistry.CreateAsync();
        var (_, release) = await ModelWithReleaseAsync(registry, registry.LabKey, "ex-1");
        var exposures = new[] { "I", "L", "O", "I", "L", "O" };

        var responses = await Task.WhenAll(exposures.Select(e =>
            registry.SendAsync(HttpMethod.Patch, $"/api/v1/releases/{release}", registry.LabKey, $$"""{"exposure":"{{e}}"}""", ifMatch: "\"v1\"")));

        responses.Count(r => r.StatusCode == HttpStatusCode.OK).ShouldBe(1);
        responses.Count(r => r.StatusCode == HttpStatusCode.PreconditionFailed).ShouldBe(5);
        (await GetJsonAsync(registry, $"/api/v1/releases/{release}/history", registry.LabKey)).GetProperty("items").GetArrayLength().ShouldBe(2);
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task Change_ByARegulatorWhoSeesIt_Is403()
    {
        await using var registry = await TestRegistry.CreateAsync();
        var regulator = await KeyAsync(registry, "AI Safety Authority", OrganizationKind.Authority, Role.Regulator);
        var (_, release) = await ModelWithReleaseAsync(registry, registry.LabKey, "ex-1");

        using var response = await registry.SendAsync(HttpMethod.Patch, $"/api/v1/releases/{release}", regulator, """{"exposure":"O"}""", ifMatch: "\"v1\"");

        response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    internal static async Task<string> KeyAsync(TestRegistry registry, string organization, OrganizationKind kind, Role role, string user = "user")
    {
        var (key, _) = await RegistryAdmin.AddUserAsync(registry.Database, organization, kind, user, role, registry.Time);
        return key;
    }

    internal static async Task<JsonElement> GetJsonAsync(TestRegistry registry, string path, string key)
    {
        using var response = await registry.SendAsync(HttpMethod.Get, path, key);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    internal static async Task ShouldBe404Async(TestRegistry registry, string path, string key)
    {
        using var response = await registry.SendAsync(HttpMethod.Get, path, key);
        response.StatusCode.ShouldBe(HttpStatusCode.NotFound, path);
    }

    internal static async Task<JsonElement> Problem(HttpResponseMessage response)
    {
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    internal static string Normalized(string problem, Guid id)
    {
        using var document = JsonDocument.Parse(problem);
        var fields = document.RootElement.EnumerateObject().Where(p => p.Name != "traceId").Select(p => $"{p.Name}={p.Value}");
        return string.Join("\n", fields).Replace(id.ToString("D"), "ID", StringComparison.Ordinal);
    }

    private static async Task<List<string?>> NamesAsync(TestRegistry registry, string path, string key) =>
        [.. (await GetJsonAsync(registry, path, key)).GetProperty("items").EnumerateArray().Select(m => m.GetProperty("name").GetString())];

    private static async Task<Guid> ModelAsync(TestRegistry registry, string key, string name)
    {
        using var response = await registry.SendAsync(HttpMethod.Post, "/api/v1/models", key, JsonSerializer.Serialize(new { name }));
        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    private static async Task<(Guid Model, Guid Release)> ModelWithReleaseAsync(TestRegistry registry, string key, string name)
    {
        var model = await ModelAsync(registry, key, name);
        using var response = await registry.SendAsync(HttpMethod.Post, $"/api/v1/models/{model}/releases", key, """{"version":"1","exposure":"G","regions":["US"]}""");
        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (model, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid());
    }
}
