using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Jailgrade.Cli.Hosting;
using Jailgrade.Cli.Tests.TestSupport;
using Jailgrade.Registry.Administration;
using Jailgrade.Registry.Organizations;
using Jailgrade.Registry.Persistence;
using Jailgrade.Server;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Jailgrade.Cli.Tests.Registry;

/// <summary><c>jailgrade admin rotate-master-key</c>, the real verb, and a real server before and after it.</summary>
public sealed class RotateMasterKeyVerbTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("jailgrade-cli-rotate-").FullName;

    public RotateMasterKeyVerbTests()
    {
        Directory.CreateDirectory(Path.Combine(_root, "data"));
        Database = RegistryDatabase.Sqlite(Db);
    }

    private string Db => Path.Combine(_root, "data", "jailgrade.db");

    private string OldKey => Path.Combine(_root, "keys", "master.key");

    private string NewKey => Path.Combine(_root, "keys", "rotated.key");

    private RegistryDatabase Database { get; }

    [Fact]
    public async Task Rotate_ThenServeWithOnlyTheNewKey_EveryTechniqueReadsAndTheOldKeyIsRefused()
    {
        var (_, regulator, reporter) = await InitializeAsync();
        var cases = new Dictionary<string, string>();
        await using (var server = await StartAsync(OldKey))
        {
            foreach (var technique in new[] { "first canary cue", "second canary cue" })
            {
                cases[await FileCaseAsync(server, reporter, technique)] = technique;
            }
        }

        var result = await RunAsync("admin", "rotate-master-key", "--db", Db, "--master-key-file", OldKey, "--new-master-key-file", NewKey, "--batch-size", "1");

        result.ExitCode.ShouldBe(0, result.Stderr);
        result.Stdout.ShouldBe("2 data keys rewrapped\n");
        result.Stderr.ShouldContain("1 of 2 data keys under the new key\n2 of 2 data keys under the new key\n");
        var refused = await RunAsync("serve", "--db", Db, "--master-key-file", OldKey, "--port", "0");
        refused.ExitCode.ShouldBe((int)ExitCode.IoError);
        var newId = File.ReadAllText(NewKey).Split(' ')[1];
        refused.Stderr.ShouldContain($"{Db} needs its current master key {newId}, but the key files given hold {File.ReadAllText(OldKey).Split(' ')[1]} ({OldKey})");
        refused.Stderr.ShouldNotContain("   at ");

        File.Delete(OldKey);
        await using var after = await StartAsync(NewKey);
        foreach (var (id, technique) in cases)
        {
            using var response = await SendAsync(after, HttpMethod.Get, $"api/v1/cases/{id}/technique", regulator);
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
            JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("technique").GetString().ShouldBe(technique);
        }
    }

    [Fact]
    public async Task Rotate_AlteredDataKey_StopsWithExit8NamingTheCase_KeepsEveryKeyReadable_AndResumesOnceRestored()
    {
        var (_, regulator, reporter) = await InitializeAsync();
        var techniques = new Dictionary<string, string>();
        await using (var server = await StartAsync(OldKey))
        {
            foreach (var technique in new[] { "first canary cue", "second canary cue", "third canary cue" })
            {
                techniques[await FileCaseAsync(server, reporter, technique)] = technique;
            }
        }

        // The rotation checks the first key (by case) before it starts: the damage is in the second and
        // third, which the second batch of one reaches after the first batch committed.
        List<Guid> order;
        await using (var db = Database.CreateOwnerContext())
        {
            var keys = await db.CaseKeys.OrderBy(k => k.CaseId).ToListAsync();
            order = [.. keys.Select(k => k.CaseId)];
            (keys[1].Wrapped, keys[2].Wrapped) = (keys[2].Wrapped, keys[1].Wrapped);
            await db.SaveChangesAsync();
        }

        var stopped = await RunAsync("admin", "rotate-master-key", "--db", Db, "--master-key-file", OldKey, "--new-master-key-file", NewKey, "--batch-size", "1");

        stopped.ExitCode.ShouldBe((int)ExitCode.CorruptEvidence, stopped.Stderr);
        var newId = File.ReadAllText(NewKey).Split(' ')[1];
        stopped.Stderr.ShouldContain($"jailgrade admin rotate-master-key: the data key of case {order[1]:D} does not unwrap: it belongs to another case or version, or was altered; "
            + $"the rotation stopped with 1 of 3 data keys under the new key {newId} and wrote nothing of this batch; restore that case's data key (case_keys) from a backup, then run the command again to finish");
        stopped.Stderr.ShouldNotContain("   at ");
        await using (var db = Database.CreateOwnerContext())
        {
            var keys = await db.CaseKeys.OrderBy(k => k.CaseId).ToListAsync();
            keys.Select(k => k.MasterKeyId == newId).ShouldBe([true, false, false]);
            (keys[1].Wrapped, keys[2].Wrapped) = (keys[2].Wrapped, keys[1].Wrapped);
            await db.SaveChangesAsync();
        }

        var resumed = await RunAsync("admin", "rotate-master-key", "--db", Db, "--master-key-file", OldKey, "--new-master-key-file", NewKey, "--batch-size", "1");

        resumed.ExitCode.ShouldBe(0, resumed.Stderr);
        resumed.Stdout.ShouldBe("3 data keys rewrapped\n");
        await using var after = await StartAsync(NewKey);
        foreach (var (id, technique) in techniques)
        {
            using var response = await SendAsync(after, HttpMethod.Get, $"api/v1/cases/{id}/technique", regulator);
            JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("technique").GetString().ShouldBe(technique);
        }
    }

    [Fact]
    public async Task Serve_AfterRotation_ReplaysAnIdempotentAnswerStoredUnderTheOldKeyOnlyWhileItIsGiven()
    {
        var admin = (await InitializeAsync()).Admin;
        const string Body = """{"name":"Retried Lab","kind":"lab"}""";
        string first;
        await using (var server = await StartAsync(OldKey))
        {
            using var response = await SendAsync(server, HttpMethod.Post, "api/v1/orgs", admin, Body, idempotencyKey: "retry-1");
            response.StatusCode.ShouldBe(HttpStatusCode.Created);
            first = await response.Content.ReadAsStringAsync();
        }

        (await RunAsync("admin", "rotate-master-key", "--db", Db, "--master-key-file", OldKey, "--new-master-key-file", NewKey)).ExitCode.ShouldBe(0);

        await using (var both = await StartAsync(NewKey, OldKey))
        {
            using var replay = await SendAsync(both, HttpMethod.Post, "api/v1/orgs", admin, Body, idempotencyKey: "retry-1");
            replay.StatusCode.ShouldBe(HttpStatusCode.Created);
            replay.Headers.GetValues("Idempotent-Replayed").ShouldBe(["true"]);
            (await replay.Content.ReadAsStringAsync()).ShouldBe(first);
        }

        await using var newOnly = await StartAsync(NewKey);
        using var unmatched = await SendAsync(newOnly, HttpMethod.Post, "api/v1/orgs", admin, Body, idempotencyKey: "retry-1");
        unmatched.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        await using var db = Database.CreateContext();
        (await db.Organizations.CountAsync(o => o.Name == "Retried Lab")).ShouldBe(1);
    }

    [Fact]
    public async Task Serve_WhileARotationIsUnfinished_RefusesAndARerunOfTheVerbFinishesIt()
    {
        var (_, _, reporter) = await InitializeAsync();
        await using (var server = await StartAsync(OldKey))
        {
            await FileCaseAsync(server, reporter, "first canary cue");
            await FileCaseAsync(server, reporter, "second canary cue");
        }

        using var stop = new CancellationTokenSource();
        await Should.ThrowAsync<OperationCanceledException>(() => MasterKeyRotation.RotateAsync(Database, OldKey, NewKey, TimeProvider.System, batchSize: 1, _ => stop.Cancel(), stop.Token));
        var (oldId, newId) = (File.ReadAllText(OldKey).Split(' ')[1], File.ReadAllText(NewKey).Split(' ')[1]);

        var refused = await Should.ThrowAsync<Jailgrade.Registry.Identity.MasterKeyException>(() => StartAsync(NewKey, OldKey));

        refused.Message.ShouldBe($"a rotation of {Db}'s master key from {oldId} to {newId} is unfinished; run 'jailgrade admin rotate-master-key' again to finish it, then start the server with key {newId}");
        var rerun = await RunAsync("admin", "rotate-master-key", "--db", Db, "--master-key-file", OldKey, "--new-master-key-file", NewKey);
        rerun.ExitCode.ShouldBe(0, rerun.Stderr);
        rerun.Stdout.ShouldBe("2 data keys rewrapped\n");
        rerun.Stderr.ShouldContain($"from master key {oldId} to {newId}: 2 data keys under the new key, 1 of them rewrapped by this run");
        await using var after = await StartAsync(NewKey);
    }

    [Fact]
    public async Task Rotate_WorldReadableOldKeyFile_IsAClearErrorAndNothingIsWritten()
    {
        await InitializeAsync();
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        File.SetUnixFileMode(OldKey, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var result = await RunAsync("admin", "rotate-master-key", "--db", Db, "--master-key-file", OldKey, "--new-master-key-file", NewKey);

        result.ExitCode.ShouldBe((int)ExitCode.IoError);
        result.Stderr.ShouldBe($"jailgrade admin rotate-master-key: master key file {OldKey}: its group or others may access it (mode 644); expected 600 (chmod 600 '{OldKey}')\n");
        File.Exists(NewKey).ShouldBeFalse();
    }

    [Fact]
    public async Task Rotate_OldKeyFileHoldingAnotherKey_IsRefusedWithExit4AndNothingIsWritten()
    {
        await InitializeAsync();
        var other = Path.Combine(_root, "keys", "other.key");
        Jailgrade.Registry.Identity.MasterKey.Generate().WriteNew(other);

        var result = await RunAsync("admin", "rotate-master-key", "--db", Db, "--master-key-file", other, "--new-master-key-file", NewKey);

        result.ExitCode.ShouldBe((int)ExitCode.IoError);
        result.Stderr.ShouldContain($"but the current key of {Db} is {File.ReadAllText(OldKey).Split(' ')[1]}; give the current key with --master-key-file");
        File.Exists(NewKey).ShouldBeFalse();
        await using var db = Database.CreateContext();
        (await db.Settings.AnyAsync(s => s.Name == MasterKeyRotation.TargetSetting)).ShouldBeFalse();
    }

    [Fact]
    public async Task Rotate_BatchSizeZero_IsAUsageError()
    {
        var result = await RunAsync("admin", "rotate-master-key", "--db", Db, "--master-key-file", OldKey, "--new-master-key-file", NewKey, "--batch-size", "0");

        result.ExitCode.ShouldBe((int)ExitCode.UsageError);
        result.Stderr.ShouldContain("--batch-size 0: expected a number of data keys, at least 1");
        File.Exists(Db).ShouldBeFalse();
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_root, recursive: true);
    }

    private static Task<CliResult> RunAsync(params string[] args) => CliRun.RunAsync([], terminal: false, _ => null, args);

    // The registry through the real 'admin init', then a regulator and a reporter straight in the database.
    private async Task<(string Admin, string Regulator, string Reporter)> InitializeAsync()
    {
        var keyOut = Path.Combine(_root, "admin.key");
        var init = await RunAsync("admin", "init", "--db", Db, "--master-key-file", OldKey, "--key-out", keyOut);
        init.ExitCode.ShouldBe(0, init.Stderr);
        var (regulator, _) = await RegistryAdmin.AddUserAsync(Database, "Example Authority", OrganizationKind.Authority, "rita", Role.Regulator, TimeProvider.System);
        var (reporter, _) = await RegistryAdmin.AddUserAsync(Database, "Canary Research", OrganizationKind.Research, "rob", Role.Reporter, TimeProvider.System);
        return (File.ReadAllText(keyOut).Trim(), regulator, reporter);
    }

    private Task<RegistryServer> StartAsync(string masterKey, params string[] older) =>
        RegistryServer.StartAsync(new RegistryServerOptions { Database = Database, MasterKeyPath = masterKey, OtherMasterKeyPaths = older, Port = 0, LogToConsole = false });

    private async Task<string> FileCaseAsync(RegistryServer server, string reporter, string technique)
    {
        Guid authority;
        await using (var db = Database.CreateContext())
        {
            authority = await db.Organizations.Where(o => o.Name == "Example Authority").Select(o => o.Id).SingleAsync();
        }

        var body = JsonSerializer.Serialize(new { title = "Role-play unlocks the canary", authority, labAsReported = "Example Lab", modelAsReported = "ex-1", technique });
        using var response = await SendAsync(server, HttpMethod.Post, "api/v1/cases", reporter, body);
        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
    }

    private static async Task<HttpResponseMessage> SendAsync(RegistryServer server, HttpMethod method, string path, string key, string? json = null, string? idempotencyKey = null)
    {
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        return await http.SendAsync(request);
    }
}
