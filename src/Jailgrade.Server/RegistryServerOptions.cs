using Jailgrade.Registry.Persistence;
using Jailgrade.Server.Identity;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Jailgrade.Server;

/// <summary>How <see cref="RegistryServer"/> runs: its database, its master key and where it listens.</summary>
public sealed class RegistryServerOptions
{
    public required RegistryDatabase Database { get; init; }

    /// <summary>The master key file <c>jailgrade admin init</c> created; the server refuses to start without it.</summary>
    public required string MasterKeyPath { get; init; }

    /// <summary>
    /// More master key files (<c>serve --master-key-file</c> repeated). The one whose key the database
    /// records as current serves; the others only answer retries of idempotent requests stored under
    /// them (docs/deploy.md, "Rotating the master key").
    /// </summary>
    public IReadOnlyList<string> OtherMasterKeyPaths { get; init; } = [];

    /// <summary>The port on 127.0.0.1; 0 picks a free one.</summary>
    public int Port { get; init; } = 5080;

    /// <summary>Structured request and error logs on the console (off in tests).</summary>
    public bool LogToConsole { get; init; } = true;

    /// <summary>The OpenID Connect issuer whose bearer tokens are accepted beside API keys; null accepts API keys only.</summary>
    public OidcOptions? Oidc { get; init; }

    /// <summary>Adds to the server's logging, e.g. a provider that captures what is logged (tests).</summary>
    public Action<ILoggingBuilder>? ConfigureLogging { get; init; }

    /// <summary>Requests each client address may make to the open endpoints (score, decide) per <see cref="OpenWindow"/>.</summary>
    public int OpenPermits { get; init; } = 60;

    /// <summary>The fixed window the open endpoints' limit counts in.</summary>
    public TimeSpan OpenWindow { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>The default of <see cref="MaxConcurrentRequests"/>: below PostgreSQL's default of 100 connections, which is also Npgsql's default pool.</summary>
    public const int DefaultMaxConcurrentRequests = 64;

    /// <summary>The default of <see cref="MaxQueuedRequests"/>.</summary>
    public const int DefaultMaxQueuedRequests = 1024;

    /// <summary>API requests worked on at once (docs/deploy.md, "Capacity"); keep it below the database's connection limit.</summary>
    public int MaxConcurrentRequests { get; init; } = DefaultMaxConcurrentRequests;

    /// <summary>API requests that may wait for a turn beyond <see cref="MaxConcurrentRequests"/>; more are refused with 503 at once.</summary>
    public int MaxQueuedRequests { get; init; } = DefaultMaxQueuedRequests;

    /// <summary>Adds to the request traces, e.g. an exporter (tests use the in-memory one).</summary>
    public Action<TracerProviderBuilder>? ConfigureTracing { get; init; }

    /// <summary>Adds to the request metrics, e.g. an exporter (tests use the in-memory one).</summary>
    public Action<MeterProviderBuilder>? ConfigureMetrics { get; init; }

    /// <summary>Runs after a request reserved its Idempotency-Key, before its handler: tests hold a request in flight here.</summary>
    internal Func<Microsoft.AspNetCore.Http.HttpContext, Task>? BeforeIdempotentHandler { get; init; }
}
