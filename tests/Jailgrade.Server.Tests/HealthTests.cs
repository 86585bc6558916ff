using System.Net;
using System.Text.Json;
using Jailgrade.Registry.Persistence;
using Microsoft.Extensions.DependencyInjection;

namespace Jailgrade.Server.Tests;

public class HealthTests
{
    [Fact]
    public async Task Healthz_OverLoopback_AnswersOkWithoutAKey()
    {
        await using var registry = await TestRegistry.CreateAsync();
        registry.Server!.BaseAddress.Host.ShouldBe("127.0.0.1");

        using var response = await registry.Client.GetAsync("/healthz");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).ShouldBe("""{"status":"ok"}""");
    }

    [Fact]
    public async Task Readyz_DatabaseAtThisBuildsSchema_IsReady()
    {
        await using var registry = await TestRegistry.CreateAsync();

        using var response = await registry.Client.GetAsync("/readyz");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).ShouldBe("""{"status":"ready"}""");
    }

    [Fact]
    public async Task Readyz_SchemaBehindTheBuild_Answers503ProblemDetails()
    {
        await using var registry = await TestRegistry.CreateAsync();
        await using (var connection = registry.Database.OpenConnection(migration: true))
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"DELETE FROM {Schema.MigrationsTable}";
            await command.ExecuteNonQueryAsync();
        }

        using var response = await registry.Client.GetAsync("/readyz");

        response.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        problem.RootElement.GetProperty("status").GetInt32().ShouldBe(503);
        problem.RootElement.GetProperty("detail").GetString().ShouldBe($"the database's schema is at version 0; this server needs {Migrator.LatestVersion(DatabaseProvider.Sqlite)}");
    }

    [Fact]
    public async Task UnknownRoute_WithAKey_AnswersProblemDetails404()
    {
        await using var registry = await TestRegistry.CreateAsync();

        using var response = await registry.Client.SendAsync(TestRegistry.Get("/api/v1/nothing-here", "Bearer " + registry.LabKey));

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
    }

    [Fact]
    public async Task Server_DataProtectionKeyRing_IsKeptInMemoryAndWrittenNowhere()
    {
        // Regression: Data Protection's hosted service stored an unencrypted key under ~/.aspnet
        // (SECURITY.md 4: a persisted key ring must be derived from the master key; none is needed).
        await using var registry = await TestRegistry.CreateAsync();

        var options = registry.Server!.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.DataProtection.KeyManagement.KeyManagementOptions>>().Value;

        options.XmlRepository.ShouldBeOfType<InMemoryXmlRepository>();
    }
}
