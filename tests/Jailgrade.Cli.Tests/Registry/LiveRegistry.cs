using Jailgrade.Cli.Tests.TestSupport;
using Jailgrade.Registry.Administration;
using Jailgrade.Registry.Organizations;
using Jailgrade.Registry.Persistence;
using Jailgrade.Server;
using Microsoft.Data.Sqlite;

namespace Jailgrade.Cli.Tests.Registry;

/// <summary>
/// A real registry server on a free loopback port over a new SQLite database (as
/// tests/Jailgrade.Server.Tests/TestRegistry.cs), with an administrator's and a lab user's keys in
/// owner-only files, and a way to run the CLI against it.
/// </summary>
internal sealed class LiveRegistry : IAsyncDisposable
{
    private LiveRegistry(string root, RegistryServer server, string adminKey, string labKey)
    {
        Root = root;
        Server = server;
        AdminKey = adminKey;
        LabKey = labKey;
        AdminKeyFile = WriteKey("admin.key", adminKey);
        LabKeyFile = WriteKey("alice.key", labKey);
    }

    public string Root { get; }

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
        return new LiveRegistry(root, server, admin.ApiKey, labKey);
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
