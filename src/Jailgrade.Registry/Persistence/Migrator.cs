using System.Data.Common;
using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;

namespace Jailgrade.Registry.Persistence;

/// <summary>
/// Applies the SQL migrations in <c>Persistence/Migrations/{sqlite,postgres}</c> in order, in one
/// transaction, and records each file's SHA-256. On PostgreSQL it holds an advisory lock so instances
/// starting together migrate one after another, and afterwards grants the server's role exactly
/// <see cref="Schema.ApplicationPrivileges"/>. The raw SQL of the registry lives here and in
/// <see cref="EventLog"/>'s lock only.
/// </summary>
public static class Migrator
{
    // Any fixed 64-bit number no other application on the database uses: "jgmigrat".
    private const long MigrationLock = 0x6a676d6967726174;

    /// <summary>A migration shipped with this build.</summary>
    public sealed record Migration(int Version, string Name, string Sql)
    {
        public string Sha256 { get; } = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Sql)));
    }

    /// <summary>The migrations this build ships for a provider, in order.</summary>
    public static IReadOnlyList<Migration> Migrations(DatabaseProvider provider)
    {
        var folder = provider == DatabaseProvider.Sqlite ? "sqlite" : "postgres";
        var prefix = $"Jailgrade.Registry.Migrations.{folder}/";
        var assembly = typeof(Migrator).Assembly;
        return [.. assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal))
            .Select(n => Read(assembly, n, n[prefix.Length..]))
            .OrderBy(m => m.Version)];
    }

    /// <summary>The schema version this build expects (the last migration's number).</summary>
    public static int LatestVersion(DatabaseProvider provider) => Migrations(provider)[^1].Version;

    /// <summary>Brings the database to <see cref="LatestVersion"/>; returns how many migrations were applied.</summary>
    public static Task<int> MigrateAsync(RegistryDatabase database, CancellationToken cancellationToken = default) =>
        MigrateAsync(database, int.MaxValue, cancellationToken);

    /// <summary>
    /// Brings the database to version <paramref name="upTo"/> at most: tests of a migration's backfill
    /// put rows in the schema before it. The server role's grants are set only at the latest version.
    /// </summary>
    internal static async Task<int> MigrateAsync(RegistryDatabase database, int upTo, CancellationToken cancellationToken = default)
    {
        await using var connection = database.OpenConnection(migration: true);
        if (database.Provider == DatabaseProvider.Sqlite)
        {
            // Readers never block the writer; persistent in the file, and only settable outside a transaction.
            await using var wal = connection.CreateCommand();
            wal.CommandText = "PRAGMA journal_mode = WAL";
            await wal.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var transaction = await BeginAsync(connection, database.Provider, cancellationToken);
        if (database.Provider == DatabaseProvider.PostgreSql)
        {
            await ExecuteAsync(connection, transaction, $"SELECT pg_advisory_xact_lock({MigrationLock})", cancellationToken);
        }

        var timestamp = database.Provider == DatabaseProvider.Sqlite ? "INTEGER" : "timestamptz";
        await ExecuteAsync(connection, transaction,
            $"CREATE TABLE IF NOT EXISTS {Schema.MigrationsTable} (version INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL, sha256 TEXT NOT NULL, applied_at {timestamp} NOT NULL)",
            cancellationToken);
        var applied = await AppliedAsync(connection, transaction, cancellationToken);
        var shipped = Migrations(database.Provider);
        foreach (var (version, sha256) in applied)
        {
            var migration = shipped.FirstOrDefault(m => m.Version == version);
            if (migration is null)
            {
                throw new RegistryConfigurationException(
                    $"the database's schema is at version {applied.Keys.Max()}, newer than this jailgrade knows ({shipped[^1].Version}); upgrade jailgrade");
            }

            if (migration.Sha256 != sha256)
            {
                throw new RegistryConfigurationException(
                    $"migration {version:0000}_{migration.Name} differs from the one applied to this database (sha256 {sha256[..12]}…, this build {migration.Sha256[..12]}…); released migrations must never change");
            }
        }

        var count = 0;
        foreach (var migration in shipped.Where(m => !applied.ContainsKey(m.Version) && m.Version <= upTo))
        {
            await ExecuteAsync(connection, transaction, migration.Sql, cancellationToken);
            await using var record = connection.CreateCommand();
            record.Transaction = transaction;
            record.CommandText = database.Provider == DatabaseProvider.Sqlite
                ? $"INSERT INTO {Schema.MigrationsTable} VALUES ({migration.Version}, '{migration.Name}', '{migration.Sha256}', CAST(unixepoch('subsec') * 1000 AS INTEGER))"
                : $"INSERT INTO {Schema.MigrationsTable} VALUES ({migration.Version}, '{migration.Name}', '{migration.Sha256}', now())";
            await record.ExecuteNonQueryAsync(cancellationToken);
            count++;
        }

        if (database.ApplicationRole is { } role && upTo >= shipped[^1].Version)
        {
            // Exactly the listed privileges, whatever was granted before (REVOKE first).
            foreach (var (table, privileges) in Schema.ApplicationPrivileges)
            {
                await ExecuteAsync(connection, transaction, $"REVOKE ALL ON {table} FROM {role}; GRANT {string.Join(", ", privileges)} ON {table} TO {role}", cancellationToken);
            }
        }

        await transaction.CommitAsync(cancellationToken);
        return count;
    }

    /// <summary>The schema version of the database (0 when it has never been migrated), read with the server's role.</summary>
    public static async Task<int> CurrentVersionAsync(RegistryDatabase database, CancellationToken cancellationToken = default)
    {
        await using var connection = database.OpenConnection(migration: false);
        await using var command = connection.CreateCommand();
        command.CommandText = database.Provider == DatabaseProvider.Sqlite
            ? $"SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '{Schema.MigrationsTable}'"
            : $"SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = '{Schema.MigrationsTable}'";
        if (Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture) == 0)
        {
            return 0;
        }

        command.CommandText = $"SELECT coalesce(max(version), 0) FROM {Schema.MigrationsTable}";
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }

    private static async Task<DbTransaction> BeginAsync(DbConnection connection, DatabaseProvider provider, CancellationToken cancellationToken) =>
        provider == DatabaseProvider.Sqlite
            // Microsoft.Data.Sqlite: a non-deferred transaction is BEGIN IMMEDIATE (takes the write lock now).
            ? ((Microsoft.Data.Sqlite.SqliteConnection)connection).BeginTransaction(deferred: false)
            : await connection.BeginTransactionAsync(cancellationToken);

    private static async Task<Dictionary<int, string>> AppliedAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"SELECT version, sha256 FROM {Schema.MigrationsTable}";
        var applied = new Dictionary<int, string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            applied[reader.GetInt32(0)] = reader.GetString(1);
        }

        return applied;
    }

    private static async Task ExecuteAsync(DbConnection connection, DbTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static Migration Read(Assembly assembly, string resource, string fileName)
    {
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var stem = Path.GetFileNameWithoutExtension(fileName);
        var split = stem.IndexOf('_', StringComparison.Ordinal);
        return new Migration(int.Parse(stem[..split], CultureInfo.InvariantCulture), stem[(split + 1)..], reader.ReadToEnd());
    }
}
