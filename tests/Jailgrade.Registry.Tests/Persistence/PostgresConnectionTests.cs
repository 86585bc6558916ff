using Jailgrade.Registry.Persistence;
using Npgsql;

namespace Jailgrade.Registry.Tests.Persistence;

/// <summary>What the registry adds to a PostgreSQL connection string it is given (docs/deploy.md, "PostgreSQL").</summary>
public sealed class PostgresConnectionTests
{
    [Fact]
    public void ConnectionString_WithoutAutoPrepare_PreparesStatementsUsedTwice()
    {
        var database = RegistryDatabase.PostgreSql("Host=127.0.0.1;Database=jailgrade;Username=jailgrade_app", "app-password", "Host=127.0.0.1;Database=jailgrade;Username=jailgrade_owner", "owner-password");

        new NpgsqlConnectionStringBuilder(database.ConnectionString).MaxAutoPrepare.ShouldBe(RegistryDatabase.AutoPrepared);
        new NpgsqlConnectionStringBuilder(database.MigrationConnectionString).MaxAutoPrepare.ShouldBe(RegistryDatabase.AutoPrepared);
    }

    [Theory]
    [InlineData("Max Auto Prepare=0")]
    [InlineData("MaxAutoPrepare=0")]
    [InlineData("max auto prepare=0")]
    public void ConnectionString_NamingMaxAutoPrepare_KeepsItsOwn(string setting)
    {
        var database = RegistryDatabase.PostgreSql($"Host=127.0.0.1;Database=jailgrade;Username=jailgrade_app;{setting}", "app-password");

        new NpgsqlConnectionStringBuilder(database.ConnectionString).MaxAutoPrepare.ShouldBe(0);
    }
}
