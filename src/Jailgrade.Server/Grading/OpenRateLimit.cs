using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Jailgrade.Server.Internal;
using Microsoft.Extensions.DependencyInjection;

namespace Jailgrade.Server.Grading;

/// <summary>
/// The open endpoints' limit: a fixed window per client IP address on the server's clock
/// (docs/registry.md, "API"). A refusal is a 429 problem details with Retry-After in whole seconds:
/// the time left in the window.
/// </summary>
internal static class OpenRateLimit
{
    public static IServiceCollection AddOpenRateLimit(this IServiceCollection services, RegistryServerOptions options) =>
        services.AddRateLimiter(limiter =>
        {
            limiter.AddPolicy(GradingEndpoints.RateLimitPolicy, context => RateLimitPartition.Get(
                context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new ClockWindowLimiter(context.RequestServices.GetRequiredService<TimeProvider>(), options.OpenPermits, options.OpenWindow)));
            limiter.OnRejected = async (rejected, cancellationToken) =>
            {
                var response = rejected.HttpContext.Response;
                var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : options.OpenWindow;
                var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
                response.StatusCode = StatusCodes.Status429TooManyRequests;
                response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                await TypedResults.Problem($"more than {options.OpenPermits} requests in {options.OpenWindow.TotalSeconds:0} s from this address; retry after {seconds} s",
                    statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests").ExecuteAsync(rejected.HttpContext);
            };
        });
}
