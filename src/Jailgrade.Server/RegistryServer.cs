using System.Net;
using Jailgrade.Registry;
using Jailgrade.Registry.Administration;
using Jailgrade.Registry.Identity;
using Jailgrade.Registry.Persistence;
using Jailgrade.Server.Accreditations;
using Jailgrade.Server.ApiDocs;
using Jailgrade.Server.Authorities;
using Jailgrade.Server.Capacity;
using Jailgrade.Server.Cases;
using Jailgrade.Server.Grading;
using Jailgrade.Server.Health;
using Jailgrade.Server.Idempotency;
using Jailgrade.Server.Identity;
using Jailgrade.Server.Internal;
using Jailgrade.Server.Organizations;
using Jailgrade.Server.Releases;
using Jailgrade.Server.Users;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using System.Xml.Linq;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.HttpLogging;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Jailgrade.Server;

/// <summary>
/// The registry's HTTP server: migrates the database, checks the master key, and serves the API on
/// loopback. <c>jailgrade serve</c> hosts it; tests start it on a free port.
/// </summary>
public sealed class RegistryServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private RegistryServer(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    /// <summary>Where the server listens, e.g. <c>http://127.0.0.1:5080/</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>The running server's services, for tests that check its configuration.</summary>
    internal IServiceProvider Services => _app.Services;

    /// <summary>Fires when the host is asked to stop (SIGTERM, Ctrl+C).</summary>
    public CancellationToken Stopping => _app.Lifetime.ApplicationStopping;

    /// <summary>
    /// Migrates, loads the master key the database was initialized with, and starts listening.
    /// </summary>
    /// <exception cref="MasterKeyException">The key file is missing, unsafe, or not this registry's.</exception>
    /// <exception cref="RegistryConfigurationException">The database is not initialized or its schema is foreign.</exception>
    public static async Task<RegistryServer> StartAsync(RegistryServerOptions options, TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        var database = options.Database;
        var keyFiles = (IReadOnlyList<string>)[options.MasterKeyPath, .. options.OtherMasterKeyPaths];
        var keys = keyFiles.Select(MasterKey.Load).ToList();
        await Migrator.MigrateAsync(database, cancellationToken);
        MasterKeyRing ring;
        await using (var db = database.CreateContext())
        {
            var settings = await db.Settings.Where(s => s.Name == RegistryAdmin.MasterKeyIdSetting || s.Name == MasterKeyRotation.TargetSetting).ToDictionaryAsync(s => s.Name, s => s.Value, cancellationToken);
            var recorded = settings.GetValueOrDefault(RegistryAdmin.MasterKeyIdSetting)
                ?? throw new RegistryConfigurationException($"{database.Display} is not initialized; run 'jailgrade admin init' first");
            if (settings.GetValueOrDefault(MasterKeyRotation.TargetSetting) is { } target)
            {
                throw new MasterKeyException($"a rotation of {database.Display}'s master key from {recorded} to {target} is unfinished; run 'jailgrade admin rotate-master-key' again to finish it, then start the server with key {target}");
            }

            var current = keys.FirstOrDefault(k => k.Id == recorded)
                ?? throw new MasterKeyException($"{database.Display} needs its current master key {recorded}, but the key files given hold {string.Join(", ", keys.Zip(keyFiles, (k, f) => $"{k.Id} ({f})"))}; give the file of key {recorded} with --master-key-file");
            ring = new MasterKeyRing(current, [.. keys.Where(k => k.Id != recorded)]);
        }

        var masterKey = ring.Current;

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        if (options.LogToConsole)
        {
            // JSON lines on stderr: stdout carries data only (the base URL).
            builder.Logging.AddJsonConsole(o => o.IncludeScopes = false);
            builder.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
            // A failure to start surfaces as an exception the caller reports in one line, not as a stack trace here.
            builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None);
            builder.Logging.AddFilter("Microsoft.EntityFrameworkCore", LogLevel.Warning);
            builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
            // One line per request (method, path, status, duration), from HTTP logging; not the hosting
            // layer's two, which also carry the query string.
            builder.Logging.AddFilter("Microsoft.AspNetCore.HttpLogging", LogLevel.Information);
        }

        options.ConfigureLogging?.Invoke(builder.Logging);

        // The API authenticates with bearer keys and reads no cookies: nothing needs a persisted
        // Data Protection key ring. Authentication still registers Data Protection, whose hosted
        // service made and stored an unencrypted key under ~/.aspnet; the ring now lives in memory only
        // (SECURITY.md 4: a persisted ring would have to be derived from the master key).
        builder.Services.AddSingleton<IDataProtectionProvider>(new EphemeralDataProtectionProvider());
        builder.Services.Configure<KeyManagementOptions>(o => o.XmlRepository = new InMemoryXmlRepository());
        builder.Logging.AddFilter("Microsoft.AspNetCore.DataProtection", LogLevel.Error);

        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, options.Port);
            // Also bounds a chunked body, which has no Content-Length to check up front.
            k.Limits.MaxRequestBodySize = StrictJson.MaxBodyBytes;
        });
        builder.Services.AddSingleton(time ?? TimeProvider.System);
        builder.Services.AddSingleton(database);
        builder.Services.AddSingleton(masterKey);
        builder.Services.AddSingleton(ring);
        builder.Services.AddScoped(_ => database.CreateContext());
        builder.Services.AddProblemDetails();
        // An allowlist of what a request's log line holds: never a header, a query string or a body (SECURITY.md 7).
        builder.Services.AddHttpLogging(o =>
        {
            o.LoggingFields = HttpLoggingFields.RequestMethod | HttpLoggingFields.RequestPath | HttpLoggingFields.ResponseStatusCode | HttpLoggingFields.Duration;
            o.CombineLogs = true;
        });
        builder.Services.AddRegistryAuthentication(options.Oidc);
        builder.Services.AddCases();
        builder.Services.AddOpenRateLimit(options);
        builder.Services.AddTelemetry(options);
        builder.Services.AddApiCapacity(options);
        // Deny by default: every endpoint needs a signed-in caller unless it says otherwise.
        builder.Services.AddAuthorizationBuilder().SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());

        builder.Services.AddApiDocs();

        var app = builder.Build();
        app.UseHttpLogging();
        app.UseSecurityHeaders();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseApiCapacity();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        app.UseIdempotency(options);

        app.MapHealth();
        var api = app.MapGroup("/api/v1").WithCommonProblems();
        api.MapIdentity();
        api.MapOrganizations();
        api.MapUsers();
        api.MapGrading();
        api.MapCases();
        api.MapReleases();
        api.MapAccreditations();
        api.MapAuthorities();
        app.MapApiDocs();

        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new RegistryServer(app, new Uri(address.EndsWith('/') ? address : address + "/"));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>
/// The master keys a server holds: the current one, which serves, and older ones kept configured after
/// a rotation, which only open the idempotent answers stored under them (docs/deploy.md).
/// </summary>
internal sealed record MasterKeyRing(MasterKey Current, IReadOnlyList<MasterKey> Older)
{
    /// <summary>The current key first, then the older ones.</summary>
    public IEnumerable<MasterKey> All => [Current, .. Older];
}

/// <summary>A Data Protection key ring kept in memory: written nowhere, gone when the process ends.</summary>
internal sealed class InMemoryXmlRepository : IXmlRepository
{
    private readonly List<XElement> _elements = [];

    public IReadOnlyCollection<XElement> GetAllElements()
    {
        lock (_elements)
        {
            return [.. _elements.Select(e => new XElement(e))];
        }
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        lock (_elements)
        {
            _elements.Add(new XElement(element));
        }
    }
}
