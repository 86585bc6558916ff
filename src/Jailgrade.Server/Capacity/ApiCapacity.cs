using System.Diagnostics.Metrics;
using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Jailgrade.Server.Capacity;

/// <summary>
/// How many API requests the server works on at once, and how many may wait for a turn
/// (docs/deploy.md, "Capacity"). Beyond both, a request is refused at once with 503 and
/// <c>Retry-After</c> instead of queueing until the database's connections run out: an overloaded
/// server answers every request quickly, some with "come back", none with a 500 after a long wait.
/// <c>/healthz</c>, <c>/readyz</c> and the API docs are outside the limit, so a probe still answers.
/// </summary>
internal sealed class ApiCapacity : IDisposable
{
    public const string MeterName = "Jailgrade.Server.Capacity";

    private readonly ConcurrencyLimiter _limiter;
    private readonly Meter _meter = new(MeterName);
    private readonly Counter<long> _shed;

    public ApiCapacity(int concurrent, int queued)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(concurrent, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(queued);
        Concurrent = concurrent;
        Queued = queued;
        _limiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = concurrent,
            QueueLimit = queued,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
        _shed = _meter.CreateCounter<long>("jailgrade.server.requests_shed", unit: "{request}", description: "API requests refused with 503 because the server was at capacity");
    }

    public int Concurrent { get; }

    public int Queued { get; }

    /// <summary>Requests waiting for a turn now.</summary>
    public long Waiting => _limiter.GetStatistics()?.CurrentQueuedCount ?? 0;

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (!context.Request.Path.StartsWithSegments("/api", StringComparison.Ordinal))
        {
            await next(context);
            return;
        }

        using var lease = await _limiter.AcquireAsync(1, context.RequestAborted);
        if (!lease.IsAcquired)
        {
            _shed.Add(1);
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            context.Response.Headers.RetryAfter = "1";
            await TypedResults.Problem(
                $"the server is at capacity ({Concurrent.ToString(CultureInfo.InvariantCulture)} requests in progress and {Queued.ToString(CultureInfo.InvariantCulture)} waiting); retry after 1 s",
                statusCode: StatusCodes.Status503ServiceUnavailable, title: "At capacity").ExecuteAsync(context);
            return;
        }

        await next(context);
    }

    public void Dispose()
    {
        _limiter.Dispose();
        _meter.Dispose();
    }
}

/// <summary>Registers and applies <see cref="ApiCapacity"/>.</summary>
internal static class ApiCapacityExtensions
{
    public static IServiceCollection AddApiCapacity(this IServiceCollection services, RegistryServerOptions options) =>
        services.AddSingleton(new ApiCapacity(options.MaxConcurrentRequests, options.MaxQueuedRequests));

    public static IApplicationBuilder UseApiCapacity(this IApplicationBuilder app)
    {
        var capacity = app.ApplicationServices.GetRequiredService<ApiCapacity>();
        return app.Use(capacity.InvokeAsync);
    }
}
