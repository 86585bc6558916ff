using System.Net;
using System.Net.Sockets;
using Jailgrade.Cli.Hosting;
using Jailgrade.Cli.Tests.TestSupport;
using Jailgrade.Registry.Identity;
using Microsoft.Data.Sqlite;

namespace Jailgrade.Cli.Tests.Registry;

public sealed class RegistryVerbTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("jailgrade-cli-registry-").FullName;

    private string Data => Path.Combine(_root, "data");

    private string Db => Path.Combine(Data, "jailgrade.db");

    private string MasterKey => Path.Combine(_root, "keys", "master.key");

    public RegistryVerbTests() => Directory.CreateDirectory(Data);

    [Theory]
    [InlineData("master.key")]
    [InlineData("keys/master.key")]
    public async Task AdminInit_MasterKeyInTheDatabasesDirectory_IsRefusedBeforeAnythingIsWritten(string besideDatabase)
    {
        var keyPath = Path.Combine(Data, besideDatabase);

        var result = await RunAsync("admin", "init", "--db", Db, "--master-key-file", keyPath, "--key-out", Path.Combine(_root, "admin.key"));

        result.ExitCode.ShouldBe((int)ExitCode.IoError);
        result.Stderr.ShouldContain($"master key file {keyPath}: it is in the database's directory ({Data})");
        File.Exists(keyPath).ShouldBeFalse();
        File.Exists(Db).ShouldBeFalse();
        File.Exists(Path.Combine(_root, "admin.key")).ShouldBeFalse();
    }

    [Fact]
    public async Task AdminInit_KeyOutFile_IsOwnerOnlyAndTheKeyIsNotPrintedToAPipe()
    {
        var keyOut = Path.Combine(_root, "admin.key");

        var result = await RunAsync("admin", "init", "--db", Db, "--master-key-file", MasterKey, "--key-out", keyOut);

        result.ExitCode.ShouldBe(0, result.Stderr);
        var key = File.ReadAllText(keyOut).Trim();
        ApiKeys.TryParse(key, out _, out var id, out var secret).ShouldBeTrue();
        result.Stdout.ShouldBeEmpty();
        result.Stderr.ShouldContain($"jg_live_{id}");
        result.Stderr.ShouldNotContain(secret);
        if (!OperatingSystem.IsWindows())
        {
            File.GetUnixFileMode(keyOut).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
            File.GetUnixFileMode(MasterKey).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    [Fact]
    public async Task AdminInit_AdministratorExists_IsRefusedWithExit1()
    {
        (await RunAsync("admin", "init", "--db", Db, "--master-key-file", MasterKey, "--key-out", Path.Combine(_root, "a.key"))).ExitCode.ShouldBe(0);

        var again = await RunAsync("admin", "init", "--db", Db, "--master-key-file", MasterKey, "--key-out", Path.Combine(_root, "b.key"));

        again.ExitCode.ShouldBe((int)ExitCode.InvalidInput);
        again.Stderr.ShouldContain("already has an administrator");
        File.Exists(Path.Combine(_root, "b.key")).ShouldBeFalse();
    }

    [Fact]
    public async Task UsersAdd_UnknownOrganization_IsRefusedNamingNewOrg()
    {
        (await RunAsync("admin", "init", "--db", Db, "--master-key-file", MasterKey, "--key-out", Path.Combine(_root, "a.key"))).ExitCode.ShouldBe(0);

        var result = await RunAsync("users", "add", "--db", Db, "--org", "Example Lab", "--role", "lab", "--name", "alice");

        result.ExitCode.ShouldBe((int)ExitCode.InvalidInput);
        result.Stderr.ShouldContain("no organization named 'Example Lab'; to create it add --new-org KIND (operator, lab, authority, auditor, research)");
    }

    [Fact]
    public async Task UsersAdd_NewLabUserWithoutKeyOut_PrintsTheKeyOnce()
    {
        (await RunAsync("admin", "init", "--db", Db, "--master-key-file", MasterKey, "--key-out", Path.Combine(_root, "a.key"))).ExitCode.ShouldBe(0);

        var result = await RunAsync("users", "add", "--db", Db, "--org", "Example Lab", "--new-org", "lab", "--role", "lab", "--name", "alice");

        result.ExitCode.ShouldBe(0, result.Stderr);
        result.Lines.Length.ShouldBe(1);
        ApiKeys.TryParse(result.Lines[0], out _, out _, out _).ShouldBeTrue();
    }

    [Fact]
    public async Task UsersAdd_RoleOfAnotherKindOfOrganization_IsRefused()
    {
        (await RunAsync("admin", "init", "--db", Db, "--master-key-file", MasterKey, "--key-out", Path.Combine(_root, "a.key"))).ExitCode.ShouldBe(0);

        var result = await RunAsync("users", "add", "--db", Db, "--org", "Example Lab", "--new-org", "lab", "--role", "regulator", "--name", "bob");

        result.ExitCode.ShouldBe((int)ExitCode.InvalidInput);
        result.Stderr.ShouldContain("role regulator belongs to an organization of kind authority; 'Example Lab' is a lab");
    }

    [Fact]
    public async Task Db_ConnectionStringHoldingAPassword_IsRefusedWithoutEchoingIt()
    {
        var result = await RunAsync("serve", "--db", "Host=127.0.0.1;Database=jailgrade;Username=app;Password=hunter2-secret", "--master-key-file", MasterKey);

        result.ExitCode.ShouldBe((int)ExitCode.UsageError);
        result.Stderr.ShouldContain("the connection string holds a password");
        result.Stderr.ShouldNotContain("hunter2-secret");
    }

    [Fact]
    public async Task Serve_PortInUse_ExitsPortInUse()
    {
        (await RunAsync("admin", "init", "--db", Db, "--master-key-file", MasterKey, "--key-out", Path.Combine(_root, "a.key"))).ExitCode.ShouldBe(0);
        using var holder = new TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        var port = ((IPEndPoint)holder.LocalEndpoint).Port;

        var result = await RunAsync("serve", "--db", Db, "--master-key-file", MasterKey, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture));

        result.ExitCode.ShouldBe((int)ExitCode.PortInUse);
        result.Stderr.ShouldContain($"port {port} on 127.0.0.1 is already in use");
        result.Stderr.ShouldNotContain("   at ");
    }

    [Fact]
    public async Task Serve_OidcIssuerOverPlainHttp_IsAUsageErrorNamingIt()
    {
        var result = await RunAsync("serve", "--db", Db, "--master-key-file", MasterKey, "--oidc-issuer", "http://login.example.com/realms/jailgrade", "--oidc-audience", "api");

        result.ExitCode.ShouldBe((int)ExitCode.UsageError);
        result.Stderr.ShouldContain("OpenID Connect issuer 'http://login.example.com/realms/jailgrade': its metadata and keys must come over https");
        File.Exists(Db).ShouldBeFalse();
    }

    [Fact]
    public async Task Serve_OidcSettingsFromTheEnvironment_AreCheckedLikeFlags()
    {
        var environment = new Dictionary<string, string> { ["JAILGRADE_OIDC_ISSUER"] = "https://login.example.com", ["JAILGRADE_OIDC_ROLE_CLAIM"] = "groups" };

        var result = await CliRun.RunAsync([], terminal: false, name => environment.GetValueOrDefault(name), "serve", "--db", Db, "--master-key-file", MasterKey);

        result.ExitCode.ShouldBe((int)ExitCode.UsageError);
        result.Stderr.ShouldContain("OpenID Connect issuer without an audience: name the API's own audience with --oidc-audience or JAILGRADE_OIDC_AUDIENCE");
    }

    [Fact]
    public async Task Serve_NotInitialized_SaysToRunAdminInit()
    {
        var result = await RunAsync("serve", "--db", Db, "--master-key-file", MasterKey);

        result.ExitCode.ShouldBe((int)ExitCode.IoError);
        result.Stderr.ShouldContain($"master key file {MasterKey} not found; the server needs the key 'jailgrade admin init' created");
        File.Exists(Db).ShouldBeFalse();
    }

    private static Task<CliResult> RunAsync(params string[] args) => CliRun.RunAsync([], terminal: false, _ => null, args);

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_root, recursive: true);
    }
}
