using System.Data.Common;
using Jailgrade.Registry.Events;
using Jailgrade.Registry.Organizations;
using Jailgrade.Registry.Persistence;
using Jailgrade.Registry.Tests.TestSupport;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Jailgrade.Registry.Tests.Events;

public class EventLogTests
{
    [Fact]
    public Task Envelope_UpdateOrDeleteThroughTheServersConnection_IsRefusedOnSqlite() => EnvelopeChangesRefused(DatabaseProvider.Sqlite);

    [PostgresFact]
    public Task Envelope_UpdateOrDeleteThroughTheServersConnection_IsRefusedOnPostgres() => EnvelopeChangesRefused(DatabaseProvider.PostgreSql);

    [PostgresFact]
    public async Task Envelope_UpdateOrDeleteByTheTablesOwner_IsRefusedByTriggerOnPostgres()
    {
        await using var test = await MigratedAsync(DatabaseProvider.PostgreSql);
        await using (var db = test.Database.CreateContext())
        {
            await AddOrganizationsAsync(db, 1);
        }

        await using var owner = test.OpenOwnerConnection();
        foreach (var sql in new[] { "UPDATE event_envelopes SET type = 'forged'", "DELETE FROM event_envelopes", "TRUNCATE event_envelopes CASCADE" })
        {
            var error = await Should.ThrowAsync<PostgresException>(() => ExecuteAsync(owner, sql));
            error.SqlState.ShouldBe(PostgresErrorCodes.RaiseException, sql);
            error.MessageText.ShouldContain("append-only");
        }
    }

    [Fact]
    public Task Body_EraseIsTheOnlyChangeAccepted_OnSqlite() => EraseOnly(DatabaseProvider.Sqlite);

    [PostgresFact]
    public Task Body_EraseIsTheOnlyChangeAccepted_OnPostgres() => EraseOnly(DatabaseProvider.PostgreSql);

    [Fact]
    public Task Sequence_ConcurrentWriters_AreContiguousOnSqlite() => ContiguousUnderConcurrentWriters(DatabaseProvider.Sqlite);

    [PostgresFact]
    public Task Sequence_ConcurrentWriters_AreContiguousOnPostgres() => ContiguousUnderConcurrentWriters(DatabaseProvider.PostgreSql);

    [Fact]
    public async Task Batch_ManyWrites_CommitTogetherWithContiguousNumbers()
    {
        await using var test = await MigratedAsync(DatabaseProvider.Sqlite);
        await using var db = test.Database.CreateContext();
        await AddOrganizationsAsync(db, 1);

        await EventLog.BatchAsync(db, async () =>
        {
            for (var i = 0; i < 5; i++)
            {
                await EventLog.WriteAsync(db, TimeProvider.System, write =>
                {
                    AddOrganization(write, $"batched {i}");
                    return Task.FromResult(0);
                });
            }
        });

        var seqs = await db.EventEnvelopes.OrderBy(e => e.Seq).Select(e => e.Seq).ToListAsync();
        seqs.ShouldBe([1, 2, 3, 4, 5, 6]);
        (await db.Organizations.CountAsync()).ShouldBe(6);
    }

    [Fact]
    public async Task Batch_FailingPartWay_KeepsNoneOfItsWrites()
    {
        await using var test = await MigratedAsync(DatabaseProvider.Sqlite);
        await using (var db = test.Database.CreateContext())
        {
            await AddOrganizationsAsync(db, 1);
            await Should.ThrowAsync<InvalidOperationException>(() => EventLog.BatchAsync(db, async () =>
            {
                await EventLog.WriteAsync(db, TimeProvider.System, write =>
                {
                    AddOrganization(write, "saved inside the batch");
                    return Task.FromResult(0);
                });
                throw new InvalidOperationException("the batch fails after a write was saved");
            }));
        }

        await using var reader = test.Database.CreateContext();
        (await reader.Organizations.CountAsync()).ShouldBe(1);
        (await reader.EventEnvelopes.MaxAsync(e => e.Seq)).ShouldBe(1);
    }

    [Fact]
    public async Task Write_RolledBack_LeavesNoGapInTheSequence()
    {
        await using var test = await MigratedAsync(DatabaseProvider.Sqlite);
        await using var db = test.Database.CreateContext();
        await AddOrganizationsAsync(db, 1);
        await Should.ThrowAsync<InvalidOperationException>(() => EventLog.WriteAsync<int>(db, TimeProvider.System, write =>
        {
            AddOrganization(write, "doomed");
            throw new InvalidOperationException("the write fails after its event was appended");
        }));
        db.ChangeTracker.Clear();
        await AddOrganizationsAsync(db, 1);

        (await db.EventEnvelopes.Select(e => e.Seq).OrderBy(s => s).ToListAsync()).ShouldBe([1L, 2L]);
        (await db.Organizations.AnyAsync(o => o.Name == "doomed")).ShouldBeFalse();
    }

    private static async Task EnvelopeChangesRefused(DatabaseProvider provider)
    {
        await using var test = await MigratedAsync(provider);
        await using var db = test.Database.CreateContext();
        await AddOrganizationsAsync(db, 2);

        foreach (var sql in new[] { "UPDATE event_envelopes SET type = 'forged' WHERE seq = 1", "DELETE FROM event_envelopes WHERE seq = 2", "DELETE FROM event_envelopes" })
        {
            var error = await Should.ThrowAsync<DbException>(() => db.Database.ExecuteSqlRawAsync(sql), sql);
            if (provider == DatabaseProvider.Sqlite)
            {
                error.Message.ShouldContain("event envelopes are append-only");
            }
            else
            {
                // The server's role lacks the privilege; the trigger is a second wall (tested as the owner).
                ((PostgresException)error).SqlState.ShouldBe(PostgresErrorCodes.InsufficientPrivilege, sql);
            }
        }

        // Through EF's change tracking too: the same refusal, nothing changed.
        var envelope = await db.EventEnvelopes.SingleAsync(e => e.Seq == 1);
        envelope.Type = "forged";
        await Should.ThrowAsync<DbUpdateException>(() => db.SaveChangesAsync());
        db.ChangeTracker.Clear();
        (await db.EventEnvelopes.CountAsync(e => e.Type == "organization.created")).ShouldBe(2);
    }

    private static async Task EraseOnly(DatabaseProvider provider)
    {
        await using var test = await MigratedAsync(provider);
        await using var db = test.Database.CreateContext();
        await AddOrganizationsAsync(db, 2);

        await Should.ThrowAsync<DbException>(() => db.Database.ExecuteSqlRawAsync("UPDATE event_bodies SET canonical = 'forged' WHERE seq = 1"));
        await Should.ThrowAsync<DbException>(() => db.Database.ExecuteSqlRawAsync("UPDATE event_bodies SET salt = NULL WHERE seq = 1"));
        await Should.ThrowAsync<DbException>(() => db.Database.ExecuteSqlRawAsync("DELETE FROM event_bodies WHERE seq = 1"));
        (await db.Database.ExecuteSqlRawAsync("UPDATE event_bodies SET salt = NULL, canonical = NULL WHERE seq = 1")).ShouldBe(1);

        db.ChangeTracker.Clear();
        var bodies = await db.EventBodies.OrderBy(b => b.Seq).ToListAsync();
        var envelopes = await db.EventEnvelopes.OrderBy(e => e.Seq).ToListAsync();
        bodies[0].Canonical.ShouldBeNull();
        EventEncoding.Verify(envelopes[0], bodies[0]).ShouldBeFalse();
        EventEncoding.Verify(envelopes[1], bodies[1]).ShouldBeTrue();
        envelopes.Count.ShouldBe(2);
    }

    private static async Task ContiguousUnderConcurrentWriters(DatabaseProvider provider)
    {
        const int Writers = 6, WritesEach = 8;
        await using var test = await MigratedAsync(provider);
        using var start = new Barrier(Writers);
        var tasks = Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            await using var db = test.Database.CreateContext();
            start.SignalAndWait();
            for (var i = 0; i < WritesEach; i++)
            {
                // Two events per transaction, so writers interleave only between transactions.
                await EventLog.WriteAsync(db, TimeProvider.System, write =>
                {
                    AddOrganization(write, $"writer {w} org {i} a");
                    AddOrganization(write, $"writer {w} org {i} b");
                    return Task.FromResult(0);
                });
            }
        })).ToArray();
        await Task.WhenAll(tasks);

        await using var check = test.Database.CreateContext();
        var seqs = await check.EventEnvelopes.Select(e => e.Seq).OrderBy(s => s).ToListAsync();
        seqs.ShouldBe(Enumerable.Range(1, Writers * WritesEach * 2).Select(i => (long)i).ToList());
        var envelopes = await check.EventEnvelopes.ToDictionaryAsync(e => e.Seq);
        foreach (var body in await check.EventBodies.ToListAsync())
        {
            EventEncoding.Verify(envelopes[body.Seq], body).ShouldBeTrue($"event {body.Seq}");
            body.Canonical!.ShouldContain($"\"seq\":{body.Seq},");
        }
    }

    internal static async Task<TestDatabase> MigratedAsync(DatabaseProvider provider)
    {
        var test = await TestDatabase.CreateAsync(provider);
        await Migrator.MigrateAsync(test.Database);
        return test;
    }

    private static async Task AddOrganizationsAsync(RegistryDbContext db, int count)
    {
        for (var i = 0; i < count; i++)
        {
            await EventLog.WriteAsync(db, TimeProvider.System, write =>
            {
                AddOrganization(write, $"org {Guid.NewGuid():N}");
                return Task.FromResult(0);
            });
        }
    }

    private static void AddOrganization(RegistryWrite write, string name)
    {
        var org = new Organization { Id = Guid.NewGuid(), Name = name, Kind = OrganizationKind.Lab, CreatedAt = write.Now };
        write.Db.Organizations.Add(org);
        write.Append("organization.created", "organization", org.Id, EventBodies.Created(EventBodies.Operator("test"), ("name", name)));
    }

    private static async Task ExecuteAsync(DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }
}
