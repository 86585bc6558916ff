using Jailgrade.Registry.Persistence;
using Jailgrade.Registry.Tests.TestSupport;
using Microsoft.EntityFrameworkCore;

namespace Jailgrade.Registry.Tests.Persistence;

/// <summary>The per-connection SQLite settings, which the pool's connections get once each (RegistryDatabase.SqlitePragmas).</summary>
public class SqliteConnectionTests
{
    [Fact]
    public async Task Context_OnEveryOpenOfAPooledConnection_HasFullSynchronousAndTheBusyWait()
    {
        await using var test = TestDatabase.Sqlite();
        await Migrator.MigrateAsync(test.Database);

        // Contexts one after another reuse the pool's native connection; several at once need more of them.
        var contexts = Enumerable.Range(0, 3).Select(_ => test.Database.CreateContext()).ToList();
        try
        {
            for (var round = 0; round < 2; round++)
            {
                foreach (var db in contexts)
                {
                    await db.Database.OpenConnectionAsync();
                }

                foreach (var db in contexts)
                {
                    (await Pragma(db, "synchronous")).ShouldBe(2L, "FULL");
                    (await Pragma(db, "busy_timeout")).ShouldBe(30_000L);
                }

                foreach (var db in contexts)
                {
                    await db.Database.CloseConnectionAsync();
                }
            }
        }
        finally
        {
            foreach (var db in contexts)
            {
                await db.DisposeAsync();
            }
        }
    }

    private static async Task<long> Pragma(Microsoft.EntityFrameworkCore.DbContext db, string name)
    {
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = $"PRAGMA {name}";
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
