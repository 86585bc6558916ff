using System.Data.Common;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Npgsql;

namespace Jailgrade.Registry.Persistence;

/// <summary>Which database engine holds the registry.</summary>
public enum DatabaseProvider
{
    Sqlite,
    PostgreSql,
}

/// <summary>
/// Where the registry lives and how to reach it: a SQLite file, or PostgreSQL with the server's role
/// and (optionally) the role that owns the tables and runs migrations. Passwords come from files or
/// the environment (<see cref="FromSettings"/>), never from a connection string a user typed.
/// </summary>
public sealed partial class RegistryDatabase
{
    /// <summary>The default database: a SQLite file in the working directory.</summary>
    public const string DefaultSqlitePath = "jailgrade.db";

    private RegistryDatabase(DatabaseProvider provider, string connectionString, string migrationConnectionString, string display, string? sqlitePath, string? applicationRole)
    {
        Provider = provider;
        ConnectionString = connectionString;
        MigrationConnectionString = migrationConnectionString;
        Display = display;
        SqlitePath = sqlitePath;
        ApplicationRole = applicationRole;
    }

    public DatabaseProvider Provider { get; }

    /// <summary>The server's own connection (on PostgreSQL, the role with only the privileges it needs).</summary>
    internal string ConnectionString { get; }

    /// <summary>The connection that runs migrations (on PostgreSQL, the role that owns the tables).</summary>
    internal string MigrationConnectionString { get; }

    /// <summary>What may be shown of the database: a path, or host, port, database and role; never a password.</summary>
    public string Display { get; }

    /// <summary>The full path of the SQLite file; null on PostgreSQL.</summary>
    public string? SqlitePath { get; }

    /// <summary>On PostgreSQL, the server's role when another role owns the tables (it is granted privileges after migrating).</summary>
    public string? ApplicationRole { get; }

    /// <summary>A SQLite file (created when missing).</summary>
    public static RegistryDatabase Sqlite(string path)
    {
        var full = Path.GetFullPath(path);
        var connection = new SqliteConnectionStringBuilder { DataSource = full, ForeignKeys = true, DefaultTimeout = 30 }.ToString();
        return new RegistryDatabase(DatabaseProvider.Sqlite, connection, connection, full, full, null);
    }

    /// <summary>
    /// PostgreSQL from connection strings without passwords and passwords given apart. Without a
    /// migration connection, the server's role migrates (a development setup).
    /// </summary>
    public static RegistryDatabase PostgreSql(string connectionString, string? password, string? migrationConnectionString = null, string? migrationPassword = null)
    {
        var application = ParsePostgres(connectionString, "--db", password);
        var migration = migrationConnectionString is null ? application : ParsePostgres(migrationConnectionString, "--migrate-db", migrationPassword);
        var role = migration.Username == application.Username ? null : application.Username;
        if (role is not null && !RoleName().IsMatch(role))
        {
            throw new RegistryConfigurationException($"--db: role '{role}': expected a plain PostgreSQL role name (lower-case letters, digits, underscores)");
        }

        var display = $"postgresql {application.Host}:{application.Port}/{application.Database} as {application.Username}";
        return new RegistryDatabase(DatabaseProvider.PostgreSql, application.ToString(), migration.ToString(), display, null, role);
    }

    /// <summary>
    /// The database named by a <c>--db</c> value (or <c>JAILGRADE_DB</c>): a connection string with a
    /// <c>Host</c> is PostgreSQL, anything else a SQLite path. Passwords are read from
    /// <c>JAILGRADE_DB_PASSWORD_FILE</c> or <c>JAILGRADE_DB_PASSWORD</c> (and the <c>MIGRATE_</c> pair for
    /// the migration role).
    /// </summary>
    public static RegistryDatabase FromSettings(string? db, string? migrateDb, Func<string, string?> environment)
    {
        db ??= environment("JAILGRADE_DB");
        migrateDb ??= environment("JAILGRADE_MIGRATE_DB");
        if (string.IsNullOrWhiteSpace(db))
        {
            return migrateDb is null ? Sqlite(DefaultSqlitePath) : throw new RegistryConfigurationException("--migrate-db is for PostgreSQL: give the server's connection with --db too");
        }

        if (!LooksLikePostgres(db))
        {
            return migrateDb is null ? Sqlite(db) : throw new RegistryConfigurationException("--migrate-db is for PostgreSQL; a SQLite database migrates itself");
        }

        return PostgreSql(db, Password("JAILGRADE_DB", environment), migrateDb, migrateDb is null ? null : Password("JAILGRADE_MIGRATE_DB", environment));
    }

    private static readonly DatabaseTelemetry SqliteTelemetry = new(DatabaseProvider.Sqlite);
    private static readonly DatabaseTelemetry PostgresTelemetry = new(DatabaseProvider.PostgreSql);

    /// <summary>
    /// Tests only: an interceptor added to every context made after it is set (QueryPredicateTests
    /// reads the SQL the server runs). Never set outside tests.
    /// </summary>
    internal IInterceptor? TestInterceptor { get; set; }

    // The server's options, built once (again only when a test sets its interceptor): every request
    // makes a context, and its options need not be built each time.
    private ServerOptions? _serverOptions;

    private sealed record ServerOptions(IInterceptor? Test, DbContextOptions<RegistryDbContext> Options);

    /// <summary>A new context on the server's connection.</summary>
    public RegistryDbContext CreateContext()
    {
        var built = _serverOptions;
        if (built is null || built.Test != TestInterceptor)
        {
            _serverOptions = built = new ServerOptions(TestInterceptor, Options(ConnectionString));
        }

        return new(built.Options);
    }

    /// <summary>A new context on the migration role's connection: the operator's verbs, which work on the database directly.</summary>
    public RegistryDbContext CreateOwnerContext() => new(Options(MigrationConnectionString));

    internal DbContextOptions<RegistryDbContext> Options(string connectionString)
    {
        var builder = new DbContextOptionsBuilder<RegistryDbContext>();
        if (Provider == DatabaseProvider.Sqlite)
        {
            builder.UseSqlite(connectionString).AddInterceptors(SqlitePragmas.Instance);
        }
        else
        {
            builder.UseNpgsql(connectionString);
        }

        builder.AddInterceptors(Provider == DatabaseProvider.Sqlite ? SqliteTelemetry : PostgresTelemetry);
        if (TestInterceptor is not null)
        {
            builder.AddInterceptors(TestInterceptor);
        }

        // Never log parameter values or data (SECURITY.md 7): the defaults, stated so a change shows.
        builder.EnableSensitiveDataLogging(false).EnableDetailedErrors(false);
        return builder.Options;
    }

    /// <summary>Opens an ADO connection: the migration role's when <paramref name="migration"/>.</summary>
    internal DbConnection OpenConnection(bool migration)
    {
        var connectionString = migration ? MigrationConnectionString : ConnectionString;
        DbConnection connection = Provider == DatabaseProvider.Sqlite ? new SqliteConnection(connectionString) : new NpgsqlConnection(connectionString);
        connection.Open();
        if (connection is SqliteConnection sqlite)
        {
            SqlitePragmas.Apply(sqlite);
        }

        return connection;
    }

    private static bool LooksLikePostgres(string value) =>
        value.Contains('=', StringComparison.Ordinal) && value.Split(';').Any(part => part.Trim().StartsWith("host=", StringComparison.OrdinalIgnoreCase) || part.Trim().StartsWith("server=", StringComparison.OrdinalIgnoreCase));

    /// <summary>How many statements each PostgreSQL connection keeps prepared unless the connection string says otherwise.</summary>
    public const int AutoPrepared = 64;

    // Npgsql's builder answers every keyword it knows (set or not), so the keys as written are read;
    // Npgsql takes "Max Auto Prepare" with or without its spaces, in any case.
    private static bool NamesMaxAutoPrepare(string connectionString) =>
        new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString }.Keys.Cast<string>()
            .Any(k => k.Replace(" ", "", StringComparison.Ordinal).Equals("MaxAutoPrepare", StringComparison.OrdinalIgnoreCase));

    private static NpgsqlConnectionStringBuilder ParsePostgres(string connectionString, string option, string? password)
    {
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException e)
        {
            throw new RegistryConfigurationException($"{option}: not a PostgreSQL connection string ({e.Message}); expected Host=...;Database=...;Username=...");
        }

        if (!string.IsNullOrEmpty(builder.Password))
        {
            throw new RegistryConfigurationException($"{option}: the connection string holds a password; remove it and give the password in a file (JAILGRADE_DB_PASSWORD_FILE) or the environment (JAILGRADE_DB_PASSWORD)");
        }

        if (string.IsNullOrEmpty(builder.Username) || string.IsNullOrEmpty(builder.Database))
        {
            throw new RegistryConfigurationException($"{option}: expected Username=... and Database=... in the connection string");
        }

        builder.Password = password;
        builder.IncludeErrorDetail = false;
        if (!NamesMaxAutoPrepare(connectionString))
        {
            // Statements used twice are prepared on their connection, so PostgreSQL plans a case page's
            // query once per connection instead of on every request (docs/deploy.md, "PostgreSQL"). A
            // connection string that names Max Auto Prepare keeps its own (0 behind PgBouncer's
            // transaction pooling).
            builder.MaxAutoPrepare = AutoPrepared;
        }
        return builder;
    }

    private static string? Password(string prefix, Func<string, string?> environment)
    {
        if (environment(prefix + "_PASSWORD_FILE") is { Length: > 0 } file)
        {
            try
            {
                return File.ReadAllText(file).TrimEnd('\r', '\n');
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new RegistryConfigurationException($"{prefix}_PASSWORD_FILE: cannot read '{file}': {e.Message}");
            }
        }

        return environment(prefix + "_PASSWORD");
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex RoleName();

    /// <summary>
    /// Per-connection SQLite settings: full durability (the record must survive a power cut) and a busy
    /// wait. They hold for the native connection's life, and the pool hands the same native connection
    /// out again and again (EF opens and closes it around every query): each gets them once, not on
    /// every open.
    /// </summary>
    private sealed class SqlitePragmas : DbConnectionInterceptor
    {
        public static readonly SqlitePragmas Instance = new();

        private static readonly ConditionalWeakTable<SQLitePCL.sqlite3, object> Applied = [];

        public static void Apply(SqliteConnection connection)
        {
            if (connection.Handle is { } native && Applied.TryGetValue(native, out _))
            {
                return;
            }

            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA synchronous = FULL; PRAGMA busy_timeout = 30000;";
            command.ExecuteNonQuery();
            if (connection.Handle is { } handle)
            {
                Applied.AddOrUpdate(handle, Instance);
            }
        }

        public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Apply((SqliteConnection)connection);

        public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            Apply((SqliteConnection)connection);
            return Task.CompletedTask;
        }
    }
}

/// <summary>The registry's database settings are wrong (the message says which and what was expected).</summary>
public sealed class RegistryConfigurationException(string message) : Exception(message);
