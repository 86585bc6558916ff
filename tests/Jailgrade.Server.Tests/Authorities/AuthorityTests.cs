using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Jailgrade.Registry.Organizations;
using Jailgrade.Registry.Persistence;
using Jailgrade.Registry.Tests.TestSupport;
using static Jailgrade.Server.Tests.Releases.ReleaseTests;

namespace Jailgrade.Server.Tests.Authorities;

public class AuthorityTests
{
    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [PostgresData]
    public async Task SetPolicy_AsItsRegulator_IsVersionedEventedAndReadBack(DatabaseProvider provider)
    {
        await using var registry = await TestRegistry.CreateAsync(provider: provider);
        var regulator = await KeyAsync(registry, "AI Safety Authority", OrganizationKind.Authority, Role.Regulator);
        var authority = await registry.OrganizationOfAsync(regulator);
        var deployer = await registry.OrganizationOfAsync(registry.LabKey);
        var path = $"/api/v1/authorities/{authority}";
        var body = $$$"""{"policy":"us-frontier","version":"1.0.0","parties":{"affected-deployers":["{{{deployer}}}"]}}""";

        using var before = await registry.SendAsync(HttpMethod.Get, path, regulator);
        before.Headers.ETag!.Tag.ShouldBe("\"v0\"");
        (await before.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("policy").ValueKind.ShouldBe(JsonValueKind.Null);

        using var unconditional = await registry.SendAsync(HttpMethod.Put, $"{path}/policy", regulator, body);
        using var set = await registry.SendAsync(HttpMethod.Put, $"{path}/policy", regulator, body, ifMatch: "\"v0\"");
        using var again = await registry.SendAsync(HttpMethod.Put, $"{path}/policy", regulator, body, ifMatch: "\"v1\"");
        using var stale = await registry.SendAsync(HttpMethod.Put, $"{path}/policy", regulator, """{"policy":"eu-gpai","version":"1.0.0"}""", ifMatch: "\"v1\"");

        unconditional.StatusCode.ShouldBe(HttpStatusCode.PreconditionRequired);
        set.StatusCode.ShouldBe(HttpStatusCode.OK, await set.Content.ReadAsStringAsync());
        set.Headers.ETag!.Tag.ShouldBe("\"v1\"");
        again.StatusCode.ShouldBe(HttpStatusCode.OK, await again.Content.ReadAsStringAsync());
        stale.StatusCode.ShouldBe(HttpStatusCode.PreconditionFailed);
        stale.Headers.ETag!.Tag.ShouldBe("\"v2\"");

        var read = await GetJsonAsync(registry, path, registry.AdminKey);
        read.GetProperty("policy").GetProperty("id").GetString().ShouldBe("us-frontier");
        read.GetProperty("policy").GetProperty("version").GetString().ShouldBe("1.0.0");
        read.GetProperty("parties").GetProperty("affected-deployers").EnumerateArray().Select(o => o.GetGuid()).ShouldBe([deployer]);
        read.GetProperty("version").GetInt64().ShouldBe(2);

        var history = (await GetJsonAsync(registry, $"{path}/history", regulator)).GetProperty("items").EnumerateArray().ToList();
        history.Select(e => e.GetProperty("type").GetString()).ShouldBe(["authority.policy_set", "authority.policy_set"]);
        var first = history[0].GetProperty("body").GetProperty("changes")[0];
        (first.GetProperty("field").GetString(), first.GetProperty("from").ValueKind, first.GetProperty("to").GetString()).ShouldBe(("policy", JsonValueKind.Null, "us-frontier"));
    }

    [Theory]
    [InlineData("""{"policy":"eu-ai-act","version":"1.0.0"}""", "policy", "expected a policy the registry knows: us-frontier, eu-gpai, lab-safeguards")]
    [InlineData("""{"policy":"us-frontier","version":"1.0"}""", "version", "expected the version of us-frontier the registry knows: 1.0.0")]
    [InlineData("""{"policy":"us-frontier","version":"1.0.0","parties":{"ai-office":["00000000-0000-4000-8000-000000000001"]}}""", "parties.ai-office", "expected a party of us-frontier: government-authority, accredited-auditor, lab, affected-deployers")]
    [InlineData("""{"policy":"us-frontier","version":"1.0.0","parties":{"lab":["00000000-0000-4000-8000-000000000001"]}}""", "parties.lab", "'lab' is resolved from each case")]
    [InlineData("""{"policy":"us-frontier","version":"1.0.0","parties":{"affected-deployers":["00000000-0000-4000-8000-000000000001"]}}""", "parties.affected-deployers", "expected the ids of existing organizations")]
    [InlineData("""{"policy":"us-frontier","version":"1.0.0","parties":{"affected-deployers":[]}}""", "parties.affected-deployers", "one or more organization ids")]
    public async Task SetPolicy_BadValue_Is422NamingTheFieldAndWhatIsExpected(string body, string field, string expected)
    {
        await using var registry = await TestRegistry.CreateAsync();
        var regulator = await KeyAsync(registry, "AI Safety Authority", OrganizationKind.Authority, Role.Regulator);

        using var response = await registry.SendAsync(HttpMethod.Put, $"/api/v1/authorities/{await registry.OrganizationOfAsync(regulator)}/policy", regulator, body, ifMatch: "\"v0\"");

        response.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        var problem = await Problem(response);
        problem.GetProperty("field").GetString().ShouldBe(field);
        problem.GetProperty("detail").GetString().ShouldNotBeNull().ShouldContain(expected);
    }

    [Fact]
    public async Task Authority_SeenAndSetOnlyByAnAdminOrItsOwnRegulators_ElseA404()
    {
        await using var registry = await TestRegistry.CreateAsync();
        var regulator = await KeyAsync(registry, "AI Safety Authority", OrganizationKind.Authority, Role.Regulator);
        var otherRegulator = await KeyAsync(registry, "Other Authority", OrganizationKind.Authority, Role.Regulator);
        var authority = await registry.OrganizationOfAsync(regulator);
        const string body = """{"policy":"us-frontier","version":"1.0.0"}""";

        foreach (var key in new[] { otherRegulator, registry.LabKey })
        {
            await ShouldBe404Async(registry, $"/api/v1/authorities/{authority}", key);
            using var put = await registry.SendAsync(HttpMethod.Put, $"/api/v1/authorities/{authority}/policy", key, body, ifMatch: "\"v0\"");
            put.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        }

        await ShouldBe404Async(registry, $"/api/v1/authorities/{await registry.OrganizationOfAsync(registry.LabKey)}", registry.AdminKey);
        using var byAdmin = await registry.SendAsync(HttpMethod.Put, $"/api/v1/authorities/{authority}/policy", registry.AdminKey, body, ifMatch: "\"v0\"");
        byAdmin.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await GetJsonAsync(registry, $"/api/v1/authorities/{authority}", regulator)).GetProperty("policy").GetProperty("id").GetString().ShouldBe("us-frontier");
    }
}
