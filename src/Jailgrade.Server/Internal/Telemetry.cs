using Jailgrade.Registry.Persistence;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Jailgrade.Server.Internal;

/// <summary>
/// OpenTelemetry request traces and metrics (<c>http.server.request.duration</c> and the rest of
/// ASP.NET Core's meter) and database time (<see cref="DatabaseTelemetry"/>: a client span per command
/// under the request's span, and <c>db.client.operation.duration</c>). Nothing leaves the process unless the standard
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> variable names a collector; spans carry the route, never a body
/// or an Authorization header.
/// </summary>
internal static class Telemetry
{
    public const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    public static IServiceCollection AddTelemetry(this IServiceCollection services, RegistryServerOptions options)
    {
        var otlp = !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(OtlpEndpointVariable));
        services.AddOpenTelemetry()
            .WithTracing(tracing =>
            {
                tracing.AddAspNetCoreInstrumentation().AddSource(DatabaseTelemetry.Name);
                if (otlp)
                {
                    tracing.AddOtlpExporter();
                }

                options.ConfigureTracing?.Invoke(tracing);
            })
            .WithMetrics(metrics =>
            {
                metrics.AddAspNetCoreInstrumentation().AddMeter(DatabaseTelemetry.Name, Capacity.ApiCapacity.MeterName);
                if (otlp)
                {
                    metrics.AddOtlpExporter();
                }

                options.ConfigureMetrics?.Invoke(metrics);
            });
        return services;
    }
}
