using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;

namespace Jailgrade.Server.Tests.Capacity;

/// <summary>
/// docs/deploy.md, "Capacity": at most so many API requests at once and so many waiting; beyond both a
/// request is refused at once with 503 and Retry-After, while the health endpoints still answer. A
/// POST held in flight (the idempotency hook) keeps its turn, so the tests need no timing.
/// </summary>
public sealed class CapacityTests
{
    [Fact]
    public async Task Request_BeyondTheRequestsInProgressAndNoQueue_Is503WithRetryAfter_AndHealthStillAnswers()
    {
        await using var registry = await TestRegistry.CreateAsync(start: false);
        var hold = new RequestGate();
        await using var server = await StartAsync(registry, hold, concurrent: 1, queued: 0);

        var held = PostOrgAsync(registry, "Held Lab");
        await hold.Reached.Task;
        using var refused = await registry.SendAsync(HttpMethod.Get, "/api/v1/orgs", registry.AdminKey);
        using var health = await registry.Client.GetAsync(new Uri("/healthz", UriKind.Relative));
        hold.Release.SetResult();
        using var first = await held;
        using var after = await registry.SendAsync(HttpMethod.Get, "/api/v1/orgs", registry.AdminKey);

        refused.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        refused.Headers.RetryAfter.ShouldBe(new RetryConditionHeaderValue(TimeSpan.FromSeconds(1)));
        refused.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json");
        using (var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()))
        {
            problem.RootElement.GetProperty("title").GetString().ShouldBe("At capacity");
            problem.RootElement.GetProperty("detail").GetString().ShouldBe("the server is at capacity (1 requests in progress and 0 waiting); retry after 1 s");
        }

        health.StatusCode.ShouldBe(HttpStatusCode.OK);
        first.StatusCode.ShouldBe(HttpStatusCode.Created);
        after.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Request_WithinTheQueue_WaitsForItsTurn_AndOneBeyondItIsRefused()
    {
        await using var registry = await TestRegistry.CreateAsync(start: false);
        var hold = new RequestGate();
        await using var server = await StartAsync(registry, hold, concurrent: 1, queued: 1);

        var held = PostOrgAsync(registry, "Held Lab");
        await hold.Reached.Task;
        var waiting = PostOrgAsync(registry, "Waiting Lab");
        await QueuedAsync(server, 1);
        using var refused = await registry.SendAsync(HttpMethod.Get, "/api/v1/orgs", registry.AdminKey);
        waiting.IsCompleted.ShouldBeFalse();
        hold.Release.SetResult();
        using var first = await held;
        using var second = await waiting;

        refused.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        first.StatusCode.ShouldBe(HttpStatusCode.Created);
        second.StatusCode.ShouldBe(HttpStatusCode.Created, await second.Content.ReadAsStringAsync());
    }

    // Waits until the server counts that many requests in its queue (they cannot leave it while the
    // held one keeps the only turn); no clock is involved, only the limiter's own count.
    private static async Task QueuedAsync(RegistryServer server, long count)
    {
        var capacity = server.Services.GetRequiredService<Jailgrade.Server.Capacity.ApiCapacity>();
        var give = System.Diagnostics.Stopwatch.StartNew();
        while (capacity.Waiting < count)
        {
            give.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(30), "the request never reached the queue");
            await Task.Yield();
        }
    }

    private static Task<HttpResponseMessage> PostOrgAsync(TestRegistry registry, string name)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/orgs")
        {
            Content = new StringContent($$"""{"name":"{{name}}","kind":"lab"}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + registry.AdminKey);
        request.Headers.TryAddWithoutValidation("Idempotency-Key", "key-" + name);
        return registry.Client.SendAsync(request);
    }

    private static async Task<RegistryServer> StartAsync(TestRegistry registry, RequestGate hold, int concurrent, int queued)
    {
        var server = await RegistryServer.StartAsync(new RegistryServerOptions
        {
            Database = registry.Database,
            MasterKeyPath = registry.MasterKeyPath,
            Port = 0,
            LogToConsole = false,
            MaxConcurrentRequests = concurrent,
            MaxQueuedRequests = queued,
            BeforeIdempotentHandler = _ => hold.HoldAsync(),
        }, registry.Time);
        registry.Client.BaseAddress = server.BaseAddress;
        return server;
    }
}
