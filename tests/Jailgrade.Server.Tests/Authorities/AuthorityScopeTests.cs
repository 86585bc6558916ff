using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Jailgrade.Registry.Organizations;
using Jailgrade.Registry.Persistence;
using Jailgrade.Registry.Tests.TestSupport;
using static Jailgrade.Server.Tests.Releases.ReleaseTests;

namespace Jailgrade.Server.Tests.Authorities;

/// <summary><c>GET</c> and <c>PUT /api/v1/authorities/{id}/scope</c> (docs/registry.md, "Regulator scope").</summary>
public class AuthorityScopeTests
{
    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [PostgresData]
    public async Task SetScope_AsAdmin_IsVersionedEventedAndReadBack(DatabaseProvider provider)
    {
        await using var registry = await TestRegistry.CreateAsync(provider: provider);
        var regulator = await KeyAsync(registry, "AI Safety Authority", OrganizationKind.Authority, Role.Regulator);
        var authority = await registry.OrganizationOfAsync(regulator);
        var lab = await registry.OrganizationOfAsync(registry.LabKey);
        var path = $"/api/v1/authorities/{authority}/scope";
        var body = $$"""{"scope":[{"kind":"jurisdiction","jurisdiction":"GB"},{"kind":"organization","organization":"{{lab}}"}]}""";

        using var before = await registry.SendAsync(HttpMethod.Get, path, regulator);
        before.Headers.ETag!.Tag.ShouldBe("\"v0\"");
        (await before.Content.ReadAsStringAsync()).ShouldBe($$"""{"authority":"{{authority}}","scope":[{"kind":"all"}]}""");

        using var unconditional = await registry.SendAsync(HttpMethod.Put, path, registry.AdminKey, body);
        using var set = await registry.SendAsync(HttpMethod.Put, path, registry.AdminKey, body, ifMatch: "\"v0\"");
        using var stale = await registry.SendAsync(HttpMethod.Put, path, registry.AdminKey, """{"scope":[{"kind":"all"}]}""", ifMatch: "\"v0\"");

        unconditional.StatusCode.ShouldBe(HttpStatusCode.PreconditionRequired);
        set.StatusCode.ShouldBe(HttpStatusCode.OK, await set.Content.ReadAsStringAsync());
        set.Headers.ETag!.Tag.ShouldBe("\"v1\"");
        var expected = $$"""{"authority":"{{authority}}","scope":[{"kind":"organization","organization":"{{lab}}"},{"kind":"jurisdiction","jurisdiction":"GB"}]}""";
        (await set.Content.ReadAsStringAsync()).ShouldBe(expected);
        stale.StatusCode.ShouldBe(HttpStatusCode.PreconditionFailed);
        stale.Headers.ETag!.Tag.ShouldBe("\"v1\"");

        using var read = await registry.SendAsync(HttpMethod.Get, path, regulator);
        read.Headers.ETag!.Tag.ShouldBe("\"v1\"");
        (await read.Content.ReadAsStringAsync()).ShouldBe(expected);

        var history = (await GetJsonAsync(registry, $"/api/v1/authorities/{authority}/history", regulator)).GetProperty("items").EnumerateArray().Single();
        history.GetProperty("type").GetString().ShouldBe("authority.scope_changed");
        history.GetProperty("body").GetProperty("actor").GetProperty("organization").GetGuid().ShouldBe(await registry.OrganizationOfAsync(registry.AdminKey));
        var change = history.GetProperty("body").GetProperty("changes").EnumerateArray().Single();
        change.GetProperty("field").GetString().ShouldBe("scope");
        change.GetProperty("from").GetRawText().ShouldBe("""[{"kind":"all"}]""");
        // The event is canonical JSON (RFC 8785): each row's members in name order.
        change.GetProperty("to").GetRawText().ShouldBe($$"""[{"kind":"organization","organization":"{{lab}}"},{"jurisdiction":"GB","kind":"jurisdiction"}]""");
    }

    [Fact]
    public async Task ETag_MovesWhenTheScopeChanges_AndNotOtherwise_AndIsNoEventSequenceNumber()
    {
        await using var registry = await TestRegistry.CreateAsync();
        var regulator = await KeyAsync(registry, "AI Safety Authority", OrganizationKind.Authority, Role.Regulator);
        var authority = await registry.OrganizationOfAsync(regulator);
        var path = $"/api/v1/authorities/{authority}/scope";
        const string gb = """{"scope":[{"kind":"jurisdiction","jurisdiction":"GB"}]}""";
        const string gbAndFr = """{"scope":[{"kind":"jurisdiction","jurisdiction":"GB"},{"kind":"jurisdiction","jurisdiction":"FR"}]}""";
        const string frAndGb = """{"scope":[{"kind":"jurisdiction","jurisdiction":"FR"},{"kind":"jurisdiction","jurisdiction":"GB"}]}""";

        async Task<string> PutAsync(string body, string ifMatch)
        {
            using var response = await registry.SendAsync(HttpMethod.Put, path, registry.AdminKey, body, ifMatch);
            response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
            return response.Headers.ETag!.Tag;
        }

        // Scope all, said explicitly while no row exists, is the scope the authority already has.
        (await PutAsync("""{"scope":[{"kind":"all"}]}""", "\"v0\"")).ShouldBe("\"v0\"");
        (await PutAsync(gb, "\"v0\"")).ShouldBe("\"v1\"");
        (await PutAsync(gb, "\"v1\"")).ShouldBe("\"v1\"");
        (await PutAsync(gbAndFr, "\"v1\"")).ShouldBe("\"v2\"");
        (await PutAsync(frAndGb, "\"v2\"")).ShouldBe("\"v2\"", "the same rows in another order are the same scope");
        (await PutAsync("""{"scope":[{"kind":"all"}]}""", "\"v2\"")).ShouldBe("\"v3\"");

        var history = (await GetJsonAsync(registry, $"/api/v1/authorities/{authority}/history", regulator)).GetProperty("items").EnumerateArray().ToList();
        history.Select(e => e.GetProperty("type").GetString()).ShouldBe(["authority.scope_changed", "authority.scope_changed", "authority.scope_changed"]);
        // Several events of the whole registry (users, keys, organizations) precede these: the ETag does not count them.
        history[0].GetProperty("seq").GetInt64().ShouldBeGreaterThan(3);
        using var read = await registry.SendAsync(HttpMethod.Get, path, regulator);
        read.Headers.ETag!.Tag.ShouldBe("\"v3\"");
    }

    [Fact]
    public async Task SetScope_ConcurrentWritesWithTheSameIfMatch_ExactlyOneSucceeds()
    {
        await using var registry = await TestRegistry.CreateAsync();
        var regulator = await KeyAsync(registry, "AI Safety Authority", OrganizationKind.Authority, Role.Regulator);
        var path = $"/api/v1/authorities/{await registry.OrganizationOfAsync(regulator)}/scope";
        var regions = new[] { "GB", "FR", "DE", "JP", "US", "CA" };

        var responses = await Task.WhenAll(regions.Select(r =>
            registry.SendAsync(HttpMethod.Put, path, registry.AdminKey, $$"""{"scope":[{"kind":"jurisdiction","jurisdiction":"{{r}}"}]}""", ifMatch: "\"v0\"")));

        responses.Count(r => r.StatusCode == HttpStatusCode.OK).ShouldBe(1);
        responses.Count(r => r.StatusCode == HttpStatusCode.PreconditionFailed).ShouldBe(5);
        var winner = regions[Array.FindIndex(responses, r => r.StatusCode == HttpStatusCode.OK)];
        var scope = (await GetJsonAsync(registry, path, regulator)).GetProperty("scope").EnumerateArray().Single();
        scope.GetProperty("jurisdiction").GetString().ShouldBe(winner);
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task Scope_SeenByAnAdminOrItsOwnRegulators_SetOnlyByAnAdmin_ElseA404()
    {
        await using var registry = await TestRegistry.CreateAsync();
        var regulator = await KeyAsync(registry, "AI Safety Authority", OrganizationKind.Authority, Role.Regulator);
        var otherRegulator = await KeyAsync(registry, "Other Authority", OrganizationKind.Authority, Role.Regulator);
        var path = $"/api/v1/authorities/{await registry.OrganizationOfAsync(regulator)}/scope";
        const string body = """{"scope":[{"kind":"jurisdiction","jurisdiction":"GB"}]}""";

        using var own = await registry.SendAsync(HttpMethod.Put, path, regulator, body, ifMatch: "\"v0\"");
        own.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await Problem(own)).GetProperty("detail").GetString().ShouldBe("only an administrator sets an authority's scope: a regulator cannot widen its own view");
        foreach (var key in new[] { otherRegulator, registry.LabKey })
        {
            await ShouldBe404Async(registry, path, key);
            using var put = await registry.SendAsync(HttpMethod.Put, path, key, body, ifMatch: "\"v0\"");
            put.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        }

        // A lab is no authority: its id is a 404 to the administrator too, as a missing one.
        await ShouldBe404Async(registry, $"/api/v1/authorities/{await registry.OrganizationOfAsync(registry.LabKey)}/scope", registry.AdminKey);
        await ShouldBe404Async(registry, $"/api/v1/authorities/{Guid.NewGuid()}/scope", registry.AdminKey);
        (await GetJsonAsync(registry, path, regulator)).GetProperty("scope")[0].GetProperty("kind").GetString().ShouldBe("all");
    }

    [Theory]
    [InlineData("""{"scope":[]}""", "scope", """expected one or more rows; scope all is said explicitly: [{"kind":"all"}]""")]
    [InlineData("""{"scope":[{"kind":"everything"}]}""", "scope[0].kind", "expected one of all, organization, jurisdiction")]
    [InlineData("""{"scope":[{"kind":"all"},{"kind":"jurisdiction","jurisdiction":"GB"}]}""", "scope[0].kind", "expected scope all alone: it cannot be combined with other rows")]
    [InlineData("""{"scope":[{"kind":"jurisdiction","jurisdiction":"GB"},{"kind":"all"}]}""", "scope[1].kind", "expected scope all alone")]
    [InlineData("""{"scope":[{"kind":"jurisdiction","jurisdiction":"gb"}]}""", "scope[0].jurisdiction", "country codes are upper case: did you mean 'GB'?")]
    [InlineData("""{"scope":[{"kind":"jurisdiction","jurisdiction":"UK"}]}""", "scope[0].jurisdiction", "did you mean 'GB'?")]
    [InlineData("""{"scope":[{"kind":"jurisdiction","jurisdiction":"GBR"}]}""", "scope[0].jurisdiction", "expected an ISO 3166-1 alpha-2 code")]
    [InlineData("""{"scope":[{"kind":"jurisdiction"}]}""", "scope[0].jurisdiction", "jurisdiction: missing; expected an ISO 3166-1 alpha-2 code")]
    [InlineData("""{"scope":[{"kind":"jurisdiction","jurisdiction":"GB"},{"kind":"jurisdiction","jurisdiction":"GB"}]}""", "scope[1]", "expected each row once")]
    [InlineData("""{"scope":[{"kind":"organization"}]}""", "scope[0].organization", "organization: missing; expected the id of an organization of kind lab")]
    [InlineData("""{"scope":[{"kind":"organization","organization":"00000000-0000-4000-8000-000000000001"}]}""", "scope[0].organization", "expected the id of an organization of kind lab")]
    [InlineData("""{"scope":[{"kind":"organization","organization":"AUTHORITY"}]}""", "scope[0].organization", "expected the id of an organization of kind lab")]
    [InlineData("""{"scope":[{"kind":"organization","organization":"LAB"},{"kind":"organization","organization":"LAB"}]}""", "scope[1]", "expected each row once")]
    [InlineData("""{"scope":[{"kind":"jurisdiction","jurisdiction":"GB","organization":"LAB"}]}""", "scope[0].organization", "expected no organization in a row of kind jurisdiction")]
    [InlineData("""{"scope":[{"kind":"all","jurisdiction":"GB"}]}""", "scope[0].jurisdiction", "expected no jurisdiction in a row of kind all")]
    public async Task SetScope_BadValue_Is422NamingTheFieldAndWhatIsExpected(string body, string field, string expected)
    {
        await using var registry = await TestRegistry.CreateAsync();
        var regulator = await KeyAsync(registry, "AI Safety Authority", OrganizationKind.Authority, Role.Regulator);
        var authority = await registry.OrganizationOfAsync(regulator);
        body = body.Replace("AUTHORITY", authority.ToString("D"), StringComparison.Ordinal)
            .Replace("LAB", (await registry.OrganizationOfAsync(registry.LabKey)).ToString("D"), StringComparison.Ordinal);

        using var response = await registry.SendAsync(HttpMethod.Put, $"/api/v1/authorities/{authority}/scope", registry.AdminKey, body, ifMatch: "\"v0\"");

        response.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity, await response.Content.ReadAsStringAsync());
        var problem = await Problem(response);
        problem.GetProperty("field").GetString().ShouldBe(field);
        problem.GetProperty("detail").GetString().ShouldNotBeNull().ShouldContain(expected);
        (await GetJsonAsync(registry, $"/api/v1/authorities/{authority}/history", registry.AdminKey)).GetProperty("items").GetArrayLength().ShouldBe(0, "a refused scope changes nothing");
    }

    [Fact]
    public async Task SetScope_MoreRowsThanTheLimit_Is422_AndTheLimitIsAccepted()
    {
        await using var registry = await TestRegistry.CreateAsync();
        var regulator = await KeyAsync(registry, "AI Safety Authority", OrganizationKind.Authority, Role.Regulator);
        var path = $"/api/v1/authorities/{await registry.OrganizationOfAsync(regulator)}/scope";
        var codes = Jailgrade.Policy.Eligibility.Countries.All;
        string Body(int count) => JsonSerializer.Serialize(new { scope = codes.Take(count).Select(c => new { kind = "jurisdiction", jurisdiction = c }) });

        using var tooMany = await registry.SendAsync(HttpMethod.Put, path, registry.AdminKey, Body(201), ifMatch: "\"v0\"");
        using var most = await registry.SendAsync(HttpMethod.Put, path, registry.AdminKey, Body(200), ifMatch: "\"v0\"");

        tooMany.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await Problem(tooMany)).GetProperty("detail").GetString().ShouldBe("scope: '201 rows'; expected at most 200 rows");
        most.StatusCode.ShouldBe(HttpStatusCode.OK, await most.Content.ReadAsStringAsync());
        (await most.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("scope").GetArrayLength().ShouldBe(200);
    }

    [Theory]
    [InlineData("""{"scope":[{"kind":"all"}],"authority":"00000000-0000-4000-8000-000000000001"}""", "authority")]
    [InlineData("""{"scope":[{"kind":"all","kind":"all"}]}""", "kind")]
    [InlineData("""{"rows":[]}""", "rows")]
    public async Task SetScope_UnknownDuplicateOrMissingProperty_Is400(string body, string named)
    {
        await using var registry = await TestRegistry.CreateAsync();
        var regulator = await KeyAsync(registry, "AI Safety Authority", OrganizationKind.Authority, Role.Regulator);

        using var response = await registry.SendAsync(HttpMethod.Put, $"/api/v1/authorities/{await registry.OrganizationOfAsync(regulator)}/scope", registry.AdminKey, body, ifMatch: "\"v0\"");

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await Problem(response)).GetProperty("detail").GetString().ShouldNotBeNull().ShouldContain(named);
    }
}
