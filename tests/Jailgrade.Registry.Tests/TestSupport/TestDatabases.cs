using Jailgrade.Registry.Persistence;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Jailgrade.Registry.Tests.TestSupport;

/// <summary>
/// Empty databases for tests: a SQLite file in a new temporary directory, or a new PostgreSQL database
/// owned by the migration role (<c>JAILGRADE_TEST_PG</c>, set by .ci/run) and used by the application
/// role (<c>JAILGRADE_TEST_PG_APP_USER</c>). Each is dropped on dispose.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private readonly string? _directory;
    private readonly string? _postgresName;

    private TestDatabase(RegistryDatabase database, string? directory, string? postgresName)
    {
        Database = database;
        _directory = directory;
        _postgresName = postgresName;
    }

    public RegistryDatabase Database { get; }

    public DatabaseProvider Provider => Database.Provider;

    public static Task<TestDatabase> CreateAsync(DatabaseProvider provider) =>
        provider == DatabaseProvider.Sqlite ? Task.FromResult(Sqlite()) : PostgresAsync();

    public static TestDatabase Sqlite()
    {
        var directory = Directory.CreateTempSubdirectory("jailgrade-registry-").FullName;
        return new TestDatabase(RegistryDatabase.Sqlite(Path.Combine(directory, "jailgrade.db")), directory, null);
    }

    public static async Task<TestDatabase> PostgresAsync()
    {
        var name = "jg_test_" + Guid.NewGuid().ToString("N")[..16];
        await using (var admin = new NpgsqlConnection(PostgresSettings.OwnerConnectionString("postgres")))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", admin);
            await create.ExecuteNonQueryAsync();
        }

        var database = RegistryDatabase.PostgreSql(
            PostgresSettings.WithoutPassword(name, PostgresSettings.AppUser), PostgresSettings.AppPassword,
            PostgresSettings.WithoutPassword(name, PostgresSettings.OwnerUser), PostgresSettings.OwnerPassword);
        return new TestDatabase(database, null, name);
    }

    /// <summary>A connection as the role that owns the tables (to inspect the schema, or try what the owner may).</summary>
    public System.Data.Common.DbConnection OpenOwnerConnection() => Database.OpenConnection(migration: true);

    public async ValueTask DisposeAsync()
    {
        if (_directory is not null)
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(_directory, recursive: true);
        }

        if (_postgresName is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await using var admin = new NpgsqlConnection(PostgresSettings.OwnerConnectionString("postgres"));
            await admin.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_postgresName} WITH (FORCE)", admin);
            await drop.ExecuteNonQueryAsync();
        }
    }
}

/// <summary>The test PostgreSQL server's settings, from the environment .ci/run exports.</summary>
public static class PostgresSettings
{
    private static readonly Lazy<string?> Unreachable = new(Probe);

    public static string? Configured => Environment.GetEnvironmentVariable("JAILGRADE_TEST_PG");

    public static string? OwnerPassword => Environment.GetEnvironmentVariable("JAILGRADE_TEST_PG_PASSWORD");

    public static string AppUser => Environment.GetEnvironmentVariable("JAILGRADE_TEST_PG_APP_USER") ?? "jailgrade_app";

    public static string? AppPassword => Environment.GetEnvironmentVariable("JAILGRADE_TEST_PG_APP_PASSWORD");

    public static string OwnerUser => new NpgsqlConnectionStringBuilder(Configured).Username ?? "jailgrade_owner";

    /// <summary>Why PostgreSQL tests cannot run here, or null when they can.</summary>
    public static string? WhyUnavailable => Unreachable.Value;

    public static string OwnerConnectionString(string database) =>
        new NpgsqlConnectionStringBuilder(Configured) { Database = database, Password = OwnerPassword }.ToString();

    public static string WithoutPassword(string database, string user) =>
        new NpgsqlConnectionStringBuilder(Configured) { Database = database, Username = user, Password = null }.ToString();

    private static string? Probe()
    {
        if (string.IsNullOrEmpty(Configured))
        {
            return "JAILGRADE_TEST_PG is not set: run the PostgreSQL block of .ci/run (it starts the server and exports the settings)";
        }

        try
        {
            using var connection = new NpgsqlConnection(OwnerConnectionString("postgres"));
            connection.Open();
            return null;
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or System.Net.Sockets.SocketException)
        {
            return $"PostgreSQL at {Configured} is unreachable ({e.Message})";
        }
    }
}

/// <summary>
/// A test that needs PostgreSQL. Locally it is skipped, with the reason, when the server is not
/// configured or unreachable; with <c>CI=true</c> it always runs, so CI fails rather than skips.
/// </summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("CI") is not ("true" or "1") && PostgresSettings.WhyUnavailable is { } reason)
        {
            Skip = $"NEEDS POSTGRESQL, NOT TESTED HERE: {reason}";
        }
    }
}

/// <summary>
/// The PostgreSQL row of a theory over the provider (<c>[InlineData(DatabaseProvider.Sqlite)]</c> beside
/// it): skipped locally, with the reason, as <see cref="PostgresFactAttribute"/> is; always run in CI.
/// </summary>
public sealed class PostgresDataAttribute : Xunit.Sdk.DataAttribute
{
    public PostgresDataAttribute()
    {
        if (Environment.GetEnvironmentVariable("CI") is not ("true" or "1") && PostgresSettings.WhyUnavailable is { } reason)
        {
            Skip = $"NEEDS POSTGRESQL, NOT TESTED HERE: {reason}";
        }
    }

    public override IEnumerable<object[]> GetData(System.Reflection.MethodInfo testMethod) => [[DatabaseProvider.PostgreSql]];
}
