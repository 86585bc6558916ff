using Jailgrade.Registry.Administration;
using Jailgrade.Registry.Cases;
using Jailgrade.Registry.Identity;
using Jailgrade.Registry.Persistence;
using Jailgrade.Registry.Tests.TestSupport;
using Microsoft.Extensions.Time.Testing;

namespace Jailgrade.Registry.Tests.Cases;

/// <summary>An initialized registry with a <see cref="CaseWorld"/> and a case service on it.</summary>
internal sealed class CaseFixture : IAsyncDisposable
{
    private readonly TestDatabase _test;
    private readonly string _keys;
    private readonly List<RegistryDbContext> _contexts = [];

    private CaseFixture(TestDatabase test, string keys, MasterKey master, CaseWorld world)
    {
        _test = test;
        _keys = keys;
        Master = master;
        World = world;
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 12, 2, 9, 0, 0, TimeSpan.Zero));

    public MasterKey Master { get; }

    /// <summary>The master key's file (outside the database's directory), and beside it room for more keys.</summary>
    public string MasterKeyPath => Path.Combine(_keys, "master.key");

    public CaseWorld World { get; }

    public RegistryDatabase Database => _test.Database;

    public static async Task<CaseFixture> CreateAsync(DatabaseProvider provider)
    {
        var test = await TestDatabase.CreateAsync(provider);
        var keys = Directory.CreateTempSubdirectory("jailgrade-keys-").FullName;
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 2, 9, 0, 0, TimeSpan.Zero));
        await RegistryAdmin.InitializeAsync(test.Database, Path.Combine(keys, "master.key"), "Operator", "admin", "registry.test/log", time);
        var world = await CaseWorld.SeedAsync(test.Database, time);
        return new CaseFixture(test, keys, MasterKey.Load(Path.Combine(keys, "master.key")), world);
    }

    /// <summary>A service on a context of its own (as each request has).</summary>
    public CaseService Service()
    {
        var db = Database.CreateContext();
        _contexts.Add(db);
        return new CaseService(db, Time, Master);
    }

    public RegistryDbContext Context()
    {
        var db = Database.CreateContext();
        _contexts.Add(db);
        return db;
    }

    /// <summary>Files a case as the reporter and triages it to both labs, with the auditor assigned.</summary>
    public async Task<CaseView> TwoLabCaseAsync(string technique = "Ask the canary to role-play a librarian.")
    {
        var filed = await FileAsync(World.Reporter, technique);
        var triaged = await Service().TriageAsync(World.Regulator.Caller, filed.Header.Id, filed.ETag,
            new TriageRequest([new(World.LabA.Organization, [World.ReleaseA]), new(World.LabB.Organization, [World.ReleaseB])], [World.Auditor.Organization]));
        return triaged.ShouldBeOfType<CaseResult.Done>().Case;
    }

    public async Task<CaseView> FileAsync(Party reporter, string technique = "Ask the canary to role-play a librarian.")
    {
        var result = await Service().FileAsync(reporter.Caller,
            new FileCaseRequest("Role-play unlocks the canary", World.Regulator.Organization, "Example Lab", "ex-1", technique));
        return result.ShouldBeOfType<CaseResult.Done>().Case;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var db in _contexts)
        {
            await db.DisposeAsync();
        }

        await _test.DisposeAsync();
        Directory.Delete(_keys, recursive: true);
    }
}
