using System.Data.Common;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Jailgrade.Registry;
using Jailgrade.Registry.Access;
using Jailgrade.Registry.Cases;
using Jailgrade.Registry.Persistence;
using Jailgrade.Registry.Tests.Cases;
using Jailgrade.Registry.Tests.TestSupport;
using Jailgrade.Server.Cases;
using Jailgrade.Server.Internal;
using Jailgrade.Server.Tests.Cases;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace Jailgrade.Server.Tests.Authorization;

/// <summary>
/// SECURITY.md 2: authorization is a predicate in SQL. The SQL each list route runs carries the
/// caller's predicate and reads only the rows it answers with; a list over 10,000 foreign cases reads
/// about a page of rows (EXPLAIN ANALYZE on PostgreSQL; on SQLite the plan only searches indexes).
/// </summary>
public sealed class QueryPredicateTests(ITestOutputHelper output)
{
    private const int ForeignCases = 10_000;

    /// <summary>How long a command the test runs itself (seeding, EXPLAIN) may take: far beyond any load, so never the reason a run fails.</summary>
    private static readonly TimeSpan SetupTimeout = TimeSpan.FromMinutes(10);

    private static readonly string[] Callers = ["lab", "reporter", "auditor", "regulator"];

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [PostgresData]
    public async Task CaseList_SqlCarriesEachCallersPredicate_AndReadsOnlyTheRowsItAnswers(DatabaseProvider provider)
    {
        var (api, visible) = await OneSharedCaseAsync(provider);
        await using var _ = api;
        var sql = Capture(api);

        foreach (var who in Callers)
        {
            var (caller, fragments, alsoBound) = Predicate(api.World, who);
            sql.Take();

            var page = await api.GetJsonAsync("/api/v1/cases", caller);

            page.GetProperty("items").EnumerateArray().Select(c => c.GetProperty("id").GetGuid()).ShouldBe([visible], who);
            var commands = sql.Take();
            var list = ListCommand(commands);
            foreach (var fragment in fragments)
            {
                list.Names(fragment).ShouldBeTrue($"the {who}'s predicate names {fragment}; the list ran:\n{list}");
            }

            list.Binds(caller.Organization).ShouldBeTrue($"the {who}'s organization is a parameter of the list:\n{list}");
            list.Binds(alsoBound).ShouldBeTrue($"the {who}'s list binds {alsoBound}:\n{list}");
            // 30 foreign cases exist: a list that loaded them and filtered in memory would read them here.
            list.RowsRead.ShouldBe(1, $"rows the {who}'s list read:\n{list}");
            foreach (var command in Scoped(commands))
            {
                command.Binds(caller.Organization).ShouldBeTrue($"every read of cases, involvements or case events re-applies the {who}'s predicate:\n{command}");
                command.RowsRead.ShouldBeLessThanOrEqualTo(2, $"the {who} sees one case with two involvements at most:\n{command}");
            }
        }
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [PostgresData]
    public async Task CaseHistory_SqlCarriesEachCallersPredicate(DatabaseProvider provider)
    {
        var (api, visible) = await OneSharedCaseAsync(provider);
        await using var _ = api;
        var sql = Capture(api);

        foreach (var who in Callers)
        {
            var (caller, fragments, _) = Predicate(api.World, who);
            sql.Take();

            var history = await api.GetJsonAsync($"/api/v1/cases/{visible:D}/history", caller);

            history.GetProperty("items").GetArrayLength().ShouldBeGreaterThan(0, who);
            var scoped = Scoped(sql.Take());
            scoped.ShouldNotBeEmpty(who);
            foreach (var command in scoped)
            {
                command.Binds(caller.Organization).ShouldBeTrue($"every read of cases or case events re-applies the {who}'s predicate:\n{command}");
            }

            var events = scoped.Last(c => c.Reads("event_envelopes"));
            foreach (var fragment in fragments)
            {
                events.Names(fragment).ShouldBeTrue($"the {who}'s predicate names {fragment}; the history ran:\n{events}");
            }
        }
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [PostgresData]
    public async Task OtherLists_SqlCarriesTheLabsPredicate_AndReadsOnlyTheRowsTheyAnswer(DatabaseProvider provider)
    {
        // Lab B's model, release, organization and user are in the tables beside Lab A's.
        await using var api = await CaseApi.StartAsync(provider);
        var sql = Capture(api);

        foreach (var (path, table) in new[] { ("/api/v1/models", "models"), ("/api/v1/releases", "releases"), ("/api/v1/orgs", "organizations"), ("/api/v1/users", "users") })
        {
            sql.Take();

            var items = (await api.GetJsonAsync(path, api.World.LabA)).GetProperty("items");

            items.GetArrayLength().ShouldBeGreaterThan(0, path);
            var commands = sql.Take();
            var list = commands.Last(c => c.Reads(table));
            list.Binds(api.World.LabA.Organization).ShouldBeTrue($"{path} binds the lab's organization:\n{list}");
            list.RowsRead.ShouldBe(items.GetArrayLength(), $"{path} reads only the rows it answers:\n{list}");
        }
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [PostgresData]
    public async Task CaseList_Over10000ForeignCases_ReadsAboutAPageOfRows(DatabaseProvider provider)
    {
        await using var api = await CaseApi.StartAsync(provider);
        const int Own = 5;
        var seeding = System.Diagnostics.Stopwatch.StartNew();
        await SeedForeignAsync(api, ForeignCases, Own);
        output.WriteLine($"{provider}: seeded {ForeignCases:N0} foreign cases and {Own} of Lab A's in {seeding.Elapsed.TotalSeconds:F1} s");
        var sql = Capture(api);

        foreach (var (who, caller) in new[] { ("lab", api.World.LabA), ("auditor", api.World.Auditor) })
        {
            sql.Take();

            var page = await api.GetJsonAsync("/api/v1/cases", caller);

            page.GetProperty("items").GetArrayLength().ShouldBe(Own, who);
            var list = ListCommand(sql.Take());
            list.RowsRead.ShouldBe(Own, who);
            await using var connection = api.Registry.Database.OpenConnection(migration: false);
            if (provider == DatabaseProvider.PostgreSql)
            {
                var (rows, scans) = await RowsScannedAsync(connection, list);
                output.WriteLine($"PostgreSQL: the {who}'s list over {ForeignCases:N0} foreign cases and {Own} of its own scanned {rows} rows of cases, involvements and case auditors (page {ListQuery.DefaultLimit}): {scans}");
                rows.ShouldBeLessThanOrEqualTo(2 * (ListQuery.DefaultLimit + 1), $"EXPLAIN ANALYZE of the {who}'s list\n{list}\n{scans}");
            }
            else
            {
                var plan = await QueryPlanAsync(connection, list);
                output.WriteLine($"SQLite: the {who}'s list over {ForeignCases:N0} foreign cases: {string.Join(" | ", plan)}");
                var aliases = Aliases(list.Sql, "cases", "involvements", "case_auditors");
                plan.Where(step => aliases.Any(a => step.StartsWith($"SCAN {a}", StringComparison.Ordinal) && (step.Length == 5 + a.Length || step[5 + a.Length] == ' ')))
                    .ShouldBeEmpty($"cases, involvements and auditors are only searched through an index, never scanned, for the {who}:\n{string.Join("\n", plan)}\n{list}");
            }
        }

        // Lab B is involved in every foreign case: its page walks its involvements in list order and
        // stops after a page, instead of reading and sorting all of them (Visibility.CasePage).
        sql.Take();
        var labB = await api.GetJsonAsync("/api/v1/cases", api.World.LabB);
        labB.GetProperty("items").GetArrayLength().ShouldBe(ListQuery.DefaultLimit);
        var labBList = ListCommand(sql.Take());
        await using (var connection = api.Registry.Database.OpenConnection(migration: false))
        {
            if (provider == DatabaseProvider.PostgreSql)
            {
                var (rows, scans) = await RowsScannedAsync(connection, labBList);
                output.WriteLine($"PostgreSQL: Lab B's first page over its {ForeignCases:N0} cases scanned {rows} rows: {scans}");
                rows.ShouldBeLessThanOrEqualTo(3 * (ListQuery.DefaultLimit + 1), $"EXPLAIN ANALYZE of Lab B's list\n{labBList}\n{scans}");
            }
            else
            {
                var plan = await QueryPlanAsync(connection, labBList);
                output.WriteLine($"SQLite: Lab B's first page over its {ForeignCases:N0} cases: {string.Join(" | ", plan)}");
                // The involvements are walked in list order; the only sorts are the union's merge of its
                // two branches, a page each. A third sorts every case Lab B is in.
                plan.ShouldContain(step => step.Contains("INDEX ix_involvements_lab_id_case_created_at_case_id (lab_id=?)", StringComparison.Ordinal), string.Join("\n", plan));
                plan.Count(step => step.Contains("TEMP B-TREE FOR ORDER BY", StringComparison.Ordinal)).ShouldBeLessThanOrEqualTo(2, $"Lab B's list sorts only its two branches' pages:\n{string.Join("\n", plan)}\n{labBList}");
            }
        }
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [PostgresData]
    public async Task CaseList_ScopedRegulatorOver10000CasesOutOfScope_ReadsAboutAPageOfRows(DatabaseProvider provider)
    {
        // The 10,000 foreign cases involve Lab B and are filed with the first authority; the other authority, scoped
        // to Lab A or to a region of Lab A's release, sees the 5 of Lab A only, through the lab or the region branch.
        await using var api = await CaseApi.StartAsync(provider);
        const int Own = 5;
        await SeedForeignAsync(api, ForeignCases, Own);
        await LinkLabAsInvolvementsToItsReleaseAsync(api);
        var sql = Capture(api);
        var regulator = api.World.OtherRegulator;

        foreach (var (scope, value) in new[] { (ScopeKind.Organization, api.World.LabA.Organization.ToString("D")), (ScopeKind.Jurisdiction, "DE") })
        {
            await CaseWorld.ScopeAsync(api.Registry.Database, regulator.Organization, (scope, value));
            sql.Take();

            var page = await api.GetJsonAsync("/api/v1/cases", regulator);

            page.GetProperty("items").GetArrayLength().ShouldBe(Own, $"{scope}");
            var list = ListCommand(sql.Take());
            list.RowsRead.ShouldBe(Own, $"{scope}");
            await using var connection = api.Registry.Database.OpenConnection(migration: false);
            if (provider == DatabaseProvider.PostgreSql)
            {
                var (rows, scans) = await RowsScannedAsync(connection, list);
                output.WriteLine($"PostgreSQL: the regulator scoped by {scope} over {ForeignCases:N0} cases out of scope scanned {rows} rows of cases and involvements: {scans}");
                rows.ShouldBeLessThanOrEqualTo(2 * (ListQuery.DefaultLimit + 1), $"EXPLAIN ANALYZE of the regulator's list (scope {scope})\n{list}\n{scans}");
            }
            else
            {
                var plan = await QueryPlanAsync(connection, list);
                output.WriteLine($"SQLite: the regulator scoped by {scope}: {string.Join(" | ", plan)}");
                var aliases = Aliases(list.Sql, "cases", "involvements", "case_auditors");
                plan.Where(step => aliases.Any(a => step.StartsWith($"SCAN {a}", StringComparison.Ordinal) && (step.Length == 5 + a.Length || step[5 + a.Length] == ' ')))
                    .ShouldBeEmpty($"cases and involvements are only searched through an index, never scanned, for the regulator scoped by {scope}:\n{string.Join("\n", plan)}\n{list}");
            }
        }
    }

    /// <summary>Links each of Lab A's involvements to Lab A's release (offered in US and DE), as a triage would.</summary>
    private static async Task LinkLabAsInvolvementsToItsReleaseAsync(CaseApi api)
    {
        await using var db = api.Registry.Database.CreateContext();
        var involvements = await db.Involvements.Where(i => i.LabId == api.World.LabA.Organization).Select(i => i.Id).ToListAsync();
        db.InvolvementReleases.AddRange(involvements.Select(i => new InvolvementRelease { InvolvementId = i, ReleaseId = api.World.ReleaseA }));
        await db.SaveChangesAsync();
        if (api.Registry.Database.Provider == DatabaseProvider.PostgreSql)
        {
            await OwnerAsync(api, "VACUUM (ANALYZE) involvement_releases");
        }
    }

    /// <summary>
    /// A running registry where one case is visible to every caller (filed by the reporter, triaged to
    /// both labs with the auditor assigned; the other authority scoped to Lab A sees it through that
    /// scope only) beside 30 foreign cases that none of them sees.
    /// </summary>
    private static async Task<(CaseApi Api, Guid Visible)> OneSharedCaseAsync(DatabaseProvider provider)
    {
        var api = await CaseApi.StartAsync(provider);
        var visible = await api.TwoLabCaseAsync();
        await SeedForeignAsync(api, 30, own: 0);
        await CaseWorld.ScopeAsync(api.Registry.Database, api.World.OtherRegulator.Organization, (ScopeKind.Organization, api.World.LabA.Organization.ToString("D")));
        return (api, visible);
    }

    private static CapturedSql Capture(CaseApi api)
    {
        var sql = new CapturedSql();
        api.Registry.Database.TestInterceptor = sql;
        return sql;
    }

    /// <summary>The caller, the parts of its predicate the SQL must name, and one more id it must bind.</summary>
    private static (Party Caller, string[] Fragments, Guid AlsoBound) Predicate(CaseWorld world, string who) => who switch
    {
        "lab" => (world.LabA, ["involvements", "lab_id", "reporter_id"], world.LabA.Organization),
        "reporter" => (world.Reporter, ["reporter_id"], world.Reporter.Organization),
        "auditor" => (world.Auditor, ["case_auditors", "auditor_id", "reporter_id"], world.Auditor.Organization),
        "regulator" => (world.OtherRegulator, ["authority_id", "involvements", "lab_id"], world.LabA.Organization),
        _ => throw new ArgumentOutOfRangeException(nameof(who), who, "lab, reporter, auditor or regulator"),
    };

    /// <summary>The page query: the command that reads cases with a limit.</summary>
    private static CapturedCommand ListCommand(List<CapturedCommand> commands)
    {
        var lists = commands.Where(c => c.Reads("cases") && c.Sql.Contains("LIMIT", StringComparison.Ordinal)).ToList();
        lists.Count.ShouldBe(1, string.Join("\n\n", commands));
        return lists[0];
    }

    private static List<CapturedCommand> Scoped(List<CapturedCommand> commands) =>
        [.. commands.Where(c => c.Reads("cases") || c.Reads("involvements") || c.Reads("event_envelopes"))];

    /// <summary>
    /// Cases of other organizations, fast: reported by the other research group, each with an
    /// involvement of Lab B, in multi-row INSERTs of a hundred rows (one command per row took a
    /// minute on SQLite, and so did a thousand rows a command: SQLite looks each parameter name up in a list). <paramref name="own"/> more, through the context, involve Lab A with the
    /// auditor assigned and are the newest (so a list walking cases in order passes every foreign one first).
    /// </summary>
    private static async Task SeedForeignAsync(CaseApi api, int count, int own)
    {
        var world = api.World;
        var start = api.Registry.Time.GetUtcNow().AddDays(-30);
        // SQLite keeps times as Unix milliseconds (a converter of the model, which raw parameters bypass).
        object Time(DateTimeOffset t) => api.Registry.Database.Provider == DatabaseProvider.Sqlite ? t.ToUnixTimeMilliseconds() : t;
        var foreign = Enumerable.Range(0, count).Select(n => (Id: Guid.NewGuid(), At: start.AddSeconds(n))).ToList();
        var postgres = api.Registry.Database.Provider == DatabaseProvider.PostgreSql;
        if (postgres)
        {
            // No autovacuum worker acts on these tables while the test runs: the statistics and visibility map the planner
            // reads are the ones the test sets below, however long a loaded machine takes between the seed and the checks.
            await OwnerAsync(api, "ALTER TABLE cases SET (autovacuum_enabled = false); ALTER TABLE involvements SET (autovacuum_enabled = false); ALTER TABLE case_auditors SET (autovacuum_enabled = false)");
        }

        await using var db = api.Registry.Database.CreateContext();
        // A loaded machine may take longer than the default 30 s for a command of the seed; the seed is setup, not a timed check.
        db.Database.SetCommandTimeout(SetupTimeout);
        await using (var transaction = await db.Database.BeginTransactionAsync())
        {
            await InsertAsync(db, "cases", ["id", "title", "reporter_id", "authority_id", "reported_at", "created_at", "version"],
                foreign.Select(c => new object[] { c.Id, "Seeded case", world.OtherReporter.Organization, world.Regulator.Organization, Time(c.At), Time(c.At), 1L }));
            await InsertAsync(db, "involvements", ["id", "case_id", "lab_id", "status", "created_at", "case_created_at", "version"],
                foreign.Select(c => new object[] { Guid.NewGuid(), c.Id, world.LabB.Organization, "triaged", Time(c.At), Time(c.At), 1L }));
            await transaction.CommitAsync();
        }

        for (var n = 0; n < own; n++)
        {
            var header = new CaseHeader
            {
                Id = Guid.NewGuid(),
                Title = $"Lab A's case {n}",
                ReporterId = world.Reporter.Organization,
                AuthorityId = world.Regulator.Organization,
                ReportedAt = start.AddSeconds(count + n),
                CreatedAt = start.AddSeconds(count + n),
                StateSalt = RandomNumberGenerator.GetBytes(32),
                Version = 1,
            };
            db.Cases.Add(header);
            db.Involvements.Add(new Involvement
            {
                Id = Guid.NewGuid(),
                CaseId = header.Id,
                LabId = world.LabA.Organization,
                Status = InvolvementStatus.Triaged,
                CreatedAt = header.CreatedAt,
                CaseCreatedAt = header.CreatedAt,
                StateSalt = RandomNumberGenerator.GetBytes(32),
                Version = 1,
            });
            db.CaseAuditors.Add(new CaseAuditor { CaseId = header.Id, AuditorId = world.Auditor.Organization, CaseCreatedAt = header.CreatedAt });
        }

        await db.SaveChangesAsync();
        // The raw rows read back through the model as the application would read them.
        (await db.Cases.CountAsync(c => c.ReporterId == world.OtherReporter.Organization && c.CreatedAt >= start)).ShouldBe(count);
        (await db.Involvements.CountAsync(i => i.LabId == world.LabB.Organization && db.Cases.Any(c => c.Id == i.CaseId && c.ReporterId == world.OtherReporter.Organization))).ShouldBe(count);
        if (postgres)
        {
            // Statistics and the visibility map, as autovacuum would leave them after a bulk load; without them the planner guesses.
            await OwnerAsync(api, "VACUUM (ANALYZE) cases, involvements, case_auditors");
        }
    }

    private static async Task OwnerAsync(CaseApi api, string sql)
    {
        await using var owner = api.Registry.Database.OpenConnection(migration: true);
        await using var command = owner.CreateCommand();
        command.CommandText = sql;
        command.CommandTimeout = (int)SetupTimeout.TotalSeconds;
        await command.ExecuteNonQueryAsync();
    }

    private static async Task InsertAsync(RegistryDbContext db, string table, string[] columns, IEnumerable<object[]> rows)
    {
        foreach (var chunk in rows.Chunk(100))
        {
            var sql = new StringBuilder("INSERT INTO ").Append(table).Append(" (").AppendJoin(", ", columns).Append(") VALUES ");
            for (var row = 0; row < chunk.Length; row++)
            {
                sql.Append(row == 0 ? "(" : ", (").AppendJoin(", ", columns.Select((_, column) => "{" + (row * columns.Length + column).ToString(CultureInfo.InvariantCulture) + "}")).Append(')');
            }

            await db.Database.ExecuteSqlRawAsync(sql.ToString(), chunk.SelectMany(values => values));
        }
    }

    /// <summary>
    /// Runs the captured query again under <c>EXPLAIN (ANALYZE, FORMAT JSON)</c> with its parameters and
    /// sums the rows each scan of cases, involvements or case auditors touched: returned plus removed by a filter, times loops.
    /// </summary>
    private static async Task<(long Rows, string Scans)> RowsScannedAsync(DbConnection connection, CapturedCommand query)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "EXPLAIN (ANALYZE, FORMAT JSON) " + query.Sql;
        command.CommandTimeout = (int)SetupTimeout.TotalSeconds;
        command.Parameters.AddRange(query.Parameters.ToArray());
        var json = (string)(await command.ExecuteScalarAsync())!;
        using var plan = JsonDocument.Parse(json);
        long rows = 0;
        List<string> scans = [];
        void Walk(JsonElement node)
        {
            if (node.TryGetProperty("Relation Name", out var relation) && relation.GetString() is "cases" or "involvements" or "case_auditors")
            {
                var loops = node.GetProperty("Actual Loops").GetInt64();
                var touched = (Number(node, "Actual Rows") + Number(node, "Rows Removed by Filter") + Number(node, "Rows Removed by Index Recheck")) * loops;
                rows += touched;
                scans.Add($"{node.GetProperty("Node Type").GetString()} on {relation.GetString()}: {touched}");
            }

            if (node.TryGetProperty("Plans", out var children))
            {
                foreach (var child in children.EnumerateArray())
                {
                    Walk(child);
                }
            }
        }

        Walk(plan.RootElement[0].GetProperty("Plan"));
        return (rows, string.Join("; ", scans));
    }

    private static long Number(JsonElement node, string name) => node.TryGetProperty(name, out var value) ? (long)Math.Ceiling(value.GetDouble()) : 0;

    /// <summary>SQLite's <c>EXPLAIN QUERY PLAN</c> of the captured query: one detail per step.</summary>
    private static async Task<List<string>> QueryPlanAsync(DbConnection connection, CapturedCommand query)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + query.Sql;
        command.Parameters.AddRange(query.Parameters.ToArray());
        await using var reader = await command.ExecuteReaderAsync();
        List<string> steps = [];
        while (await reader.ReadAsync())
        {
            steps.Add(reader.GetString(3));
        }

        return steps;
    }

    /// <summary>The names under which the SQL reads the tables: each table's own and every alias EF Core gave it.</summary>
    private static List<string> Aliases(string sql, params string[] tables) =>
        [.. tables.SelectMany(t => System.Text.RegularExpressions.Regex.Matches(sql, $"\"{t}\" AS \"([^\"]+)\"").Select(m => m.Groups[1].Value).Append(t)).Distinct()];
}
