using System.Diagnostics;
using System.Globalization;
using Jailgrade.Registry;
using Jailgrade.Registry.Access;
using Jailgrade.Registry.Cases;
using Jailgrade.Registry.Identity;
using Jailgrade.Registry.Organizations;
using Jailgrade.Registry.Persistence;
using Jailgrade.Registry.Secrets;
using Microsoft.EntityFrameworkCore;

namespace Jailgrade.Benchmarks.RegistryLoad;

/// <summary>
/// What each request of the load plan costs the server, in-process and one at a time, so the figures
/// do not depend on what else runs on the machine: the SQL commands it sends (counted from the
/// registry's own <see cref="DatabaseTelemetry"/> spans) and the CPU time it takes (the process's, over
/// many repetitions). Each request gets a fresh context, as a server request does, and authenticates
/// its key first (the server does that on every request). HTTP and JSON are not in these figures.
/// </summary>
internal static class Measure
{
    public static async Task<int> RunAsync(Options options)
    {
        var database = RegistryDatabase.FromSettings(options.Text("db"), null, Environment.GetEnvironmentVariable);
        // A snapshot seeded before a later migration gets it, as 'jailgrade serve' does on start.
        await Migrator.MigrateAsync(database);
        var master = MasterKey.Load(options.Text("master-key"));
        var repeat = options.Number("repeat", 200);
        var keys = (await File.ReadAllLinesAsync(options.Text("keys"))).Select(l => l.Split('\t')).Where(p => p.Length == 3).ToList();
        string KeyOf(string role) => keys.First(k => k[0] == role)[2];

        var commands = 0L;
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == DatabaseTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = _ => Interlocked.Increment(ref commands),
        };
        ActivitySource.AddActivityListener(listener);

        var time = TimeProvider.System;
        async Task<Caller> CallerAsync(RegistryDbContext db, string key) =>
            (await ApiKeys.AuthenticateAsync(db, key, time.GetUtcNow())).User is { } user
                ? new Caller(user.Id, user.OrganizationId, user.Role)
                : throw new InvalidOperationException("a benchmark key was refused");

        // What the plan reads: a case each party sees, a lab of it, and the regulator's authority.
        Guid caseId, labId, authority;
        await using (var db = database.CreateContext())
        {
            var service = new CaseService(db, time, master);
            var (page, _) = await service.ListAsync(await CallerAsync(db, KeyOf("lab")), new CaseFilter(), null, 1);
            caseId = page[0].Header.Id;
            labId = page[0].Involvements[0].Involvement.LabId;
            authority = page[0].Header.AuthorityId;
        }

        (string Name, string Role, Func<CaseService, Caller, Task> Request)[] plan =
        [
            ("authenticate only", "lab", (_, _) => Task.CompletedTask),
            ("GET /cases/{id} as the lab", "lab", (s, c) => s.ViewAsync(c, caseId)),
            ("GET /cases/{id} as the reporter", "reporter", (s, c) => s.ViewAsync(c, caseId)),
            ("GET /cases/{id} as the regulator", "regulator", (s, c) => s.ViewAsync(c, caseId)),
            ("GET /cases?limit=50 as a lab", "lab", (s, c) => s.ListAsync(c, new CaseFilter(), null, 50)),
            ("GET /cases?limit=50 as a reporter", "reporter", (s, c) => s.ListAsync(c, new CaseFilter(), null, 50)),
            ("GET /cases?limit=50 as the regulator (scope all)", "regulator", (s, c) => s.ListAsync(c, new CaseFilter(), null, 50)),
            ("GET /cases?limit=50 as the auditor", "auditor", (s, c) => s.ListAsync(c, new CaseFilter(), null, 50)),
            ("GET /cases?limit=50&status=triaged as the regulator", "regulator", (s, c) => s.ListAsync(c, new CaseFilter(Status: "triaged"), null, 50)),
            ("GET /cases?limit=50&lab= as the regulator", "regulator", (s, c) => s.ListAsync(c, new CaseFilter(Lab: labId), null, 50)),
            ("GET /cases/{id}/history as the regulator", "regulator", (s, c) => s.HistoryAsync(c, caseId, 0, 50)),
            ("POST /cases as a reporter", "reporter", async (s, c) =>
            {
                if (await s.FileAsync(c, new FileCaseRequest("Measured case", authority, "a lab", "a model", "Benign canary technique text.")) is not CaseResult.Done)
                {
                    throw new InvalidOperationException("the measured write was refused");
                }
            }),
        ];

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"per request, in-process, {repeat} repetitions each after {Math.Max(200, repeat / 2)} to warm up (fresh context and key check every time):"));
        Console.WriteLine("| request | SQL commands | server CPU ms | wall ms |");
        Console.WriteLine("|---|---:|---:|---:|");
        foreach (var (name, role, request) in plan)
        {
            var key = KeyOf(role);
            async Task OnceAsync()
            {
                await using var db = database.CreateContext();
                await request(new CaseService(db, time, master), await CallerAsync(db, key));
            }

            for (var i = 0; i < Math.Max(200, repeat / 2); i++)
            {
                await OnceAsync();
            }

            var process = Process.GetCurrentProcess();
            process.Refresh();
            var cpu = process.TotalProcessorTime;
            var before = Interlocked.Read(ref commands);
            var wall = Stopwatch.StartNew();
            for (var i = 0; i < repeat; i++)
            {
                await OnceAsync();
            }

            wall.Stop();
            process.Refresh();
            var sent = Interlocked.Read(ref commands) - before;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {(double)sent / repeat:0.##} | {(process.TotalProcessorTime - cpu).TotalMilliseconds / repeat:0.00} | {wall.Elapsed.TotalMilliseconds / repeat:0.00} |"));
        }

        return 0;
    }
}
