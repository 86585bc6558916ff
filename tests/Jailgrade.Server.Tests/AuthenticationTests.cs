using System.Net;
using System.Text.Json;
using Jailgrade.Registry.Identity;
using Jailgrade.Registry.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Jailgrade.Server.Tests;

public class AuthenticationTests
{
    [Fact]
    public async Task Me_NoKey_Is401ProblemDetailsAskingForABearerKey()
    {
        await using var registry = await TestRegistry.CreateAsync();

        using var response = await registry.Client.GetAsync("/api/v1/me");

        var problem = await ProblemAsync(response, HttpStatusCode.Unauthorized);
        problem.GetProperty("detail").GetString()!.ShouldContain("needs an API key");
        response.Headers.WwwAuthenticate.ToString().ShouldBe("Bearer");
    }

    [Fact]
    public async Task Me_RightKey_AnswersItsUserOrganizationAndRole()
    {
        await using var registry = await TestRegistry.CreateAsync();

        using var response = await registry.Client.SendAsync(TestRegistry.Get("/api/v1/me", "Bearer " + registry.LabKey));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        using var me = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        me.RootElement.GetProperty("name").GetString().ShouldBe("alice");
        me.RootElement.GetProperty("organizationName").GetString().ShouldBe("Example Lab");
        me.RootElement.GetProperty("role").GetString().ShouldBe("lab");
        ApiKeys.TryParse(registry.LabKey, out _, out var id, out _).ShouldBeTrue();
        me.RootElement.GetProperty("key").GetString().ShouldBe($"jg_live_{id}");
    }

    [Fact]
    public async Task Me_WrongKeys_AreEach401AndNeverEchoTheSecret()
    {
        await using var registry = await TestRegistry.CreateAsync();
        ApiKeys.TryParse(registry.LabKey, out _, out var id, out var secret).ShouldBeTrue();
        var forgedSecret = new string([.. secret.Reverse()]);
        var wrong = new[]
        {
            ("Bearer " + registry.LabKey[..^1] + (registry.LabKey[^1] == 'A' ? 'B' : 'A'), "unknown key"),   // one character of the secret changed
            ($"Bearer jg_live_{id}_{forgedSecret}", "unknown key"),                                           // right id, other secret
            ($"Bearer jg_live_0123456789abcdef_{secret}", "unknown key"),                                      // right secret, other id
            ($"Bearer jg_demo_{id}_{secret}", "unknown key"),                                                  // right key, wrong environment
            ("Bearer not-a-key", "not an API key"),
            ("Basic " + registry.LabKey, "not a Bearer credential"),
        };

        foreach (var (header, reason) in wrong)
        {
            using var response = await registry.Client.SendAsync(TestRegistry.Get("/api/v1/me", header));
            var body = await response.Content.ReadAsStringAsync();
            response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized, header);
            body.ShouldContain(reason, customMessage: header);
            body.ShouldNotContain(secret);
            body.ShouldNotContain(forgedSecret);
        }
    }

    [Fact]
    public async Task Me_ExpiredKey_Is401SayingSo()
    {
        await using var registry = await TestRegistry.CreateAsync();
        registry.Time.Advance(ApiKeys.DefaultLifetime);

        using var response = await registry.Client.SendAsync(TestRegistry.Get("/api/v1/me", "Bearer " + registry.LabKey));

        (await ProblemAsync(response, HttpStatusCode.Unauthorized)).GetProperty("detail").GetString()!.ShouldEndWith("expired");
    }

    [Fact]
    public async Task Me_RevokedKey_Is401SayingSo()
    {
        await using var registry = await TestRegistry.CreateAsync();
        ApiKeys.TryParse(registry.LabKey, out _, out var id, out _).ShouldBeTrue();
        await using (var db = registry.Database.CreateContext())
        {
            await db.ApiKeys.Where(k => k.Id == id).ExecuteUpdateAsync(s => s.SetProperty(k => k.RevokedAt, registry.Time.GetUtcNow()));
        }

        using var response = await registry.Client.SendAsync(TestRegistry.Get("/api/v1/me", "Bearer " + registry.LabKey));

        (await ProblemAsync(response, HttpStatusCode.Unauthorized)).GetProperty("detail").GetString()!.ShouldEndWith("is revoked");
    }

    [Fact]
    public async Task Me_KeyUsed_RecordsItsLastUseAtMostOncePerMinute()
    {
        await using var registry = await TestRegistry.CreateAsync();
        ApiKeys.TryParse(registry.LabKey, out _, out var id, out _).ShouldBeTrue();
        var first = registry.Time.GetUtcNow();

        (await registry.Client.SendAsync(TestRegistry.Get("/api/v1/me", "Bearer " + registry.LabKey))).Dispose();
        registry.Time.Advance(TimeSpan.FromSeconds(30));
        (await registry.Client.SendAsync(TestRegistry.Get("/api/v1/me", "Bearer " + registry.LabKey))).Dispose();
        (await LastUsedAsync(registry.Database, id)).ShouldBe(first);

        registry.Time.Advance(TimeSpan.FromSeconds(30));
        (await registry.Client.SendAsync(TestRegistry.Get("/api/v1/me", "Bearer " + registry.LabKey))).Dispose();
        (await LastUsedAsync(registry.Database, id)).ShouldBe(first.AddMinutes(1));
    }

    [Fact]
    public async Task Start_MasterKeyOfAnotherRegistry_IsRefused()
    {
        await using var registry = await TestRegistry.CreateAsync(start: false);
        File.Delete(registry.MasterKeyPath);
        MasterKey.Generate().WriteNew(registry.MasterKeyPath);

        var error = await Should.ThrowAsync<MasterKeyException>(registry.StartAsync);
        error.Message.ShouldContain("needs its current master key");
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Start_MasterKeyReadableByOthers_IsRefused()
    {
        await using var registry = await TestRegistry.CreateAsync(start: false);
        File.SetUnixFileMode(registry.MasterKeyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);

        var error = await Should.ThrowAsync<MasterKeyException>(registry.StartAsync);
        error.Message.ShouldContain("expected 600");
    }

    private static async Task<DateTimeOffset?> LastUsedAsync(RegistryDatabase database, string id)
    {
        await using var db = database.CreateContext();
        return await db.ApiKeys.Where(k => k.Id == id).Select(k => k.LastUsedAt).SingleAsync();
    }

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        response.StatusCode.ShouldBe(status);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        document.RootElement.GetProperty("status").GetInt32().ShouldBe((int)status);
        return document.RootElement.Clone();
    }
}
