using Jailgrade.Cli.Tests.TestSupport;
using Jailgrade.Registry.Administration;
using Jailgrade.Registry.Organizations;
using Jailgrade.Registry.Persistence;
using Jailgrade.Registry.Releases;
using Jailgrade.Server;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Jailgrade.Cli.Tests.Registry;

/// <summary>
/// A real registry server on a free loopback port over a new SQLite database (as
/// tests/Jailgrade.Server.Tests/TestRegistry.cs), with an administrator's and a lab user's keys in
/// owner-only files, and a way to run the CLI against it.
/// </summary>
internal sealed class LiveRegistry : IAsyncDisposable
{
    private LiveRegistry(string root, RegistryDatabase database, RegistryServer server, string adminKey, string labKey)
    {
        Root = root;
        Database = database;
        Server = server;
        AdminKey = adminKey;
        LabKey = labKey;
        AdminKeyFile = WriteKey("admin.key", adminKey);
        LabKeyFile = WriteKey("alice.key", labKey);
    }

    public string Root { get; }

    public RegistryDatabase Database { get; }

    public RegistryServer Server { get; }

    public string Url => Server.BaseAddress.ToString().TrimEnd('/');

    public string AdminKey { get; }

    public string LabKey { get; }

    public string AdminKeyFile { get; }

    public string LabKeyFile { get; }

    public static async Task<LiveRegistry> StartAsync()
    {
        var root = Directory.CreateTempSubdirectory("jailgrade-cli-remote-").FullName;
        Directory.CreateDirectory(Path.Combine(root, "data"));
        var database = RegistryDatabase.Sqlite(Path.Combine(root, "data", "jailgrade.db"));
        var keyPath = Path.Combine(root, "keys", "master.key");
        var admin = await RegistryAdmin.InitializeAsync(database, keyPath, "Registry operator", "admin", "registry.test/log", TimeProvider.System);
        var (labKey, _) = await RegistryAdmin.AddUserAsync(database, "Example Lab", OrganizationKind.Lab, "alice", Role.Lab, TimeProvider.System);
        var server = await RegistryServer.StartAsync(new RegistryServerOptions { Database = database, MasterKeyPath = keyPath, Port = 0, LogToConsole = false });
        return new LiveRegistry(root, database, server, admin.ApiKey, labKey);
    }

    /// <summary>Adds a user (and its organization, if new) straight to the database; its key goes to <c>{user}.key</c>.</summary>
    public async Task<LiveParty> AddPartyAsync(string organization, OrganizationKind kind, string user, Role role)
    {
        var (key, _) = await RegistryAdmin.AddUserAsync(Database, organization, kind, user, role, TimeProvider.System);
        await using var db = Database.CreateContext();
        var id = await db.Organizations.Where(o => o.Name == organization).Select(o => o.Id).SingleAsync();
        return new LiveParty(id, key, WriteKey(user + ".key", key));
    }

    /// <summary>Adds a model with one release to a lab straight to the database; returns the release's id.</summary>
    public async Task<Guid> AddReleaseAsync(Guid lab, string model, string version)
    {
        await using var db = Database.CreateContext();
        var now = TimeProvider.System.GetUtcNow();
        var aiModel = new AiModel { Id = Guid.NewGuid(), LabId = lab, Name = model, CreatedAt = now };
        var release = new Release { Id = Guid.NewGuid(), ModelId = aiModel.Id, Version = version, Exposure = "G", Regions = "US", CreatedAt = now };
        db.Models.Add(aiModel);
        db.Releases.Add(release);
        await db.SaveChangesAsync();
        return release.Id;
    }

    /// <summary>Sends one API request as the holder of <paramref name="key"/> (for steps no verb takes, such as triage).</summary>
    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string key, string? json = null, string? ifMatch = null)
    {
        using var http = new HttpClient { BaseAddress = Server.BaseAddress };
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Add("Authorization", "Bearer " + key);
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        if (json is not null)
        {
            request.Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        }

        return await http.SendAsync(request);
    }

    /// <summary>Runs the CLI with this server in JAILGRADE_SERVER (nothing else in its environment).</summary>
    public Task<CliResult> RunAsync(params string[] args) => RunAsync(terminal: false, new Dictionary<string, string>(), args);

    public Task<CliResult> RunAsync(bool terminal, Dictionary<string, string> environment, params string[] args)
    {
        environment.TryAdd("JAILGRADE_SERVER", Url);
        return CliRun.RunAsync([], terminal, name => environment.GetValueOrDefault(name), args);
    }

    public string WriteKey(string name, string key, UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite)
    {
        var path = Path.Combine(Root, name);
        File.WriteAllText(path, key + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, mode);
        }

        return path;
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(Root, recursive: true);
    }
}

/// <summary>An organization on a <see cref="LiveRegistry"/> and one of its users' keys, in memory and in a file.</summary>
internal sealed record LiveParty(Guid Organization, string Key, string KeyFile);
