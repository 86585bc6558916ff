using System.CommandLine;
using Jailgrade.Cli.Commands.Evaluation;
using Jailgrade.Cli.Commands.Registry.Internal;
using Jailgrade.Cli.Hosting;
using Jailgrade.Server;
using Jailgrade.Server.Identity;

namespace Jailgrade.Cli.Commands.Registry;

/// <summary><c>jailgrade serve</c>: the case registry's HTTP API on loopback.</summary>
internal static class ServeCommand
{
    private const int MaxConcurrent = 10_000;
    private const int MaxQueued = 100_000;

    public static Command Create(CliContext context)
    {
        var db = RegistrySupport.DbOption();
        var migrateDb = RegistrySupport.MigrateDbOption();
        var masterKey = new Option<string[]>("--master-key-file")
        {
            Description = "The registry's current master key; repeated, also older keys kept after a rotation to answer idempotent retries (JAILGRADE_MASTER_KEY_FILE names one; default ~/.config/jailgrade/master.key).",
            HelpName = "path",
        };
        var port = new Option<int>("--port") { Description = "Port on 127.0.0.1 (0 picks a free one).", DefaultValueFactory = _ => 5080 };
        var oidcIssuer = new Option<string?>("--oidc-issuer") { Description = "OpenID Connect issuer whose access tokens are accepted beside API keys, exactly as tokens carry it in 'iss'; https only (JAILGRADE_OIDC_ISSUER; none by default).", HelpName = "url" };
        var oidcAudience = new Option<string?>("--oidc-audience") { Description = "The API's own audience: tokens must name it in 'aud' (JAILGRADE_OIDC_AUDIENCE; required with an issuer).", HelpName = "aud" };
        var oidcOrgClaim = new Option<string?>("--oidc-org-claim") { Description = $"Token claim naming the caller's organization (JAILGRADE_OIDC_ORG_CLAIM; default {OidcOptions.DefaultOrganizationClaim}).", HelpName = "claim" };
        var oidcRoleClaim = new Option<string?>("--oidc-role-claim") { Description = $"Token claim naming the caller's role (JAILGRADE_OIDC_ROLE_CLAIM; default {OidcOptions.DefaultRoleClaim}).", HelpName = "claim" };
        var maxConcurrent = new Option<int>("--max-concurrent-requests")
        {
            Description = $"API requests worked on at once, 1 to {MaxConcurrent}; keep it below the database's connection limit (docs/deploy.md, \"Capacity\").",
            DefaultValueFactory = _ => RegistryServerOptions.DefaultMaxConcurrentRequests,
            HelpName = "n",
        };
        var maxQueued = new Option<int>("--max-queued-requests")
        {
            Description = $"API requests that may wait for a turn, 0 to {MaxQueued}; beyond them a request gets 503 with Retry-After at once.",
            DefaultValueFactory = _ => RegistryServerOptions.DefaultMaxQueuedRequests,
            HelpName = "n",
        };
        var command = new VerbCommand("serve", "Serve the case registry's API on 127.0.0.1.", """
            Migrates the database first (SQLite ./jailgrade.db by default; PostgreSQL with --db, its password
            from JAILGRADE_DB_PASSWORD_FILE or JAILGRADE_DB_PASSWORD), refuses to start without the master key the
            registry was initialized with, prints its base URL and serves until Ctrl+C. Logs are JSON lines on
            stderr. /healthz and /readyz need no key; /api/v1 needs 'Authorization: Bearer <API key>', or an access
            token from the one OpenID Connect issuer named by --oidc-issuer (docs/registry.md, "Identity").
            """)
        {
            db, migrateDb, masterKey, port, oidcIssuer, oidcAudience, oidcOrgClaim, oidcRoleClaim, maxConcurrent, maxQueued,
        };
        command.WithExample("jailgrade serve", "the registry in ./jailgrade.db on http://127.0.0.1:5080")
            .WithExample("JAILGRADE_DB_PASSWORD_FILE=/run/secrets/db jailgrade serve --db \"Host=db;Database=jailgrade;Username=jailgrade_app\" --migrate-db \"Host=db;Database=jailgrade;Username=jailgrade_owner\"",
                "PostgreSQL, migrating as the owner role and serving as the app role (the owner's password from JAILGRADE_MIGRATE_DB_PASSWORD_FILE)")
            .WithExample("jailgrade serve --oidc-issuer https://login.example.com/realms/jailgrade --oidc-audience https://registry.example.com/api",
                "also accept access tokens from one OpenID Connect issuer; organization and role from its jailgrade_org and jailgrade_role claims");
        command.SetAction((parseResult, cancellationToken) => RegistrySupport.RunAsync(context, "serve", async () =>
        {
            var listen = parseResult.GetValue(port);
            if (listen is < 0 or > 65_535)
            {
                await context.Error.WriteLineAsync($"jailgrade serve: --port {listen}: expected a port from 0 to 65535 (0 picks a free one).");
                return (int)ExitCode.UsageError;
            }

            var concurrent = parseResult.GetValue(maxConcurrent);
            if (concurrent is < 1 or > MaxConcurrent)
            {
                await context.Error.WriteLineAsync($"jailgrade serve: --max-concurrent-requests {concurrent}: expected 1 to {MaxConcurrent}.");
                return (int)ExitCode.UsageError;
            }

            var queued = parseResult.GetValue(maxQueued);
            if (queued is < 0 or > MaxQueued)
            {
                await context.Error.WriteLineAsync($"jailgrade serve: --max-queued-requests {queued}: expected 0 to {MaxQueued}.");
                return (int)ExitCode.UsageError;
            }

            var options = new RegistryServerOptions
            {
                Database = RegistrySupport.Database(context, parseResult.GetValue(db), parseResult.GetValue(migrateDb)),
                MasterKeyPath = RegistrySupport.MasterKeyPath(context, parseResult.GetValue(masterKey) is [var first, ..] ? first : null),
                OtherMasterKeyPaths = parseResult.GetValue(masterKey) is [_, .. var others] ? others : [],
                Port = listen,
                MaxConcurrentRequests = concurrent,
                MaxQueuedRequests = queued,
                Oidc = OidcOptions.Create(
                    parseResult.GetValue(oidcIssuer) ?? context.Environment("JAILGRADE_OIDC_ISSUER"),
                    parseResult.GetValue(oidcAudience) ?? context.Environment("JAILGRADE_OIDC_AUDIENCE"),
                    parseResult.GetValue(oidcOrgClaim) ?? context.Environment("JAILGRADE_OIDC_ORG_CLAIM"),
                    parseResult.GetValue(oidcRoleClaim) ?? context.Environment("JAILGRADE_OIDC_ROLE_CLAIM")),
            };
            RegistryServer started;
            try
            {
                started = await RegistryServer.StartAsync(options, context.Time, cancellationToken);
            }
            catch (Exception e) when (MockTargetCommand.IsAddressInUse(e))
            {
                await context.Error.WriteLineAsync($"jailgrade serve: port {listen} on 127.0.0.1 is already in use; choose another with --port (0 picks a free one) or stop what holds it.");
                return (int)ExitCode.PortInUse;
            }

            await using var server = started;
            await context.Out.WriteLineAsync(server.BaseAddress.ToString().TrimEnd('/'));
            await context.Out.FlushAsync(cancellationToken);
            await context.Error.WriteLineAsync($"Registry on {options.Database.Display} listening on {server.BaseAddress}; Ctrl+C stops it.");
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, server.Stopping);
            // Ctrl+C or SIGTERM ends the wait: a clean stop is the normal end of this verb. ForceYielding: the stop
            // is signalled on the signal-handling thread, and stopping the host there (which unregisters its
            // own signal handlers) deadlocked now and then instead of exiting.
            await Task.Delay(Timeout.Infinite, stop.Token).ConfigureAwait(ConfigureAwaitOptions.ForceYielding | ConfigureAwaitOptions.SuppressThrowing);

            return (int)ExitCode.Success;
        }));
        return command;
    }
}
