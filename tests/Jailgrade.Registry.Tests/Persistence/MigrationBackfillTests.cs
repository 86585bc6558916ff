using System.Data.Common;
using Jailgrade.Registry.Persistence;
using Jailgrade.Registry.Tests.TestSupport;
using Microsoft.EntityFrameworkCore;

namespace Jailgrade.Registry.Tests.Persistence;

/// <summary>
/// A migration that adds a column filled from existing rows fills it for a registry that already holds
/// them: rows are written in the schema before the migration, by hand, and read back after it through
/// the model.
/// </summary>
public sealed class MigrationBackfillTests
{
    [Fact]
    public Task Migration0007_FillsTheCaseCreatedAtOfExistingInvolvementsAndAssignments_Sqlite() => FillsCaseCreatedAt(DatabaseProvider.Sqlite);

    [PostgresFact]
    public Task Migration0007_FillsTheCaseCreatedAtOfExistingInvolvementsAndAssignments_Postgres() => FillsCaseCreatedAt(DatabaseProvider.PostgreSql);

    private static async Task FillsCaseCreatedAt(DatabaseProvider provider)
    {
        await using var test = await TestDatabase.CreateAsync(provider);
        await Migrator.MigrateAsync(test.Database, upTo: 6);
        var sqlite = provider == DatabaseProvider.Sqlite;
        // SQLite keeps times as Unix milliseconds (a converter of the model, which raw parameters bypass).
        object Time(DateTimeOffset t) => sqlite ? t.ToUnixTimeMilliseconds() : t;
        var (authority, reporter, labA, labB, auditor) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        var first = new DateTimeOffset(2026, 3, 1, 8, 0, 0, TimeSpan.Zero);
        var second = first.AddDays(40).AddMilliseconds(7);
        var (caseOne, caseTwo) = (Guid.NewGuid(), Guid.NewGuid());
        await using (var owner = test.OpenOwnerConnection())
        {
            foreach (var (id, name, kind) in new[] { (authority, "Authority", "authority"), (reporter, "Research", "research"), (labA, "Lab A", "lab"), (labB, "Lab B", "lab"), (auditor, "Auditor", "auditor") })
            {
                await ExecuteAsync(owner, "INSERT INTO organizations (id, name, kind, created_at) VALUES (@a, @b, @c, @d)", id, name, kind, Time(first));
            }

            foreach (var (id, at) in new[] { (caseOne, first), (caseTwo, second) })
            {
                await ExecuteAsync(owner, "INSERT INTO cases (id, title, reporter_id, authority_id, reported_at, created_at, version) VALUES (@a, @b, @c, @d, @e, @f, 1)",
                    id, "A case", reporter, authority, Time(at), Time(at));
                await ExecuteAsync(owner, "INSERT INTO case_auditors (case_id, auditor_id) VALUES (@a, @b)", id, auditor);
            }

            // The involvement's own created_at is the triage, later than the case's: the backfill must take the case's.
            await ExecuteAsync(owner, "INSERT INTO involvements (id, case_id, lab_id, status, created_at, version) VALUES (@a, @b, @c, 'triaged', @d, 1)", Guid.NewGuid(), caseOne, labA, Time(first.AddHours(5)));
            await ExecuteAsync(owner, "INSERT INTO involvements (id, case_id, lab_id, status, created_at, version) VALUES (@a, @b, @c, 'triaged', @d, 1)", Guid.NewGuid(), caseTwo, labA, Time(second.AddHours(5)));
            await ExecuteAsync(owner, "INSERT INTO involvements (id, case_id, lab_id, status, created_at, version) VALUES (@a, @b, @c, 'triaged', @d, 1)", Guid.NewGuid(), caseTwo, labB, Time(second.AddHours(5)));
        }

        (await Migrator.MigrateAsync(test.Database)).ShouldBe(Migrator.LatestVersion(provider) - 6);

        await using var db = test.Database.CreateOwnerContext();
        var involvements = await db.Involvements.OrderBy(i => i.CaseCreatedAt).ThenBy(i => i.LabId == labA ? 0 : 1).Select(i => new { i.CaseId, i.LabId, i.CaseCreatedAt }).ToListAsync();
        involvements.Select(i => (i.CaseId, i.CaseCreatedAt)).ShouldBe([(caseOne, first), (caseTwo, second), (caseTwo, second)]);
        var assignments = await db.CaseAuditors.OrderBy(a => a.CaseCreatedAt).Select(a => new { a.CaseId, a.CaseCreatedAt }).ToListAsync();
        assignments.Select(a => (a.CaseId, a.CaseCreatedAt)).ShouldBe([(caseOne, first), (caseTwo, second)]);
    }

    private static async Task ExecuteAsync(DbConnection connection, string sql, params object[] values)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        for (var n = 0; n < values.Length; n++)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = "@" + (char)('a' + n);
            parameter.Value = values[n];
            command.Parameters.Add(parameter);
        }

        await command.ExecuteNonQueryAsync();
    }
}
