using System.CommandLine;
using Jailgrade.Cli.Hosting;
using Jailgrade.Registry.Administration;
using Jailgrade.Registry.Identity;
using Jailgrade.Registry.Persistence;
using Jailgrade.Registry.Secrets;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Jailgrade.Cli.Commands.Registry.Internal;

/// <summary>What the registry verbs share: the database options, the master key path, key output and their errors.</summary>
internal static class RegistrySupport
{
    public static Option<string?> DbOption() => new("--db")
    {
        Description = "SQLite file, or PostgreSQL as Host=...;Database=...;Username=... with no password (JAILGRADE_DB; default ./jailgrade.db).",
        HelpName = "db",
    };

    public static Option<string?> MigrateDbOption() => new("--migrate-db")
    {
        Description = "PostgreSQL connection of the role that owns the tables and migrates them (JAILGRADE_MIGRATE_DB).",
        HelpName = "db",
    };

    public static Option<string?> MasterKeyOption(string description) => new("--master-key-file")
    {
        Description = description,
        HelpName = "path",
    };

    public static RegistryDatabase Database(CliContext context, string? db, string? migrateDb) =>
        RegistryDatabase.FromSettings(db, migrateDb, context.Environment);

    public static string MasterKeyPath(CliContext context, string? option) =>
        option ?? (context.Environment("JAILGRADE_MASTER_KEY_FILE") is { Length: > 0 } configured ? configured : MasterKey.DefaultPath(context.Environment));

    /// <summary>
    /// Writes a new API key to a new file readable by its owner only; refuses to overwrite a file. The
    /// key is shown on a terminal too, never in a pipe (SECURITY.md 1).
    /// </summary>
    public static async Task WriteKeyAsync(CliContext context, string key, string display, string? path)
    {
        if (path is null)
        {
            await context.Out.WriteLineAsync(key);
            await context.Error.WriteLineAsync($"API key {display} printed above; it is shown once and stored only as a hash.");
            return;
        }

        await using (var file = NewKeyFile(path))
        await using (var writer = new StreamWriter(file))
        {
            await writer.WriteLineAsync(key);
        }

        if (context.OutputIsTerminal)
        {
            await context.Out.WriteLineAsync(key);
        }

        await context.Error.WriteLineAsync($"API key {display} written to {path} (mode 600); it is shown once and stored only as a hash.");
    }

    /// <summary>A new file for an API key, readable and writable by its owner only; an existing file is never opened.</summary>
    public static FileStream NewKeyFile(string path)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        return new FileStream(path, options);
    }

    /// <summary>Runs a registry verb, turning what the user or the environment caused into its documented exit code.</summary>
    public static async Task<int> RunAsync(CliContext context, string verb, Func<Task<int>> work)
    {
        try
        {
            return await work();
        }
        catch (RegistryConfigurationException e)
        {
            return await FailAsync(context, verb, e.Message, ExitCode.UsageError);
        }
        catch (RegistryAdminException e)
        {
            return await FailAsync(context, verb, e.Message, ExitCode.InvalidInput);
        }
        catch (MasterKeyException e)
        {
            return await FailAsync(context, verb, e.Message, ExitCode.IoError);
        }
        catch (CaseSecretException e)
        {
            return await FailAsync(context, verb, e.Message, ExitCode.CorruptEvidence);
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification)
        {
            return await FailAsync(context, verb, $"PostgreSQL refused the credentials: {e.MessageText}; check the role and JAILGRADE_DB_PASSWORD_FILE or JAILGRADE_DB_PASSWORD", ExitCode.Unauthorized);
        }
        catch (PostgresException e)
        {
            return await FailAsync(context, verb, $"PostgreSQL refused: {e.MessageText} ({e.SqlState})", ExitCode.IoError);
        }
        catch (NpgsqlException e)
        {
            return await FailAsync(context, verb, $"cannot reach PostgreSQL: {e.Message}", ExitCode.ServerUnreachable);
        }
        catch (SqliteException e)
        {
            return await FailAsync(context, verb, $"SQLite database: {e.Message}", ExitCode.IoError);
        }
        catch (IOException e) when (e is not EndOfStreamException)
        {
            return await FailAsync(context, verb, e.Message, ExitCode.IoError);
        }
        catch (UnauthorizedAccessException e)
        {
            return await FailAsync(context, verb, e.Message, ExitCode.IoError);
        }
    }

    private static async Task<int> FailAsync(CliContext context, string verb, string message, ExitCode code)
    {
        await context.Error.WriteLineAsync($"jailgrade {verb}: {message}");
        return (int)code;
    }
}
