using System.Diagnostics;
using Jailgrade.Registry.Persistence;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Jailgrade.Server.Tests;

public class TelemetryTests
{
    [Fact]
    public async Task Healthz_Request_IsRecordedAsASpanWithTheRouteAndADurationMetric()
    {
        await using var registry = await TestRegistry.CreateAsync(start: false);
        var spans = new List<Activity>();
        var metrics = new List<MetricSnapshot>();
        var options = new RegistryServerOptions
        {
            Database = registry.Database,
            MasterKeyPath = registry.MasterKeyPath,
            Port = 0,
            LogToConsole = false,
            ConfigureTracing = tracing => tracing.AddInMemoryExporter(spans),
            ConfigureMetrics = meters => meters.AddInMemoryExporter(metrics),
        };
        var server = await RegistryServer.StartAsync(options, registry.Time);
        var port = server.BaseAddress.Port;
        using (var client = new HttpClient { BaseAddress = server.BaseAddress })
        {
            using var response = await client.GetAsync("/healthz");
            response.EnsureSuccessStatusCode();
        }

        // Stopping the server flushes both providers: no waiting on an export interval.
        await server.DisposeAsync();

        // ASP.NET Core's activity source and meter are process-wide: other tests' servers, running
        // alongside, are recorded too. This server's spans are told apart by their port.
        var span = spans.Where(s => Equals(s.GetTagItem("server.port"), port)).ShouldHaveSingleItem();
        span.Kind.ShouldBe(ActivityKind.Server);
        span.GetTagItem("http.route").ShouldBe("/healthz");
        span.GetTagItem("http.response.status_code").ShouldBe(200);
        var duration = metrics.Where(m => m.Name == "http.server.request.duration").ShouldHaveSingleItem();
        var routes = new List<object?>();
        foreach (var point in duration.MetricPoints)
        {
            foreach (var tag in point.Tags)
            {
                if (tag.Key == "http.route")
                {
                    routes.Add(tag.Value);
                }
            }
        }

        routes.ShouldContain("/healthz");
    }

    [Fact]
    public async Task ApiRequest_DatabaseCommands_AreClientSpansUnderTheRequestAndADurationMetric_WithoutSqlText()
    {
        await using var registry = await TestRegistry.CreateAsync(start: false);
        var spans = new List<Activity>();
        var metrics = new List<MetricSnapshot>();
        var server = await RegistryServer.StartAsync(new RegistryServerOptions
        {
            Database = registry.Database,
            MasterKeyPath = registry.MasterKeyPath,
            Port = 0,
            LogToConsole = false,
            ConfigureTracing = tracing => tracing.AddInMemoryExporter(spans),
            ConfigureMetrics = meters => meters.AddInMemoryExporter(metrics),
        }, registry.Time);
        var port = server.BaseAddress.Port;
        using (var client = new HttpClient { BaseAddress = server.BaseAddress })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/orgs");
            request.Headers.Authorization = new("Bearer", registry.AdminKey);
            using var response = await client.SendAsync(request);
            response.EnsureSuccessStatusCode();
        }

        await server.DisposeAsync();

        var requestSpan = spans.Where(s => Equals(s.GetTagItem("server.port"), port)).ShouldHaveSingleItem();
        var databaseSpans = spans.Where(s => s.Source.Name == DatabaseTelemetry.Name && s.ParentSpanId == requestSpan.SpanId).ToList();
        // At least the key lookup and the list itself.
        databaseSpans.Count.ShouldBeGreaterThanOrEqualTo(2);
        databaseSpans.ShouldAllBe(s => s.Kind == ActivityKind.Client && (string?)s.GetTagItem("db.system.name") == "sqlite");
        databaseSpans.Select(s => s.GetTagItem("db.operation.name")).ShouldContain("SELECT");
        // The span sits inside the request and carries no statement text.
        databaseSpans.ShouldAllBe(s => s.StartTimeUtc >= requestSpan.StartTimeUtc && s.StartTimeUtc + s.Duration <= requestSpan.StartTimeUtc + requestSpan.Duration);
        databaseSpans.SelectMany(s => s.Tags).ShouldAllBe(t => !t.Value!.Contains("FROM", StringComparison.OrdinalIgnoreCase));

        var duration = metrics.Where(m => m.Name == DatabaseTelemetry.DurationInstrument).ShouldHaveSingleItem();
        duration.Unit.ShouldBe("s");
        duration.MetricPoints.ShouldNotBeEmpty();
    }

    [Fact]
    public async Task ApiRequest_IsLoggedOnceWithMethodPathStatusAndDuration_WithoutTheQueryOrAHeader()
    {
        await using var registry = await TestRegistry.CreateAsync(start: false);
        using var logs = new Jailgrade.Server.Tests.Security.CapturedLogs();
        registry.ConfigureLogging = logs.Configure;
        await registry.StartAsync();

        using var response = await registry.SendAsync(HttpMethod.Get, "/api/v1/orgs?kind=lab&changed_since=2026-01-01T00:00:00.000Z", registry.AdminKey);

        response.EnsureSuccessStatusCode();
        var line = logs.Entries.Where(e => e.Category.StartsWith("Microsoft.AspNetCore.HttpLogging", StringComparison.Ordinal)).ShouldHaveSingleItem().Text;
        line.ShouldContain("Method: GET");
        line.ShouldContain("Path: /api/v1/orgs");
        line.ShouldContain("StatusCode: 200");
        line.ShouldContain("Duration: ");
        line.ShouldNotContain("kind=lab");
        line.ShouldNotContain("changed_since");
        line.ShouldNotContain("Bearer");
        line.ShouldNotContain(registry.AdminKey[..20]);
    }
}
