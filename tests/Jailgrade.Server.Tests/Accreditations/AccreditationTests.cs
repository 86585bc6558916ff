using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Jailgrade.Registry.Organizations;
using Jailgrade.Registry.Persistence;
using Jailgrade.Registry.Tests.TestSupport;
using static Jailgrade.Server.Tests.Releases.ReleaseTests;

namespace Jailgrade.Server.Tests.Accreditations;

public class AccreditationTests
{
    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [PostgresData]
    public async Task Grant_ThenRevoke_AccreditedUntilTheRevocationAndBothInTheHistory(DatabaseProvider provider)
    {
        await using var registry = await TestRegistry.CreateAsync(provider: provider);
        var regulator = await KeyAsync(registry, "AI Safety Authority", OrganizationKind.Authority, Role.Regulator);
        var auditorKey = await KeyAsync(registry, "Audit Co", OrganizationKind.Auditor, Role.Auditor);
        var auditor = await registry.OrganizationOfAsync(auditorKey);

        using var granted = await GrantAsync(registry, regulator, auditor, """["CY","severe"]""");
        granted.StatusCode.ShouldBe(HttpStatusCode.Created, await granted.Content.ReadAsStringAsync());
        granted.Headers.ETag!.Tag.ShouldBe("\"v1\"");
        var body = await granted.Content.ReadFromJsonAsync<JsonElement>();
        var id = body.GetProperty("id").GetGuid();
        granted.Headers.Location!.ToString().ShouldBe($"/api/v1/accreditations/{id}");
        body.GetProperty("authority").GetGuid().ShouldBe(await registry.OrganizationOfAsync(regulator));
        body.GetProperty("scope").EnumerateArray().Select(s => s.GetString()).ShouldBe(["severe", "CY"]);
        body.GetProperty("validUntil").GetString().ShouldBe("2027-01-01T00:00:00.000Z");
        var grantedAt = registry.Time.GetUtcNow();
        (await IsAccreditedAsync(registry, auditor, "WP", grantedAt)).ShouldBeTrue();

        registry.Time.Advance(TimeSpan.FromHours(1));
        var path = $"/api/v1/accreditations/{id}/revoke";
        using var unconditional = await registry.SendAsync(HttpMethod.Post, path, regulator, """{"reason":"conflict of interest"}""");
        using var stale = await registry.SendAsync(HttpMethod.Post, path, regulator, """{"reason":"conflict of interest"}""", ifMatch: "\"v2\"");
        using var revoked = await registry.SendAsync(HttpMethod.Post, path, regulator, """{"reason":"conflict of interest"}""", ifMatch: "\"v1\"");
        using var again = await registry.SendAsync(HttpMethod.Post, path, regulator, """{"reason":"again"}""", ifMatch: "\"v2\"");

        unconditional.StatusCode.ShouldBe(HttpStatusCode.PreconditionRequired);
        stale.StatusCode.ShouldBe(HttpStatusCode.PreconditionFailed);
        revoked.StatusCode.ShouldBe(HttpStatusCode.OK, await revoked.Content.ReadAsStringAsync());
        revoked.Headers.ETag!.Tag.ShouldBe("\"v2\"");
        (await revoked.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("revokedAt").GetString().ShouldBe("2026-12-02T10:00:00.000Z");
        again.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await IsAccreditedAsync(registry, auditor, "WP", registry.Time.GetUtcNow())).ShouldBeFalse("after the revocation");
        (await IsAccreditedAsync(registry, auditor, "WP", grantedAt)).ShouldBeTrue("what was signed before the revocation stays accredited");

        var history = (await GetJsonAsync(registry, $"/api/v1/accreditations/{id}/history", auditorKey)).GetProperty("items").EnumerateArray().ToList();
        history.Select(e => e.GetProperty("type").GetString()).ShouldBe(["accreditation.granted", "accreditation.revoked"]);
        history[1].GetProperty("body").GetProperty("changes")[1].GetProperty("to").GetString().ShouldBe("conflict of interest");
    }

    [Theory]
    [InlineData(Role.Auditor)]
    [InlineData(Role.Lab)]
    [InlineData(Role.Admin)]
    public async Task Grant_ByAnyoneButARegulator_Is403(Role role)
    {
        await using var registry = await TestRegistry.CreateAsync();
        var auditorKey = await KeyAsync(registry, "Audit Co", OrganizationKind.Auditor, Role.Auditor);
        var key = role switch { Role.Auditor => auditorKey, Role.Lab => registry.LabKey, _ => registry.AdminKey };

        using var response = await GrantAsync(registry, key, await registry.OrganizationOfAsync(auditorKey), """["CY"]""");

        response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Theory]
    [InlineData("LAB", """["CY"]""", "2026-01-01T00:00:00.000Z", "2027-01-01T00:00:00.000Z", "auditor", "expected the id of an organization of kind auditor")]
    [InlineData("AUDITOR", """["cy"]""", "2026-01-01T00:00:00.000Z", "2027-01-01T00:00:00.000Z", "scope[0]", "expected hazard tiers or domains of the standard: limited, moderate")]
    [InlineData("AUDITOR", """[]""", "2026-01-01T00:00:00.000Z", "2027-01-01T00:00:00.000Z", "scope", "at least one")]
    [InlineData("AUDITOR", """["CY","CY"]""", "2026-01-01T00:00:00.000Z", "2027-01-01T00:00:00.000Z", "scope[1]", "each item once")]
    [InlineData("AUDITOR", """["CY"]""", "2026-01-01T00:00:00.000Z", "2026-01-01T00:00:00.000Z", "validUntil", "a time after validFrom (2026-01-01T00:00:00.000Z)")]
    [InlineData("AUDITOR", """["CY"]""", "2026-01-01T02:00:00.000+02:00", "2027-01-01T00:00:00.000Z", "validFrom", "a UTC time at millisecond precision")]
    [InlineData("AUDITOR", """["CY"]""", "2026-01-01T00:00:00.0001Z", "2027-01-01T00:00:00.000Z", "validFrom", "a UTC time at millisecond precision")]
    public async Task Grant_BadValue_Is422NamingTheField(string who, string scope, string from, string until, string field, string expected)
    {
        await using var registry = await TestRegistry.CreateAsync();
        var regulator = await KeyAsync(registry, "AI Safety Authority", OrganizationKind.Authority, Role.Regulator);
        var auditor = await registry.OrganizationOfAsync(await KeyAsync(registry, "Audit Co", OrganizationKind.Auditor, Role.Auditor));
        var named = who == "LAB" ? await registry.OrganizationOfAsync(registry.LabKey) : auditor;

        using var response = await GrantAsync(registry, regulator, named, scope, from, until);

        response.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        var problem = await Problem(response);
        problem.GetProperty("field").GetString().ShouldBe(field);
        problem.GetProperty("detail").GetString().ShouldNotBeNull().ShouldContain(expected);
    }

    [Fact]
    public async Task Visibility_TheGrantingAuthorityAndTheAuditorSeeIt_OthersGet404_TheAuditorMayNotRevoke()
    {
        await using var registry = await TestRegistry.CreateAsync();
        var regulator = await KeyAsync(registry, "AI Safety Authority", OrganizationKind.Authority, Role.Regulator);
        var otherRegulator = await KeyAsync(registry, "Other Authority", OrganizationKind.Authority, Role.Regulator);
        var auditorKey = await KeyAsync(registry, "Audit Co", OrganizationKind.Auditor, Role.Auditor);
        var otherAuditor = await KeyAsync(registry, "Other Audit", OrganizationKind.Auditor, Role.Auditor);
        using var granted = await GrantAsync(registry, regulator, await registry.OrganizationOfAsync(auditorKey), """["CY"]""");
        var id = (await granted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();

        foreach (var key in new[] { regulator, auditorKey, registry.AdminKey })
        {
            (await GetJsonAsync(registry, "/api/v1/accreditations", key)).GetProperty("items").EnumerateArray().Select(a => a.GetProperty("id").GetGuid()).ShouldBe([id]);
            (await GetJsonAsync(registry, $"/api/v1/accreditations/{id}", key)).GetProperty("id").GetGuid().ShouldBe(id);
        }

        foreach (var key in new[] { otherRegulator, otherAuditor, registry.LabKey })
        {
            (await GetJsonAsync(registry, "/api/v1/accreditations", key)).GetProperty("items").GetArrayLength().ShouldBe(0);
            await ShouldBe404Async(registry, $"/api/v1/accreditations/{id}", key);
            await ShouldBe404Async(registry, $"/api/v1/accreditations/{id}/history", key);
        }

        using var byOtherRegulator = await registry.SendAsync(HttpMethod.Post, $"/api/v1/accreditations/{id}/revoke", otherRegulator, """{"reason":"x"}""", ifMatch: "\"v1\"");
        using var byAuditor = await registry.SendAsync(HttpMethod.Post, $"/api/v1/accreditations/{id}/revoke", auditorKey, """{"reason":"x"}""", ifMatch: "\"v1\"");
        byOtherRegulator.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        byAuditor.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    internal static Task<HttpResponseMessage> GrantAsync(TestRegistry registry, string key, Guid auditor, string scope,
        string from = "2026-01-01T00:00:00.000Z", string until = "2027-01-01T00:00:00.000Z") =>
        registry.SendAsync(HttpMethod.Post, "/api/v1/accreditations", key,
            $$"""{"auditor":"{{auditor}}","scope":{{scope}},"validFrom":"{{from}}","validUntil":"{{until}}"}""");

    private static async Task<bool> IsAccreditedAsync(TestRegistry registry, Guid auditor, string item, DateTimeOffset at)
    {
        await using var db = registry.Database.CreateContext();
        return await Registry.Accreditation.Accreditations.IsAccreditedAsync(db, auditor, item, at);
    }
}
