using System.Net;
using System.Text.Json;
using Jailgrade.Registry.Persistence;
using Jailgrade.Registry.Tests.TestSupport;

namespace Jailgrade.Server.Tests;

/// <summary>The server on PostgreSQL, migrated by the owner role and working as the application role with only its privileges.</summary>
public class PostgresServerTests
{
    [PostgresFact]
    public async Task Server_OnPostgresAsTheAppRole_IsReadyAndAuthenticates()
    {
        await using var registry = await TestRegistry.CreateAsync(provider: DatabaseProvider.PostgreSql);
        registry.Database.ApplicationRole.ShouldBe(PostgresSettings.AppUser);

        using var ready = await registry.Client.GetAsync("/readyz");
        ready.StatusCode.ShouldBe(HttpStatusCode.OK);

        using var me = await registry.Client.SendAsync(TestRegistry.Get("/api/v1/me", "Bearer " + registry.LabKey));
        me.StatusCode.ShouldBe(HttpStatusCode.OK, await me.Content.ReadAsStringAsync());
        using var body = JsonDocument.Parse(await me.Content.ReadAsStringAsync());
        body.RootElement.GetProperty("organizationName").GetString().ShouldBe("Example Lab");

        using var anonymous = await registry.Client.GetAsync("/api/v1/me");
        anonymous.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }
}
