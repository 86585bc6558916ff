using Jailgrade.Registry.Persistence;
using Jailgrade.Registry.Tests.TestSupport;

namespace Jailgrade.Registry.Tests.Persistence;

public class MigratorTests
{
    [Fact]
    public Task Migrate_EmptySqliteFile_SchemaEqualsTheModel() => SchemaEqualsTheModel(DatabaseProvider.Sqlite);

    [PostgresFact]
    public Task Migrate_EmptyPostgresDatabase_SchemaEqualsTheModel() => SchemaEqualsTheModel(DatabaseProvider.PostgreSql);

    [PostgresFact]
    public async Task Migrate_Postgres_GrantsTheServerRoleExactlyItsPrivileges()
    {
        await using var test = await TestDatabase.PostgresAsync();
        await Migrator.MigrateAsync(test.Database);

        await using var owner = test.OpenOwnerConnection();
        var expected = SchemaReader.Sorted(Schema.ApplicationPrivileges.SelectMany(p => p.Value.Select(v => $"{p.Key} {v}")));
        (await SchemaReader.PrivilegesAsync(owner, PostgresSettings.AppUser)).ShouldBe(expected);
        expected.ShouldNotContain("event_envelopes UPDATE");
        expected.ShouldNotContain("event_envelopes DELETE");
    }

    [Fact]
    public Task Migrate_SqliteTwice_AppliesNothingTheSecondTime() => AppliesNothingTheSecondTime(DatabaseProvider.Sqlite);

    [PostgresFact]
    public Task Migrate_PostgresTwice_AppliesNothingTheSecondTime() => AppliesNothingTheSecondTime(DatabaseProvider.PostgreSql);

    [Fact]
    public async Task Migrate_AppliedMigrationEditedSince_IsRefusedNamingIt()
    {
        await using var test = TestDatabase.Sqlite();
        await Migrator.MigrateAsync(test.Database);
        await using (var owner = test.OpenOwnerConnection())
        {
            await using var command = owner.CreateCommand();
            command.CommandText = $"UPDATE {Schema.MigrationsTable} SET sha256 = 'aaaaaaaaaaaaaaaaaaaaaaaa' WHERE version = 1";
            await command.ExecuteNonQueryAsync();
        }

        var error = await Should.ThrowAsync<RegistryConfigurationException>(() => Migrator.MigrateAsync(test.Database));
        error.Message.ShouldContain("migration 0001_initial differs from the one applied");
    }

    [Fact]
    public async Task Migrate_DatabaseFromNewerJailgrade_IsRefused()
    {
        await using var test = TestDatabase.Sqlite();
        await Migrator.MigrateAsync(test.Database);
        await using (var owner = test.OpenOwnerConnection())
        {
            await using var command = owner.CreateCommand();
            command.CommandText = $"INSERT INTO {Schema.MigrationsTable} VALUES (9999, 'future', 'x', 0)";
            await command.ExecuteNonQueryAsync();
        }

        var error = await Should.ThrowAsync<RegistryConfigurationException>(() => Migrator.MigrateAsync(test.Database));
        error.Message.ShouldContain("version 9999, newer than this jailgrade knows");
    }

    private static async Task SchemaEqualsTheModel(DatabaseProvider provider)
    {
        await using var test = await TestDatabase.CreateAsync(provider);
        (await Migrator.MigrateAsync(test.Database)).ShouldBe(Migrator.Migrations(provider).Count);

        await using var db = test.Database.CreateContext();
        await using var connection = test.OpenOwnerConnection();
        var actual = await SchemaReader.FromDatabaseAsync(connection, provider);
        var expected = SchemaReader.FromModel(db);
        actual.Except(expected).ShouldBeEmpty("in the migrated database but not in the model");
        expected.Except(actual).ShouldBeEmpty("in the model but not in the migrated database");

        var triggers = provider == DatabaseProvider.Sqlite ? Schema.SqliteTriggers : Schema.PostgresTriggers;
        (await SchemaReader.TriggersAsync(connection, provider)).ShouldBe(SchemaReader.Sorted(triggers.Select(t => $"{t.Table} {t.Trigger}")));
        (await Migrator.CurrentVersionAsync(test.Database)).ShouldBe(Migrator.LatestVersion(provider));
    }

    private static async Task AppliesNothingTheSecondTime(DatabaseProvider provider)
    {
        await using var test = await TestDatabase.CreateAsync(provider);
        (await Migrator.MigrateAsync(test.Database)).ShouldBeGreaterThan(0);
        (await Migrator.MigrateAsync(test.Database)).ShouldBe(0);
    }
}
