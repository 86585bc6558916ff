using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Jailgrade.Registry.Persistence;
using Jailgrade.Registry.Tests.TestSupport;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Xunit.Abstractions;

namespace Jailgrade.Server.Tests.Durability;

/// <summary>
/// An acknowledged write survives <c>kill -9</c> of the server (issue 11, "Durability"): a real
/// <c>jailgrade serve</c> process takes a stream of POSTs from several writers, is killed with SIGKILL
/// mid-stream, and is started again on the same database. Every write answered 201 is there, no write
/// is there in part (each organization has its event, sequence numbers run without a gap, every
/// envelope has its body), and each write is there exactly when its Idempotency-Key's response is
/// (the key and the write commit together).
/// </summary>
public class KillNineTests(ITestOutputHelper output)
{
    private const int Writers = 4;

    // Kill once this many writes were acknowledged; each writer stops at MaxPerWriter in any case.
    private const int KillAfter = 40;
    private const int MaxPerWriter = 100;
    // A bound on each wait (start-up, the writes, a request), not a pause: on a loaded two-core CI machine
    // a start-up of the built server alone has taken most of a minute.
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(180);

    [Fact]
    public Task Serve_KilledWithSigkillMidStream_KeepsEveryAcknowledgedWriteAndNoPartialOne_Sqlite() => KilledMidStream(DatabaseProvider.Sqlite);

    [PostgresFact]
    public Task Serve_KilledWithSigkillMidStream_KeepsEveryAcknowledgedWriteAndNoPartialOne_Postgres() => KilledMidStream(DatabaseProvider.PostgreSql);

    private async Task KilledMidStream(DatabaseProvider provider)
    {
        await using var registry = await TestRegistry.CreateAsync(start: false, provider: provider);
        var acknowledged = new ConcurrentDictionary<string, byte[]>(StringComparer.Ordinal);
        var attempted = new ConcurrentBag<string>();
        var stopwatch = Stopwatch.StartNew();

        using (var first = await ServeProcess.StartAsync(registry))
        {
            using var client = first.Client(registry.AdminKey);
            var killed = 0;
            await Task.WhenAll(Enumerable.Range(0, Writers).Select(writer => Task.Run(async () =>
            {
                for (var i = 0; i < MaxPerWriter; i++)
                {
                    var name = $"org {writer}-{i}";
                    attempted.Add(name);
                    try
                    {
                        using var response = await CreateAsync(client, name);
                        if (response.StatusCode == HttpStatusCode.Created)
                        {
                            acknowledged[name] = await response.Content.ReadAsByteArrayAsync();
                        }
                    }
                    catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException)
                    {
                        return; // the server is gone
                    }

                    if (acknowledged.Count >= KillAfter && Interlocked.Exchange(ref killed, 1) == 0)
                    {
                        first.Kill(); // SIGKILL while the other writers' requests are in flight
                    }
                }
            })));
            output.WriteLine($"{provider}: killed after {stopwatch.Elapsed.TotalSeconds:0.0} s");
            killed.ShouldBe(1, $"the server was killed mid-stream (acknowledged {acknowledged.Count}); stderr: {first.Stderr}");
        }

        if (provider == DatabaseProvider.Sqlite)
        {
            await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = registry.Database.SqlitePath }.ToString());
            await connection.OpenAsync();
            (await ScalarAsync(connection, "PRAGMA integrity_check")).ShouldBe("ok");
            (await ScalarAsync(connection, "PRAGMA journal_mode")).ShouldBe("wal");
        }

        using var second = await ServeProcess.StartAsync(registry);
        output.WriteLine($"{provider}: restarted after {stopwatch.Elapsed.TotalSeconds:0.0} s");
        using var again = second.Client(registry.AdminKey);
        var present = await OrganizationNamesAsync(registry);
        foreach (var name in acknowledged.Keys)
        {
            present.ShouldContain(name, "an acknowledged write is kept");
        }

        // A write is there exactly when its key's response is: a retry replays it, or else runs afresh.
        var outcomes = new List<string>();
        foreach (var name in attempted)
        {
            using var retry = await CreateAsync(again, name);
            outcomes.Add(retry.Headers.Contains("Idempotent-Replayed") ? "replayed" : $"{(int)retry.StatusCode}");
            var replayed = retry.Headers.Contains("Idempotent-Replayed");
            replayed.ShouldBe(present.Contains(name), $"'{name}': written {present.Contains(name)}, replayed {replayed} ({retry.StatusCode})");
            if (acknowledged.TryGetValue(name, out var answered))
            {
                (await retry.Content.ReadAsByteArrayAsync()).ShouldBe(answered, $"'{name}' replays the response acknowledged before the kill");
            }
            else if (!replayed)
            {
                // Its reservation may have survived the kill without its write: in flight until the lease ends.
                retry.StatusCode.ShouldBeOneOf(HttpStatusCode.Created, HttpStatusCode.Conflict);
            }
        }

        await CheckTheRecordIsWholeAsync(registry);
        output.WriteLine($"{provider}: {attempted.Count} writes sent, {acknowledged.Count} acknowledged before the kill, {present.Count(n => n.StartsWith("org ", StringComparison.Ordinal))} kept; "
            + $"retried after the restart: {string.Join(", ", outcomes.CountBy(o => o).OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Value} {c.Key}"))}; "
            + $"{stopwatch.Elapsed.TotalSeconds:0.0} s");
    }

    /// <summary>Every organization has its creation event and every event its organization; sequence numbers run 1..n; every envelope has its body.</summary>
    private static async Task CheckTheRecordIsWholeAsync(TestRegistry registry)
    {
        await using var db = registry.Database.CreateContext();
        var seqs = await db.EventEnvelopes.AsNoTracking().OrderBy(e => e.Seq).Select(e => e.Seq).ToListAsync();
        seqs.ShouldBe(Enumerable.Range(1, seqs.Count).Select(i => (long)i).ToList(), "sequence numbers are contiguous");
        (await db.EventBodies.AsNoTracking().OrderBy(b => b.Seq).Select(b => b.Seq).ToListAsync()).ShouldBe(seqs, "every envelope has its body");

        var organizations = await db.Organizations.AsNoTracking().Select(o => o.Id).ToListAsync();
        var created = await db.EventEnvelopes.AsNoTracking().Where(e => e.Type == "organization.created").Select(e => e.ObjectId).ToListAsync();
        created.Order().ShouldBe(organizations.Order(), "each organization has exactly one creation event, and each creation event its organization");

        var keys = await db.IdempotencyKeys.AsNoTracking().ToListAsync();
        var names = await db.Organizations.AsNoTracking().Select(o => o.Name).ToListAsync();
        keys.Where(k => k.Status == 201).Select(k => k.Key).Order(StringComparer.Ordinal)
            .ShouldBe(names.Where(n => n.StartsWith("org ", StringComparison.Ordinal)).Order(StringComparer.Ordinal), "a write is kept exactly with its key's response");
    }

    private static async Task<HashSet<string>> OrganizationNamesAsync(TestRegistry registry)
    {
        await using var db = registry.Database.CreateContext();
        return [.. await db.Organizations.AsNoTracking().Select(o => o.Name).ToListAsync()];
    }

    private static Task<HttpResponseMessage> CreateAsync(HttpClient client, string name)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/orgs")
        {
            Content = new StringContent($$"""{"name":"{{name}}","kind":"lab"}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("Idempotency-Key", name);
        return client.SendAsync(request);
    }

    private static async Task<string?> ScalarAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToString(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    /// <summary>The built CLI's <c>jailgrade serve</c> on a free port, over the test registry's database and master key.</summary>
    private sealed class ServeProcess : IDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _stderr = new();

        private ServeProcess(Process process)
        {
            _process = process;
        }

        public Uri BaseAddress { get; private set; } = new("http://127.0.0.1/");

        public string Stderr
        {
            get
            {
                lock (_stderr)
                {
                    return _stderr.ToString();
                }
            }
        }

        public static async Task<ServeProcess> StartAsync(TestRegistry registry)
        {
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "jailgrade.dll"));
            start.ArgumentList.Add("serve");
            start.ArgumentList.Add("--port");
            start.ArgumentList.Add("0");
            start.ArgumentList.Add("--master-key-file");
            start.ArgumentList.Add(registry.MasterKeyPath);
            start.ArgumentList.Add("--db");
            if (registry.Database.Provider == DatabaseProvider.Sqlite)
            {
                start.ArgumentList.Add(registry.Database.SqlitePath!);
            }
            else
            {
                // Passwords through the environment, as an operator gives them (never on the command line).
                var (application, password) = WithoutPassword(registry.Database.ConnectionString);
                var (migration, migrationPassword) = WithoutPassword(registry.Database.MigrationConnectionString);
                start.ArgumentList.Add(application);
                start.ArgumentList.Add("--migrate-db");
                start.ArgumentList.Add(migration);
                start.Environment["JAILGRADE_DB_PASSWORD"] = password;
                start.Environment["JAILGRADE_MIGRATE_DB_PASSWORD"] = migrationPassword;
            }

            start.Environment["XDG_CONFIG_HOME"] = Path.Combine(Path.GetDirectoryName(registry.MasterKeyPath)!, "config");
            var process = Process.Start(start)!;
            var serve = new ServeProcess(process);
            process.ErrorDataReceived += (_, e) =>
            {
                lock (serve._stderr)
                {
                    serve._stderr.AppendLine(e.Data);
                }
            };
            process.BeginErrorReadLine();
            var url = await process.StandardOutput.ReadLineAsync().WaitAsync(Patience);
            if (url is null)
            {
                await process.WaitForExitAsync().WaitAsync(Patience);
                throw new InvalidOperationException($"serve ended with {process.ExitCode} before listening: {serve.Stderr}");
            }

            serve.BaseAddress = new Uri(url + "/");
            return serve;
        }

        public HttpClient Client(string key)
        {
            var client = new HttpClient { BaseAddress = BaseAddress, Timeout = Patience };
            client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "Bearer " + key);
            return client;
        }

        /// <summary>SIGKILL: the process gets no chance to finish anything.</summary>
        public void Kill()
        {
            _process.Kill();
            _process.WaitForExit(Patience);
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                _process.WaitForExit(Patience);
            }

            _process.Dispose();
        }

        private static (string ConnectionString, string? Password) WithoutPassword(string connectionString)
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            var password = builder.Password;
            builder.Password = null;
            return (builder.ToString(), password);
        }
    }
}
