using Jailgrade.Registry.Administration;
using Jailgrade.Registry.Organizations;
using Jailgrade.Registry.Persistence;
using Jailgrade.Registry.Tests.TestSupport;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace Jailgrade.Server.Tests;

/// <summary>
/// A real server on a free loopback port over a new SQLite registry: initialized (an administrator,
/// the master key in a directory of its own) with one lab user.
/// </summary>
internal sealed class TestRegistry : IAsyncDisposable
{
    private readonly string _root;
    private readonly TestDatabase? _postgres;

    private TestRegistry(string root, TestDatabase? postgres, RegistryDatabase database, string masterKeyPath, FakeTimeProvider time, string adminKey, string labKey)
    {
        _root = root;
        _postgres = postgres;
        Database = database;
        MasterKeyPath = masterKeyPath;
        Time = time;
        AdminKey = adminKey;
        LabKey = labKey;
    }

    public RegistryDatabase Database { get; }

    public string MasterKeyPath { get; }

    public FakeTimeProvider Time { get; }

    public string AdminKey { get; }

    public string LabKey { get; }

    public RegistryServer? Server { get; private set; }

    public HttpClient Client { get; } = new(new SocketsHttpHandler { AllowAutoRedirect = false });

    /// <summary>Requests per minute each address may make to the open endpoints.</summary>
    public int OpenPermits { get; init; } = 60;

    /// <summary>The OpenID Connect issuer the server accepts tokens from (none by default).</summary>
    public Jailgrade.Server.Identity.OidcOptions? Oidc { get; set; }

    /// <summary>Adds to the server's logging, e.g. a capturing provider.</summary>
    public Action<Microsoft.Extensions.Logging.ILoggingBuilder>? ConfigureLogging { get; set; }

    public static async Task<TestRegistry> CreateAsync(bool start = true, DatabaseProvider provider = DatabaseProvider.Sqlite, int openPermits = 60)
    {
        var root = Directory.CreateTempSubdirectory("jailgrade-server-").FullName;
        Directory.CreateDirectory(Path.Combine(root, "data"));
        var postgres = provider == DatabaseProvider.PostgreSql ? await TestDatabase.PostgresAsync() : null;
        var database = postgres?.Database ?? RegistryDatabase.Sqlite(Path.Combine(root, "data", "jailgrade.db"));
        var keyPath = Path.Combine(root, "keys", "master.key");
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 2, 9, 0, 0, TimeSpan.Zero));
        var admin = await RegistryAdmin.InitializeAsync(database, keyPath, "Registry operator", "admin", "registry.test/log", time);
        var (labKey, _) = await RegistryAdmin.AddUserAsync(database, "Example Lab", OrganizationKind.Lab, "alice", Role.Lab, time);
        var registry = new TestRegistry(root, postgres, database, keyPath, time, admin.ApiKey, labKey) { OpenPermits = openPermits };
        if (start)
        {
            await registry.StartAsync();
        }

        return registry;
    }

    public async Task StartAsync()
    {
        Server = await RegistryServer.StartAsync(new RegistryServerOptions { Database = Database, MasterKeyPath = MasterKeyPath, Port = 0, LogToConsole = false, OpenPermits = OpenPermits, Oidc = Oidc, ConfigureLogging = ConfigureLogging }, Time);
        Client.BaseAddress = Server.BaseAddress;
    }

    public static HttpRequestMessage Get(string path, string? bearer = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (bearer is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", bearer);
        }

        return request;
    }

    /// <summary>Sends a request with a bearer key, and optionally a JSON body and If-Match.</summary>
    public Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string key, string? json = null, string? ifMatch = null)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + key);
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        if (json is not null)
        {
            request.Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        }

        return Client.SendAsync(request);
    }

    /// <summary>The organization a key's user belongs to, from <c>/api/v1/me</c>.</summary>
    public async Task<Guid> OrganizationOfAsync(string key)
    {
        using var me = await SendAsync(HttpMethod.Get, "/api/v1/me", key);
        using var body = System.Text.Json.JsonDocument.Parse(await me.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("organization").GetGuid();
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }

        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }

        SqliteConnection.ClearAllPools();
        Directory.Delete(_root, recursive: true);
    }
}
