using System.Data.Common;
using System.Security.Cryptography;
using System.Text.Json;
using Jailgrade.Registry.Cases;
using Jailgrade.Registry.Persistence;
using Jailgrade.Registry.Tests.TestSupport;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Npgsql;

namespace Jailgrade.Registry.Tests.Cases;

/// <summary>
/// What the cheaper reads and writes (benchmarks/registry/README.md) must keep: a projection's last
/// event, from the last seq kept on each part, is the last event of the caller's history; a filing's
/// answer, built from what was written, is the case as read back; a page of a reporter's list reads
/// about a page of its cases however many it filed.
/// </summary>
public class CaseProjectionCostTests
{
    [Fact]
    public Task LastEvent_AfterHeaderAndInvolvementEventsOfEveryKind_IsTheLastSeqOfEachPartysHistory_Sqlite() =>
        LastEventIsTheLastSeqOfEachPartysHistory(DatabaseProvider.Sqlite);

    [PostgresFact]
    public Task LastEvent_AfterHeaderAndInvolvementEventsOfEveryKind_IsTheLastSeqOfEachPartysHistory_Postgres() =>
        LastEventIsTheLastSeqOfEachPartysHistory(DatabaseProvider.PostgreSql);

    [Fact]
    public async Task File_Answer_IsTheCaseAsReadBack()
    {
        await using var fixture = await CaseFixture.CreateAsync(DatabaseProvider.Sqlite);
        var result = await fixture.Service().FileAsync(fixture.World.Reporter.Caller, new FileCaseRequest("Role-play unlocks the canary",
            fixture.World.Regulator.Organization, "Example Lab", "ex-1", "Ask the canary to role-play a librarian.",
            DiscoveredAt: new DateTimeOffset(2026, 11, 30, 10, 15, 0, 123, TimeSpan.FromHours(2)), IncidentType: "cyber-breach"));
        var answered = result.ShouldBeOfType<CaseResult.Done>().Case;

        var read = (await fixture.Service().ViewAsync(fixture.World.Reporter.Caller, answered.Header.Id))!;

        answered.ETag.ShouldBe(read.ETag);
        answered.LastEvent.ShouldBe(read.LastEvent);
        answered.LastEvent.ShouldBeGreaterThan(0);
        answered.Status.ShouldBe(read.Status);
        answered.Involvements.ShouldBeEmpty();
        read.Involvements.ShouldBeEmpty();
        Fields(answered.Header).ShouldBe(Fields(read.Header));
    }

    [Fact]
    public Task ReporterList_Over10000OwnCases_WalksTheReportersListOrderIndex_Sqlite() => ReporterListReadsAboutAPage(DatabaseProvider.Sqlite);

    [PostgresFact]
    public Task ReporterList_Over10000OwnCases_ReadsAboutAPageOfRows_Postgres() => ReporterListReadsAboutAPage(DatabaseProvider.PostgreSql);

    private static async Task ReporterListReadsAboutAPage(DatabaseProvider provider)
    {
        await using var fixture = await CaseFixture.CreateAsync(provider);
        var reporter = fixture.World.OtherReporter;
        const int Own = 10_000;
        var start = fixture.Time.GetUtcNow().AddDays(-30);
        await using (var db = fixture.Database.CreateContext())
        {
            // As many of another reporter's, all filed the day before: walking every case in list order
            // would pass all of them before the first of this reporter's.
            db.Cases.AddRange(Enumerable.Range(0, Own).Select(n => new CaseHeader
            {
                Id = Guid.NewGuid(),
                Title = $"Foreign case {n}",
                ReporterId = fixture.World.Reporter.Organization,
                AuthorityId = fixture.World.Regulator.Organization,
                ReportedAt = start.AddDays(-1).AddSeconds(n),
                CreatedAt = start.AddDays(-1).AddSeconds(n),
                StateSalt = RandomNumberGenerator.GetBytes(32),
                Version = 1,
            }));
            db.Cases.AddRange(Enumerable.Range(0, Own).Select(n => new CaseHeader
            {
                Id = Guid.NewGuid(),
                Title = $"Case {n}",
                ReporterId = reporter.Organization,
                AuthorityId = fixture.World.Regulator.Organization,
                ReportedAt = start.AddSeconds(n),
                CreatedAt = start.AddSeconds(n),
                StateSalt = RandomNumberGenerator.GetBytes(32),
                Version = 1,
            }));
            await db.SaveChangesAsync();
        }

        // Statistics, as autovacuum would gather after a bulk load; without them the planner guesses.
        await using (var owner = fixture.Database.OpenConnection(migration: true))
        {
            await using var analyze = owner.CreateCommand();
            analyze.CommandText = "ANALYZE cases";
            await analyze.ExecuteNonQueryAsync();
        }

        var captured = new PageQueries();
        fixture.Database.TestInterceptor = captured;
        var (first, more) = await fixture.Service().ListAsync(reporter.Caller, new CaseFilter(), null, 50);
        var (second, _) = await fixture.Service().ListAsync(reporter.Caller, new CaseFilter(), (first[^1].Header.CreatedAt, first[^1].Header.Id), 50);

        (first.Count, more).ShouldBe((50, true));
        first.Concat(second).Select(v => v.Header.Title).ShouldBe(Enumerable.Range(0, 100).Select(n => $"Case {n}"));
        captured.Commands.Count.ShouldBe(2);
        await using var connection = fixture.Database.OpenConnection(migration: false);
        if (provider == DatabaseProvider.Sqlite)
        {
            // EXPLAIN ANALYZE has no SQLite counterpart: the plan must walk the reporter's cases in list
            // order (the index on reporter, created, id) rather than find them all and sort them.
            foreach (var (sql, parameters) in captured.Commands)
            {
                await using var explain = connection.CreateCommand();
                explain.CommandText = "EXPLAIN QUERY PLAN " + sql;
                explain.Parameters.AddRange(parameters.Select(p => new Microsoft.Data.Sqlite.SqliteParameter(p.ParameterName, p.Value)).ToArray());
                List<string> plan = [];
                await using (var reader = await explain.ExecuteReaderAsync())
                {
                    while (await reader.ReadAsync())
                    {
                        plan.Add(reader.GetString(3));
                    }
                }

                plan.ShouldContain(step => step.Contains("USING INDEX ix_cases_reporter_id_created_at_id", StringComparison.Ordinal), string.Join("\n", plan));
            }

            return;
        }

        foreach (var (sql, parameters) in captured.Commands)
        {
            await using var explain = connection.CreateCommand();
            explain.CommandText = "EXPLAIN (ANALYZE, FORMAT JSON) " + sql;
            explain.Parameters.AddRange(parameters);
            using var plan = JsonDocument.Parse((string)(await explain.ExecuteScalarAsync())!);
            RowsOfCases(plan.RootElement[0].GetProperty("Plan")).ShouldBeLessThanOrEqualTo(2 * 51 + 1, $"rows of cases read by\n{sql}\n{plan.RootElement}");
        }
    }

    private static long RowsOfCases(JsonElement node)
    {
        var rows = node.TryGetProperty("Relation Name", out var relation) && relation.GetString() == "cases"
            ? (node.GetProperty("Actual Rows").GetInt64() + (node.TryGetProperty("Rows Removed by Filter", out var removed) ? removed.GetInt64() : 0)) * node.GetProperty("Actual Loops").GetInt64()
            : 0;
        return rows + (node.TryGetProperty("Plans", out var children) ? children.EnumerateArray().Sum(RowsOfCases) : 0);
    }

    /// <summary>The page queries a list runs (those with a LIMIT), with copies of their parameters.</summary>
    private sealed class PageQueries : DbCommandInterceptor
    {
        public List<(string Sql, DbParameter[] Parameters)> Commands { get; } = [];

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            if (command.CommandText.Contains("LIMIT", StringComparison.Ordinal))
            {
                Commands.Add((command.CommandText, [.. command.Parameters.Cast<DbParameter>().Select(p => p is NpgsqlParameter n ? n.Clone() : p)]));
            }

            return ValueTask.FromResult(result);
        }
    }

    private static async Task LastEventIsTheLastSeqOfEachPartysHistory(DatabaseProvider provider)
    {
        await using var fixture = await CaseFixture.CreateAsync(provider);
        var world = fixture.World;
        var filed = await fixture.FileAsync(world.Reporter);
        var id = filed.Header.Id;
        await AssertLastEventsAsync(fixture, id, [world.Reporter, world.Regulator]);

        var triaged = await fixture.Service().TriageAsync(world.Regulator.Caller, id, filed.ETag,
            new TriageRequest([new(world.LabA.Organization, [world.ReleaseA]), new(world.LabB.Organization, [world.ReleaseB])], [world.Auditor.Organization]));
        triaged.ShouldBeOfType<CaseResult.Done>();
        var everyone = new[] { world.Reporter, world.Regulator, world.Auditor, world.LabA, world.LabB };
        await AssertLastEventsAsync(fixture, id, everyone);

        // An involvement event written on a tracked entity (acknowledge), then header and involvement
        // events written without one (technique reads): each part's last seq moves with its events.
        var asB = (await fixture.Service().ViewAsync(world.LabB.Caller, id))!;
        (await fixture.Service().AcknowledgeAsync(world.LabB.Caller, id, asB.Involvements[0].Involvement.Id, asB.ETag)).ShouldBeOfType<CaseResult.Done>();
        await AssertLastEventsAsync(fixture, id, everyone);
        (await fixture.Service().ReadTechniqueAsync(world.LabA.Caller, id)).ShouldNotBeNull();
        await AssertLastEventsAsync(fixture, id, everyone);
        (await fixture.Service().ReadTechniqueAsync(world.Reporter.Caller, id)).ShouldNotBeNull();
        await AssertLastEventsAsync(fixture, id, everyone);

        var asRegulator = (await fixture.Service().ViewAsync(world.Regulator.Caller, id))!;
        (await fixture.Service().RejectAsync(world.Regulator.Caller, id, asRegulator.ETag, "Not a jailbreak.")).ShouldBeOfType<CaseResult.Done>();
        await AssertLastEventsAsync(fixture, id, everyone);

        // Lists build the same projections.
        foreach (var party in everyone)
        {
            var (page, _) = await fixture.Service().ListAsync(party.Caller, new CaseFilter(), null, 10);
            page.Single(v => v.Header.Id == id).LastEvent.ShouldBe((await fixture.Service().ViewAsync(party.Caller, id))!.LastEvent, party.Name);
        }
    }

    private static async Task AssertLastEventsAsync(CaseFixture fixture, Guid id, IEnumerable<Party> parties)
    {
        foreach (var party in parties)
        {
            var history = (await fixture.Service().HistoryAsync(party.Caller, id, 0, 1000))!;
            var view = (await fixture.Service().ViewAsync(party.Caller, id))!;
            view.LastEvent.ShouldBe(history.Max(e => e.Seq), $"{party.Name}'s last event");
        }

        // And what is stored per part is what the events say.
        var db = fixture.Context();
        var events = await db.EventEnvelopes.AsNoTracking().Where(e => e.CaseId == id).ToListAsync();
        (await db.Cases.AsNoTracking().SingleAsync(c => c.Id == id)).LastSeq.ShouldBe(events.Where(e => e.InvolvementId == null).Max(e => e.Seq));
        foreach (var involvement in await db.Involvements.AsNoTracking().Where(i => i.CaseId == id).ToListAsync())
        {
            involvement.LastSeq.ShouldBe(events.Where(e => e.InvolvementId == involvement.Id).Max(e => e.Seq));
        }
    }

    private static object?[] Fields(CaseHeader h) =>
    [
        h.Id, h.Title, h.ReporterId, h.AuthorityId, h.IncidentType, h.DiscoveredAt?.UtcDateTime, h.ReportedAt.UtcDateTime, h.ReportedAtAsserted,
        h.CreatedAt.UtcDateTime, h.Resolution, h.DuplicateOfId, h.LabAsReported, h.ModelAsReported, Convert.ToBase64String(h.Technique!),
        Convert.ToBase64String(h.StateSalt), h.Version, h.LastSeq,
    ];
}
