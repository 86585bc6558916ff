using System.Diagnostics;
using System.Globalization;
using Jailgrade.Registry;
using Jailgrade.Registry.Access;
using Jailgrade.Registry.Administration;
using Jailgrade.Registry.Cases;
using Jailgrade.Registry.Events;
using Jailgrade.Registry.Identity;
using Jailgrade.Registry.Organizations;
using Jailgrade.Registry.Persistence;
using Jailgrade.Registry.Releases;
using Microsoft.EntityFrameworkCore;

namespace Jailgrade.Benchmarks.RegistryLoad;

/// <summary>
/// Seeds a registry for the load benchmark through the application's service layer: organizations and
/// users through <see cref="RegistryAdmin"/>, cases through <see cref="CaseService"/> (filed by a
/// reporter, triaged by the regulator, acknowledged by each lab, the technique read by the parties
/// until the record holds the events asked for). Many service calls share one transaction
/// (<see cref="EventLog.BatchAsync"/>); each still writes its own events. The text is a benign canary.
/// </summary>
internal static class Seeder
{
    private const int CasesPerBatch = 250;

    public static async Task<int> RunAsync(Options options)
    {
        var database = RegistryDatabase.FromSettings(options.Text("db"), null, Environment.GetEnvironmentVariable);
        var outDir = options.Text("out");
        var cases = options.Number("cases", 100_000);
        var labCount = options.Number("labs", 50);
        var events = options.Number("events", 1_000_000);
        Directory.CreateDirectory(outDir);
        var time = TimeProvider.System;
        var clock = Stopwatch.StartNew();

        var admin = await RegistryAdmin.InitializeAsync(database, Path.Combine(outDir, "keys", "master.key"), "Registry operator", "admin", "bench.jailgrade.test/log", time);
        var keys = new List<(string Role, string Organization, string Key)> { ("admin", "Registry operator", admin.ApiKey) };
        var (regulatorKey, _) = await RegistryAdmin.AddUserAsync(database, "Benchmark Authority", OrganizationKind.Authority, "regulator", Role.Regulator, time);
        keys.Add(("regulator", "Benchmark Authority", regulatorKey));
        var (auditorKey, _) = await RegistryAdmin.AddUserAsync(database, "Benchmark Auditor", OrganizationKind.Auditor, "auditor", Role.Auditor, time);
        keys.Add(("auditor", "Benchmark Auditor", auditorKey));
        const int Reporters = 10;
        for (var r = 0; r < Reporters; r++)
        {
            var name = $"Research Group {r + 1:00}";
            keys.Add(("reporter", name, (await RegistryAdmin.AddUserAsync(database, name, OrganizationKind.Research, "reporter", Role.Reporter, time)).ApiKey));
        }

        for (var l = 0; l < labCount; l++)
        {
            var name = $"Lab {l + 1:00}";
            keys.Add(("lab", name, (await RegistryAdmin.AddUserAsync(database, name, OrganizationKind.Lab, "lab", Role.Lab, time)).ApiKey));
        }

        await using var db = database.CreateOwnerContext();
        var masterKey = MasterKey.Load(Path.Combine(outDir, "keys", "master.key"));
        var users = await db.Users.AsNoTracking().ToListAsync();
        var orgs = await db.Organizations.AsNoTracking().ToDictionaryAsync(o => o.Name);
        Caller CallerOf(string org) => users.Where(u => u.OrganizationId == orgs[org].Id).Select(u => new Caller(u.Id, u.OrganizationId, u.Role)).First();
        var regulator = CallerOf("Benchmark Authority");
        var auditor = orgs["Benchmark Auditor"].Id;
        var reporters = Enumerable.Range(0, Reporters).Select(r => CallerOf($"Research Group {r + 1:00}")).ToArray();
        var labs = Enumerable.Range(0, labCount).Select(l => CallerOf($"Lab {l + 1:00}")).ToArray();
        var releases = await SeedReleasesAsync(db, time, labs);
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"organizations, users and {releases.Sum(r => r.Length)} releases in {clock.Elapsed.TotalSeconds:0.0} s"));

        var service = new CaseService(db, time, masterKey);
        var filed = new List<(Guid Id, Caller Reporter, Caller[] Labs)>(cases);
        var batchesStarted = TimeSpan.Zero;
        for (var start = 0; start < cases; start += CasesPerBatch)
        {
            if (start == CasesPerBatch)
            {
                // The rate leaves out the first batch, which pays for the JIT.
                batchesStarted = clock.Elapsed;
            }

            await EventLog.BatchAsync(db, async () =>
            {
                for (var i = start; i < Math.Min(cases, start + CasesPerBatch); i++)
                {
                    var reporter = reporters[i % Reporters];
                    // One case in ten involves two labs.
                    Caller[] involved = i % 10 == 0 ? [labs[i % labCount], labs[(i / 10 + 1 + i) % labCount]] : [labs[i % labCount]];
                    if (involved.Length == 2 && involved[0] == involved[1])
                    {
                        involved = [involved[0], labs[(Array.IndexOf(labs, involved[0]) + 1) % labCount]];
                    }

                    var view = Done(await service.FileAsync(reporter, new FileCaseRequest(
                        $"Benchmark case {i + 1}", orgs["Benchmark Authority"].Id, "a lab", "a model",
                        $"Benign canary technique text number {i + 1}: no instructions of any kind.")));
                    view = Done(await service.TriageAsync(regulator, view.Header.Id, view.ETag, new TriageRequest(
                        [.. involved.Select(lab => new TriageInvolvement(lab.OrganizationId, [releases[Array.IndexOf(labs, lab)][i % 2]]))], [auditor])));
                    foreach (var lab in involved)
                    {
                        var mine = (await service.ViewAsync(lab, view.Header.Id))!;
                        var involvement = mine.Involvements.Single().Involvement.Id;
                        Done(await service.AcknowledgeAsync(lab, view.Header.Id, involvement, mine.ETag));
                    }

                    filed.Add((view.Header.Id, reporter, involved));

                    // What is saved need not be tracked: a growing change tracker makes every save slower.
                    db.ChangeTracker.Clear();
                }
            });
            db.ChangeTracker.Clear();
            var done = Math.Min(cases, start + CasesPerBatch);
            if (done % 2_000 == 0 || done == cases)
            {
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{done} of {cases} cases in {clock.Elapsed.TotalSeconds:0.0} s ({(done - CasesPerBatch) / Math.Max(1, (clock.Elapsed - batchesStarted).TotalSeconds):0.0} cases/s)"));
            }
        }

        // The rest of the record: parties reading the technique, each read an event.
        var written = await db.EventEnvelopes.LongCountAsync();
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{written} events after filing; technique reads until {events}"));
        var reads = 0L;
        for (var i = 0; written + reads < events; i += CasesPerBatch * 4)
        {
            await EventLog.BatchAsync(db, async () =>
            {
                for (var j = i; j < i + CasesPerBatch * 4 && written + reads < events; j++)
                {
                    var (id, reporter, involved) = filed[j % filed.Count];
                    var reader = (j / filed.Count % 3) switch { 0 => reporter, 1 => regulator, _ => involved[0] };
                    _ = await service.ReadTechniqueAsync(reader, id) ?? throw new InvalidOperationException($"case {id} is not readable by {reader.Role}");
                    reads++;
                    db.ChangeTracker.Clear();
                }
            });
            db.ChangeTracker.Clear();
            if (reads % 50_000 < CasesPerBatch * 4 || written + reads >= events)
            {
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{written + reads} of {events} events in {clock.Elapsed.TotalSeconds:0.0} s"));
            }
        }

        var total = await db.EventEnvelopes.LongCountAsync();
        var keyFile = Path.Combine(outDir, "keys.tsv");
        // The keys are live secrets of this registry: the file is the owner's alone from its creation.
        var mode = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            mode.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        await using (var writer = new StreamWriter(keyFile, mode))
        {
            foreach (var (role, organization, key) in keys)
            {
                await writer.WriteLineAsync($"{role}\t{organization}\t{key}");
            }
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"seeded {filed.Count} cases ({filed.Count(f => f.Labs.Length == 2)} with two labs), {labCount} labs, {total} events in {clock.Elapsed.TotalSeconds:0.0} s"));
        return 0;
    }

    private static async Task<Guid[][]> SeedReleasesAsync(RegistryDbContext db, TimeProvider time, Caller[] labs)
    {
        var releases = new Guid[labs.Length][];
        await EventLog.WriteAsync(db, time, write =>
        {
            for (var l = 0; l < labs.Length; l++)
            {
                var model = new AiModel { Id = Guid.NewGuid(), LabId = labs[l].OrganizationId, Name = $"model-{l + 1}", CreatedAt = write.Now };
                write.Db.Models.Add(model);
                write.Append("model.created", "model", model.Id, EventBodies.Created(EventBodies.Operator("benchmark seed"), ("name", model.Name)));
                releases[l] = new Guid[2];
                for (var v = 0; v < 2; v++)
                {
                    var release = new Release { Id = Guid.NewGuid(), ModelId = model.Id, Version = $"2026-{v + 1:00}", Exposure = "G", Regions = v == 0 ? "US" : "GB", CreatedAt = write.Now };
                    write.Db.Releases.Add(release);
                    write.Append("release.created", "release", release.Id, EventBodies.Created(EventBodies.Operator("benchmark seed"), ("version", release.Version)));
                    releases[l][v] = release.Id;
                }
            }

            return Task.FromResult(0);
        });
        return releases;
    }

    private static CaseView Done(CaseResult result) =>
        result is CaseResult.Done done ? done.Case : throw new InvalidOperationException($"the seed's service call was refused: {result}");
}
