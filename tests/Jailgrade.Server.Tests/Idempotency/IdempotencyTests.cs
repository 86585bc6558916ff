using System.Net;
using System.Text;
using System.Text.Json;
using Jailgrade.Registry.Idempotency;
using Jailgrade.Registry.Persistence;
using Jailgrade.Registry.Tests.TestSupport;
using Microsoft.EntityFrameworkCore;

namespace Jailgrade.Server.Tests.Idempotency;

/// <summary>
/// <c>Idempotency-Key</c> on POSTs, over real HTTP, on SQLite and on PostgreSQL (docs/registry.md,
/// "Idempotency").
/// </summary>
public class IdempotencyTests
{
    private const string Key = "Idempotency-Key";

    [Fact]
    public Task Retry_SameKeyAndBody_ReturnsTheFirstResponseByteForByteAndWritesOnce_Sqlite() => RetryReturnsTheFirstResponse(DatabaseProvider.Sqlite);

    [PostgresFact]
    public Task Retry_SameKeyAndBody_ReturnsTheFirstResponseByteForByteAndWritesOnce_Postgres() => RetryReturnsTheFirstResponse(DatabaseProvider.PostgreSql);

    [Fact]
    public Task Retry_SameKeyOtherBody_Is422AndWritesNothing_Sqlite() => OtherBodyIs422(DatabaseProvider.Sqlite);

    [PostgresFact]
    public Task Retry_SameKeyOtherBody_Is422AndWritesNothing_Postgres() => OtherBodyIs422(DatabaseProvider.PostgreSql);

    [Fact]
    public Task Retry_WhileTheFirstIsInFlight_Is409ThenReplaysOnceItFinished_Sqlite() => InFlightIs409(DatabaseProvider.Sqlite);

    [PostgresFact]
    public Task Retry_WhileTheFirstIsInFlight_Is409ThenReplaysOnceItFinished_Postgres() => InFlightIs409(DatabaseProvider.PostgreSql);

    [Fact]
    public Task SameKey_AnotherUser_GetsItsOwnResult_Sqlite() => AnotherUserGetsItsOwnResult(DatabaseProvider.Sqlite);

    [PostgresFact]
    public Task SameKey_AnotherUser_GetsItsOwnResult_Postgres() => AnotherUserGetsItsOwnResult(DatabaseProvider.PostgreSql);

    [Fact]
    public Task SameKey_After24Hours_IsFreeAgainAndTheExpiredRowRemoved_Sqlite() => FreeAfter24Hours(DatabaseProvider.Sqlite);

    [PostgresFact]
    public Task SameKey_After24Hours_IsFreeAgainAndTheExpiredRowRemoved_Postgres() => FreeAfter24Hours(DatabaseProvider.PostgreSql);

    [Fact]
    public Task Reservation_HeldPastItsLease_IsTakenOverAndTheLateHolderWritesNothing_Sqlite() => TakenOverPastTheLease(DatabaseProvider.Sqlite);

    [PostgresFact]
    public Task Reservation_HeldPastItsLease_IsTakenOverAndTheLateHolderWritesNothing_Postgres() => TakenOverPastTheLease(DatabaseProvider.PostgreSql);

    [Fact]
    public async Task Request_RefusedBeforeWriting_KeepsNothingAndTheKeyServesTheCorrectedBody()
    {
        await using var registry = await TestRegistry.CreateAsync();

        using var refused = await PostAsync(registry, "/api/v1/orgs", registry.AdminKey, """{"name":"Fixed Lab","kind":"government"}""", "key-1");
        using var corrected = await PostAsync(registry, "/api/v1/orgs", registry.AdminKey, """{"name":"Fixed Lab","kind":"lab"}""", "key-1");

        refused.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        corrected.StatusCode.ShouldBe(HttpStatusCode.Created, await corrected.Content.ReadAsStringAsync());
        corrected.Headers.Contains("Idempotent-Replayed").ShouldBeFalse();
    }

    [Fact]
    public async Task Request_FailingWithAnError_KeepsNothingAndTheRetryRuns()
    {
        await using var registry = await TestRegistry.CreateAsync(start: false);
        var calls = 0;
        await using var server = await StartAsync(registry, _ =>
            Interlocked.Increment(ref calls) == 1 ? throw new InvalidOperationException("the handler failed") : Task.CompletedTask);

        using var failed = await PostAsync(registry, "/api/v1/orgs", registry.AdminKey, """{"name":"Retried Lab","kind":"lab"}""", "key-1");
        using var retry = await PostAsync(registry, "/api/v1/orgs", registry.AdminKey, """{"name":"Retried Lab","kind":"lab"}""", "key-1");

        failed.StatusCode.ShouldBe(HttpStatusCode.InternalServerError);
        retry.StatusCode.ShouldBe(HttpStatusCode.Created, "the failed request's key was freed, not left in flight");
        retry.Headers.Contains("Idempotent-Replayed").ShouldBeFalse();
    }

    [Fact]
    public async Task Request_RefusedInsideItsWrite_IsKeptAndReplayedAsItWasSent()
    {
        await using var registry = await TestRegistry.CreateAsync();
        using var existing = await PostAsync(registry, "/api/v1/orgs", registry.AdminKey, """{"name":"Taken","kind":"lab"}""", key: null);
        var takenId = await IdOfAsync(existing);

        // The name check runs inside the write transaction: its 409 is the write's outcome, kept with the key.
        using var conflict = await PostAsync(registry, "/api/v1/orgs", registry.AdminKey, """{"name":"Taken","kind":"lab"}""", "key-1");
        using var renamed = await registry.SendAsync(HttpMethod.Patch, $"/api/v1/orgs/{takenId}", registry.AdminKey, """{"name":"Free now"}""", ifMatch: "\"v1\"");
        using var retry = await PostAsync(registry, "/api/v1/orgs", registry.AdminKey, """{"name":"Taken","kind":"lab"}""", "key-1");

        conflict.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        renamed.StatusCode.ShouldBe(HttpStatusCode.OK);
        retry.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        retry.Headers.GetValues("Idempotent-Replayed").ShouldBe(["true"]);
        (await retry.Content.ReadAsByteArrayAsync()).ShouldBe(await conflict.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("")]
    [InlineData("\"\"")]
    [InlineData("a\tb")]
    [InlineData(null)]
    public async Task Key_EmptyTooLongOrNotPrintableAscii_Is400NamingTheHeader(string? key)
    {
        await using var registry = await TestRegistry.CreateAsync();

        using var response = await PostAsync(registry, "/api/v1/orgs", registry.AdminKey, """{"name":"Never","kind":"lab"}""", key ?? new string('k', IdempotencyKeys.MaxKeyLength + 1));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        problem.RootElement.GetProperty("header").GetString().ShouldBe(Key);
        problem.RootElement.GetProperty("detail").GetString()!.ShouldContain("1 to 255 printable ASCII characters");
        (await CountOrganizationsAsync(registry, "Never")).ShouldBe(0);
    }

    [Fact]
    public async Task Key_LongestAllowedAndQuoted_AreAccepted()
    {
        await using var registry = await TestRegistry.CreateAsync();
        var longest = new string('k', IdempotencyKeys.MaxKeyLength);

        using var bare = await PostAsync(registry, "/api/v1/orgs", registry.AdminKey, """{"name":"Long","kind":"lab"}""", longest);
        using var quoted = await PostAsync(registry, "/api/v1/orgs", registry.AdminKey, """{"name":"Long","kind":"lab"}""", $"\"{longest}\"");

        bare.StatusCode.ShouldBe(HttpStatusCode.Created);
        quoted.StatusCode.ShouldBe(HttpStatusCode.Created, "the quoted form names the same key: the first response again");
        quoted.Headers.GetValues("Idempotent-Replayed").ShouldBe(["true"]);
    }

    [Fact]
    public async Task Key_OnTheOpenScoreEndpoint_IsIgnored()
    {
        await using var registry = await TestRegistry.CreateAsync();

        using var first = await PostAsync(registry, "/api/v1/score", key: "key-1", bearer: null,
            json: """{"vector": "JG:1.0/UN:U/RL:H/AC:L/AR:N/HD:CY/UP:3/BR:W/FD:H/EX:P/DP:G"}""");
        using var other = await PostAsync(registry, "/api/v1/score", key: "key-1", bearer: null,
            json: """{"vector": "JG:1.0/UN:U/RL:L/AC:L/AR:N/HD:CY/UP:3/BR:W/FD:H/EX:P/DP:G"}""");

        first.StatusCode.ShouldBe(HttpStatusCode.OK);
        other.StatusCode.ShouldBe(HttpStatusCode.OK, "an open endpoint keeps nothing: another body under the same key is simply scored");
        (await other.Content.ReadAsStringAsync()).ShouldContain("RL:L");
        await using var db = registry.Database.CreateContext();
        (await db.IdempotencyKeys.CountAsync()).ShouldBe(0);
    }

    [Fact]
    public async Task StoredResponse_HoldingANewUsersApiKey_IsSealedNotInClear()
    {
        await using var registry = await TestRegistry.CreateAsync();
        var lab = await registry.OrganizationOfAsync(registry.LabKey);

        using var created = await PostAsync(registry, "/api/v1/users", registry.LabKey, $$"""{"organization":"{{lab}}","name":"carol","role":"reporter"}""", "key-1");
        using var replay = await PostAsync(registry, "/api/v1/users", registry.LabKey, $$"""{"organization":"{{lab}}","name":"carol","role":"reporter"}""", "key-1");

        created.StatusCode.ShouldBe(HttpStatusCode.Created);
        using var body = JsonDocument.Parse(await created.Content.ReadAsStringAsync());
        var apiKey = body.RootElement.GetProperty("apiKey").GetString()!;
        (await replay.Content.ReadAsStringAsync()).ShouldContain(apiKey, Case.Sensitive, "the caller who lost the first response gets its key again");
        replay.Headers.CacheControl!.NoStore.ShouldBeTrue();
        await using var db = registry.Database.CreateContext();
        var stored = (await db.IdempotencyKeys.SingleAsync()).Response!;
        // The secret is base64url, so it may itself hold '_', even first: split into four parts only.
        var secret = apiKey.Split('_', 4)[3];
        secret.Length.ShouldBeGreaterThan(20);
        Encoding.Latin1.GetString(stored).ShouldNotContain(secret);
        Encoding.Latin1.GetString(stored).ShouldNotContain("carol");
    }

    private static async Task RetryReturnsTheFirstResponse(DatabaseProvider provider)
    {
        await using var registry = await TestRegistry.CreateAsync(provider: provider);
        var eventsBefore = await CountEventsAsync(registry);
        const string Body = """{"name":"EU AI Office","kind":"authority"}""";

        using var first = await PostAsync(registry, "/api/v1/orgs", registry.AdminKey, Body, "8e03978e-40d5-43e8-bc93-6894a57f9324");
        using var retry = await PostAsync(registry, "/api/v1/orgs", registry.AdminKey, Body, "8e03978e-40d5-43e8-bc93-6894a57f9324");

        first.StatusCode.ShouldBe(HttpStatusCode.Created);
        retry.StatusCode.ShouldBe(HttpStatusCode.Created);
        retry.Headers.Location.ShouldBe(first.Headers.Location);
        retry.Headers.ETag.ShouldBe(first.Headers.ETag);
        retry.Content.Headers.ContentType.ShouldBe(first.Content.Headers.ContentType);
        (await retry.Content.ReadAsByteArrayAsync()).ShouldBe(await first.Content.ReadAsByteArrayAsync());
        retry.Headers.GetValues("Idempotent-Replayed").ShouldBe(["true"]);
        first.Headers.Contains("Idempotent-Replayed").ShouldBeFalse();
        (await CountOrganizationsAsync(registry, "EU AI Office")).ShouldBe(1);
        (await CountEventsAsync(registry)).ShouldBe(eventsBefore + 1);
    }

    private static async Task OtherBodyIs422(DatabaseProvider provider)
    {
        await using var registry = await TestRegistry.CreateAsync(provider: provider);

        using var first = await PostAsync(registry, "/api/v1/orgs", registry.AdminKey, """{"name":"First","kind":"lab"}""", "key-1");
        using var other = await PostAsync(registry, "/api/v1/orgs", registry.AdminKey, """{"name":"Second","kind":"lab"}""", "key-1");

        first.StatusCode.ShouldBe(HttpStatusCode.Created);
        other.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        other.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await other.Content.ReadAsStringAsync()).ShouldContain("different request");
        (await CountOrganizationsAsync(registry, "Second")).ShouldBe(0);
    }

    private static async Task InFlightIs409(DatabaseProvider provider)
    {
        await using var registry = await TestRegistry.CreateAsync(start: false, provider: provider);
        var gate = new RequestGate();
        await using var server = await StartAsync(registry, gate);
        const string Body = """{"name":"Slow Lab","kind":"lab"}""";

        var held = PostAsync(registry, "/api/v1/orgs", registry.AdminKey, Body, "key-1");
        await gate.Reached.Task.WaitAsync(TimeSpan.FromSeconds(30));
        using var during = await PostAsync(registry, "/api/v1/orgs", registry.AdminKey, Body, "key-1");
        gate.Release.SetResult();
        using var first = await held;
        using var after = await PostAsync(registry, "/api/v1/orgs", registry.AdminKey, Body, "key-1");

        during.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await during.Content.ReadAsStringAsync()).ShouldContain("still in flight");
        first.StatusCode.ShouldBe(HttpStatusCode.Created);
        after.StatusCode.ShouldBe(HttpStatusCode.Created);
        (await after.Content.ReadAsByteArrayAsync()).ShouldBe(await first.Content.ReadAsByteArrayAsync());
        (await CountOrganizationsAsync(registry, "Slow Lab")).ShouldBe(1);
    }

    private static async Task AnotherUserGetsItsOwnResult(DatabaseProvider provider)
    {
        await using var registry = await TestRegistry.CreateAsync(provider: provider);
        var lab = await registry.OrganizationOfAsync(registry.LabKey);
        var userBody = $$"""{"organization":"{{lab}}","name":"carol","role":"reporter"}""";

        using var adminFirst = await PostAsync(registry, "/api/v1/orgs", registry.AdminKey, """{"name":"Admin's Lab","kind":"lab"}""", "shared-key");
        using var labFirst = await PostAsync(registry, "/api/v1/users", registry.LabKey, userBody, "shared-key");
        using var adminRetry = await PostAsync(registry, "/api/v1/orgs", registry.AdminKey, """{"name":"Admin's Lab","kind":"lab"}""", "shared-key");
        using var labRetry = await PostAsync(registry, "/api/v1/users", registry.LabKey, userBody, "shared-key");

        adminFirst.StatusCode.ShouldBe(HttpStatusCode.Created);
        labFirst.StatusCode.ShouldBe(HttpStatusCode.Created, "the key is the lab user's own: the admin's use of it does not count");
        labFirst.Headers.Location!.ToString().ShouldStartWith("/api/v1/users/");
        (await adminRetry.Content.ReadAsByteArrayAsync()).ShouldBe(await adminFirst.Content.ReadAsByteArrayAsync());
        (await labRetry.Content.ReadAsByteArrayAsync()).ShouldBe(await labFirst.Content.ReadAsByteArrayAsync());
        labRetry.Headers.Location.ShouldBe(labFirst.Headers.Location);
    }

    private static async Task FreeAfter24Hours(DatabaseProvider provider)
    {
        await using var registry = await TestRegistry.CreateAsync(provider: provider);

        using var first = await PostAsync(registry, "/api/v1/orgs", registry.AdminKey, """{"name":"Day One","kind":"lab"}""", "key-1");
        registry.Time.Advance(IdempotencyKeys.Retention - TimeSpan.FromMilliseconds(1));
        using var lastMoment = await PostAsync(registry, "/api/v1/orgs", registry.AdminKey, """{"name":"Day Two","kind":"lab"}""", "key-1");
        registry.Time.Advance(TimeSpan.FromMilliseconds(1));
        using var nextDay = await PostAsync(registry, "/api/v1/orgs", registry.AdminKey, """{"name":"Day Two","kind":"lab"}""", "key-1");

        first.StatusCode.ShouldBe(HttpStatusCode.Created);
        lastMoment.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity, "the key is still kept a millisecond before 24 hours");
        nextDay.StatusCode.ShouldBe(HttpStatusCode.Created, "after 24 hours the key is free for a new request");
        nextDay.Headers.Contains("Idempotent-Replayed").ShouldBeFalse();
        await using var db = registry.Database.CreateContext();
        var rows = await db.IdempotencyKeys.AsNoTracking().ToListAsync();
        rows.Count.ShouldBe(1, "the expired row was removed");
        rows[0].CreatedAt.ShouldBe(registry.Time.GetUtcNow());
    }

    private static async Task TakenOverPastTheLease(DatabaseProvider provider)
    {
        await using var registry = await TestRegistry.CreateAsync(start: false, provider: provider);
        var gate = new RequestGate();
        await using var server = await StartAsync(registry, gate);

        // The first holder stalls before its handler (as a request would whose server died); past the
        // lease a retry takes the key over, and the stalled request's write, if it ever comes, is rolled back.
        var held = PostAsync(registry, "/api/v1/orgs", registry.AdminKey, """{"name":"Late Lab","kind":"lab"}""", "key-1");
        await gate.Reached.Task.WaitAsync(TimeSpan.FromSeconds(30));
        registry.Time.Advance(IdempotencyKeys.InFlightLease);
        using var retry = await PostAsync(registry, "/api/v1/orgs", registry.AdminKey, """{"name":"Prompt Lab","kind":"lab"}""", "key-1");
        gate.Release.SetResult();
        using var late = await held;

        retry.StatusCode.ShouldBe(HttpStatusCode.Created);
        late.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await late.Content.ReadAsStringAsync()).ShouldContain("took it over; nothing was written");
        (await CountOrganizationsAsync(registry, "Late Lab")).ShouldBe(0);
        (await CountOrganizationsAsync(registry, "Prompt Lab")).ShouldBe(1);
    }

    private static Task<RegistryServer> StartAsync(TestRegistry registry, RequestGate gate) => StartAsync(registry, _ => gate.HoldAsync());

    private static async Task<RegistryServer> StartAsync(TestRegistry registry, Func<Microsoft.AspNetCore.Http.HttpContext, Task> beforeHandler)
    {
        var server = await RegistryServer.StartAsync(new RegistryServerOptions
        {
            Database = registry.Database,
            MasterKeyPath = registry.MasterKeyPath,
            Port = 0,
            LogToConsole = false,
            BeforeIdempotentHandler = beforeHandler,
        }, registry.Time);
        registry.Client.BaseAddress = server.BaseAddress;
        return server;
    }

    private static Task<HttpResponseMessage> PostAsync(TestRegistry registry, string path, string? bearer, string json, string? key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (bearer is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + bearer);
        }

        if (key is not null)
        {
            request.Headers.TryAddWithoutValidation(Key, key);
        }

        return registry.Client.SendAsync(request);
    }

    private static async Task<Guid> IdOfAsync(HttpResponseMessage response)
    {
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("id").GetGuid();
    }

    private static async Task<int> CountOrganizationsAsync(TestRegistry registry, string name)
    {
        await using var db = registry.Database.CreateContext();
        return await db.Organizations.CountAsync(o => o.Name == name);
    }

    private static async Task<int> CountEventsAsync(TestRegistry registry)
    {
        await using var db = registry.Database.CreateContext();
        return await db.EventEnvelopes.CountAsync();
    }
}
