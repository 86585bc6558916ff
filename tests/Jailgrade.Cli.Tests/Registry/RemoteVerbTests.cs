using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Jailgrade.Cli.Hosting;
using Jailgrade.Cli.Tests.TestSupport;

namespace Jailgrade.Cli.Tests.Registry;

/// <summary>
/// The organization and user verbs against a real registry server on loopback: outputs, exit codes,
/// and what a key may and may not do on the way.
/// </summary>
public sealed class RemoteVerbTests : IAsyncLifetime
{
    private LiveRegistry _registry = null!;

    public async Task InitializeAsync() => _registry = await LiveRegistry.StartAsync();

    public async Task DisposeAsync() => await _registry.DisposeAsync();

    [Fact]
    public async Task OrgList_Piped_PrintsTsvUnderAHeaderLine()
    {
        var result = await _registry.RunAsync("org", "list", "--key-file", _registry.AdminKeyFile);

        result.ExitCode.ShouldBe(0, result.Stderr);
        result.Lines[0].ShouldBe("id\tname\tkind\tversion");
        result.Lines.Skip(1).Select(l => string.Join('\t', l.Split('\t')[1..])).Order(StringComparer.Ordinal).ShouldBe(["Example Lab\tlab\t1", "Registry operator\toperator\t1"]);
        result.Lines.Skip(1).Select(l => Guid.TryParse(l.Split('\t')[0], out var id)).ShouldAllBe(parsed => parsed);
    }

    [Fact]
    public async Task OrgList_OnATerminal_PrintsATableWithoutTabs()
    {
        var result = await _registry.RunAsync(terminal: true, [], "org", "list", "--key-file", _registry.AdminKeyFile);

        result.ExitCode.ShouldBe(0, result.Stderr);
        result.Stdout.ShouldContain("│ Example Lab");
        result.Stdout.ShouldContain("╭");
        result.Stdout.ShouldNotContain("\t");
    }

    [Fact]
    public async Task OrgList_Json_PrintsTheServersJsonOnOneLine()
    {
        using var http = new HttpClient { BaseAddress = _registry.Server.BaseAddress };
        http.DefaultRequestHeaders.Add("Authorization", "Bearer " + _registry.AdminKey);
        var direct = await http.GetStringAsync("api/v1/orgs");

        var result = await _registry.RunAsync("org", "list", "--key-file", _registry.AdminKeyFile, "--json");

        result.ExitCode.ShouldBe(0, result.Stderr);
        result.Lines.Length.ShouldBe(1);
        JsonElement.DeepEquals(JsonDocument.Parse(result.Stdout).RootElement, JsonDocument.Parse(direct).RootElement).ShouldBeTrue();
    }

    [Fact]
    public async Task OrgCreate_ThenShowByName_PrintsItsRecord()
    {
        var created = await _registry.RunAsync("org", "create", "--name", "Example Authority", "--kind", "authority", "--key-file", _registry.AdminKeyFile);
        created.ExitCode.ShouldBe(0, created.Stderr);
        var id = created.Lines[1].Split('\t')[0];

        var shown = await _registry.RunAsync(terminal: true, [], "org", "show", "Example Authority", "--key-file", _registry.AdminKeyFile);

        shown.ExitCode.ShouldBe(0, shown.Stderr);
        shown.Stdout.ShouldContain($"id       {id}");
        shown.Stdout.ShouldContain("kind     authority");
    }

    [Fact]
    public async Task OrgCreate_AsALabUser_Exits11WithTheServersReason()
    {
        var result = await _registry.RunAsync("org", "create", "--name", "Rogue", "--kind", "lab", "--key-file", _registry.LabKeyFile);

        result.ExitCode.ShouldBe((int)ExitCode.Unauthorized);
        result.Stderr.ShouldContain("answered 403");
        result.Stderr.ShouldContain("only an administrator creates organizations");
    }

    [Fact]
    public async Task OrgCreate_UnknownKind_Exits1NamingTheFieldAndTheKindsExpected()
    {
        var result = await _registry.RunAsync("org", "create", "--name", "Somewhere", "--kind", "club", "--key-file", _registry.AdminKeyFile);

        result.ExitCode.ShouldBe((int)ExitCode.InvalidInput);
        result.Stderr.ShouldContain("kind: 'club'; expected one of operator, lab, authority, auditor, research");
    }

    [Fact]
    public async Task OrgRename_WithoutIfMatch_ReadsTheETagFirstAndRenames()
    {
        var result = await _registry.RunAsync("org", "rename", "Example Lab", "--name", "Example Lab Ltd", "--key-file", _registry.AdminKeyFile);

        result.ExitCode.ShouldBe(0, result.Stderr);
        result.Lines[1].ShouldEndWith("\tExample Lab Ltd\tlab\t2");
        var history = await _registry.RunAsync("org", "history", "Example Lab Ltd", "--key-file", _registry.AdminKeyFile);
        history.Lines[0].ShouldBe("seq\ttime\ttype\tobject\tactor\tchanges");
        history.Lines.Select(l => l.Split('\t')[2]).ShouldContain("organization.renamed");
        history.Stdout.ShouldContain("name: Example Lab -> Example Lab Ltd");
    }

    [Fact]
    public async Task OrgRename_StaleIfMatch_Exits13SayingReadItAgain()
    {
        (await _registry.RunAsync("org", "rename", "Example Lab", "--name", "Example Lab Ltd", "--key-file", _registry.AdminKeyFile)).ExitCode.ShouldBe(0);

        var result = await _registry.RunAsync("org", "rename", "Example Lab Ltd", "--name", "Example Lab Inc", "--if-match", "\"v1\"", "--key-file", _registry.AdminKeyFile);

        result.ExitCode.ShouldBe((int)ExitCode.StaleVersion);
        result.Stderr.ShouldContain("its ETag is now \"v2\"");
        result.Stderr.ShouldContain("read it again and retry");
        result.Stdout.ShouldBeEmpty();
    }

    [Fact]
    public async Task OrgShow_AnotherOrganizationsId_Exits12AsAMissingOne()
    {
        var operatorId = (await _registry.RunAsync("org", "list", "--key-file", _registry.AdminKeyFile)).Lines.Single(l => l.Contains("\tRegistry operator\t", StringComparison.Ordinal)).Split('\t')[0];

        var foreign = await _registry.RunAsync("org", "show", operatorId, "--key-file", _registry.LabKeyFile);
        var missing = await _registry.RunAsync("org", "show", Guid.NewGuid().ToString(), "--key-file", _registry.LabKeyFile);

        foreign.ExitCode.ShouldBe((int)ExitCode.NotFound);
        missing.ExitCode.ShouldBe((int)ExitCode.NotFound);
        foreign.Stderr.ShouldContain($"no organization {operatorId}");
    }

    [Fact]
    public async Task OrgShow_NameNotVisible_Exits12()
    {
        var result = await _registry.RunAsync("org", "show", "Registry operator", "--key-file", _registry.LabKeyFile);

        result.ExitCode.ShouldBe((int)ExitCode.NotFound);
        result.Stderr.ShouldContain("no organization named 'Registry operator' among those you may see");
    }

    [Fact]
    public async Task UsersCreate_WritesTheKeyToANewOwnerOnlyFileAndPrintsOnlyItsPublicPart()
    {
        var keyOut = Path.Combine(_registry.Root, "bob.key");

        var result = await _registry.RunAsync(terminal: true, [], "users", "create", "--org", "Example Lab", "--role", "lab", "--name", "bob", "--key-out", keyOut, "--key-file", _registry.AdminKeyFile);

        result.ExitCode.ShouldBe(0, result.Stderr);
        var key = File.ReadAllText(keyOut).Trim();
        var secret = key.Split('_', 4)[3];
        result.Stdout.ShouldNotContain(secret);
        result.Stderr.ShouldNotContain(secret);
        result.Stdout.ShouldContain(key[..(key.Length - secret.Length - 1)]);
        if (!OperatingSystem.IsWindows())
        {
            File.GetUnixFileMode(keyOut).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        var asBob = await _registry.RunAsync("org", "list", "--key-file", keyOut);
        asBob.ExitCode.ShouldBe(0, asBob.Stderr);
        asBob.Lines.Skip(1).Single().ShouldContain("\tExample Lab\t");
    }

    [Fact]
    public async Task UsersCreate_Json_LeavesTheKeyOut()
    {
        var keyOut = Path.Combine(_registry.Root, "bob.key");

        var result = await _registry.RunAsync("users", "create", "--org", "Example Lab", "--role", "lab", "--name", "bob", "--key-out", keyOut, "--key-file", _registry.AdminKeyFile, "--json");

        result.ExitCode.ShouldBe(0, result.Stderr);
        var json = JsonDocument.Parse(result.Stdout).RootElement;
        json.GetProperty("name").GetString().ShouldBe("bob");
        json.TryGetProperty("apiKey", out _).ShouldBeFalse();
        result.Stdout.ShouldNotContain(File.ReadAllText(keyOut).Trim().Split('_', 4)[3]);
    }

    [Fact]
    public async Task UsersCreate_RefusedByTheServer_LeavesNoKeyFile()
    {
        var keyOut = Path.Combine(_registry.Root, "carol.key");

        var result = await _registry.RunAsync("users", "create", "--org", "Example Lab", "--role", "admin", "--name", "carol", "--key-out", keyOut, "--key-file", _registry.LabKeyFile);

        result.ExitCode.ShouldBe((int)ExitCode.Unauthorized);
        result.Stderr.ShouldContain("grants only roles at or below its own");
        File.Exists(keyOut).ShouldBeFalse();
    }

    [Fact]
    public async Task UsersCreate_KeyOutExists_IsRefusedBeforeAnythingIsCreated()
    {
        var keyOut = _registry.WriteKey("taken.key", "not a key");

        var result = await _registry.RunAsync("users", "create", "--org", "Example Lab", "--role", "lab", "--name", "dave", "--key-out", keyOut, "--key-file", _registry.AdminKeyFile);

        result.ExitCode.ShouldBe((int)ExitCode.UsageError);
        (await _registry.RunAsync("users", "list", "--key-file", _registry.AdminKeyFile)).Stdout.ShouldNotContain("dave");
    }

    [Fact]
    public async Task UsersList_Piped_NamesEachUsersOrganization()
    {
        var result = await _registry.RunAsync("users", "list", "--key-file", _registry.LabKeyFile);

        result.ExitCode.ShouldBe(0, result.Stderr);
        result.Lines[0].ShouldBe("id\tname\trole\torganization\torganization_id");
        result.Lines.Length.ShouldBe(2);
        result.Lines[1].Split('\t')[1..4].ShouldBe(["alice", "lab", "Example Lab"]);
    }

    [Fact]
    public async Task UsersAdd_StillWorksOnTheDatabaseDirectly()
    {
        var result = await _registry.RunAsync("users", "add", "--help");

        result.ExitCode.ShouldBe(0);
        result.Stdout.ShouldContain("Works on the database directly");
    }

    [Fact]
    public async Task NothingListening_Exits10NamingTheUrl()
    {
        using var holder = new TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        var port = ((IPEndPoint)holder.LocalEndpoint).Port;
        holder.Stop();

        var result = await _registry.RunAsync("org", "list", "--server", $"http://127.0.0.1:{port}", "--key-file", _registry.AdminKeyFile);

        result.ExitCode.ShouldBe((int)ExitCode.ServerUnreachable);
        result.Stderr.ShouldContain($"cannot reach the registry server at http://127.0.0.1:{port}/: connection refused");
    }

    [Fact]
    public async Task ServerThatNeverAnswers_Exits10AfterTheTimeout()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;

        var result = await _registry.RunAsync("org", "list", "--server", $"http://127.0.0.1:{port}", "--timeout", "0.3", "--key-file", _registry.AdminKeyFile);

        result.ExitCode.ShouldBe((int)ExitCode.ServerUnreachable);
        result.Stderr.ShouldContain("did not answer GET");
        result.Stderr.ShouldContain("within 0.3 s");
    }

    [Fact]
    public async Task WrongKey_Exits11AndNamesOnlyTheKeysPublicPart()
    {
        const string Wrong = "jg_live_0123456789abcdef_c2VjcmV0LW5vdC1hLXJlYWwta2V5LWF0LWFsbC0xMjM0";
        var keyFile = _registry.WriteKey("wrong.key", Wrong);

        var result = await _registry.RunAsync("org", "list", "--key-file", keyFile);

        result.ExitCode.ShouldBe((int)ExitCode.Unauthorized);
        result.Stderr.ShouldContain("answered 401 for key jg_live_0123456789abcdef");
        result.Stderr.ShouldContain("unknown key");
        (result.Stdout + result.Stderr).ShouldNotContain("c2VjcmV0LW5vdC1hLXJlYWwta2V5LWF0LWFsbC0xMjM0");
    }

    [Fact]
    public async Task KeyFromTheEnvironment_IsUsedWhenNoKeyFileIsNamed()
    {
        var result = await _registry.RunAsync(terminal: false, new Dictionary<string, string> { ["JAILGRADE_KEY"] = _registry.LabKey }, "org", "list");

        result.ExitCode.ShouldBe(0, result.Stderr);
        result.Lines.Length.ShouldBe(2);
    }

    [Fact]
    public async Task NoKey_Exits2SayingWhereAKeyComesFrom()
    {
        var result = await _registry.RunAsync("org", "list");

        result.ExitCode.ShouldBe((int)ExitCode.UsageError);
        result.Stderr.ShouldContain("no API key: name the file that holds yours with --key-file FILE, or set JAILGRADE_KEY");
    }

    [Theory]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, "640")]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead, "604")]
    public async Task KeyFileOthersMayRead_IsRefusedWithExit4(UnixFileMode mode, string octal)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var keyFile = _registry.WriteKey("open.key", _registry.AdminKey, mode);

        var result = await _registry.RunAsync("org", "list", "--key-file", keyFile);

        result.ExitCode.ShouldBe((int)ExitCode.IoError);
        result.Stderr.ShouldContain($"its group or others may access it (mode {octal}); expected 600");
        result.Stdout.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("http://10.1.2.3:5080")]
    [InlineData("http://registry.example.org")]
    [InlineData("http://127.0.0.1.example.org:5080")]
    public async Task PlainHttpToAHostThatIsNotLoopback_IsRefusedBeforeAnyConnection(string server)
    {
        // Were a connection tried, these would end in 10 (unreachable) instead.
        var result = await _registry.RunAsync("org", "list", "--server", server, "--key-file", _registry.AdminKeyFile);

        result.ExitCode.ShouldBe((int)ExitCode.UsageError);
        result.Stderr.ShouldContain("over plain http: use https://, or http:// only to a loopback host (127.0.0.1, ::1, localhost)");
    }

    [Fact]
    public async Task Localhost_IsLoopbackAndServed()
    {
        var result = await _registry.RunAsync("org", "list", "--server", _registry.Url.Replace("127.0.0.1", "localhost", StringComparison.Ordinal), "--key-file", _registry.AdminKeyFile);

        result.ExitCode.ShouldBe(0, result.Stderr);
    }

    public static TheoryData<string[]> EveryOutcome() => new()
    {
        new[] { "org", "list" },
        new[] { "org", "list", "--json" },
        new[] { "org", "show", "Example Lab" },
        new[] { "org", "show", "00000000-0000-4000-8000-000000000000" },
        new[] { "org", "create", "--name", "Example Lab", "--kind", "lab" },
        new[] { "org", "rename", "Example Lab", "--name", "X", "--if-match", "\"v7\"" },
        new[] { "org", "history", "Example Lab" },
        new[] { "users", "list" },
        new[] { "org", "list", "--server", "http://10.1.2.3" },
        new[] { "org", "list", "--server", "http://127.0.0.1:1" },
    };

    [Theory]
    [MemberData(nameof(EveryOutcome))]
    public async Task TheKey_IsNeverPrinted_WhateverTheOutcome(string[] args)
    {
        var secret = _registry.AdminKey.Split('_', 4)[3];
        foreach (var terminal in new[] { false, true })
        {
            var viaFile = await _registry.RunAsync(terminal, [], [.. args, "--key-file", _registry.AdminKeyFile]);
            var viaEnvironment = await _registry.RunAsync(terminal, new Dictionary<string, string> { ["JAILGRADE_KEY"] = _registry.AdminKey, ["JAILGRADE_DEBUG"] = "1" }, args);

            foreach (var result in new[] { viaFile, viaEnvironment })
            {
                (result.Stdout + result.Stderr).ShouldNotContain(secret);
                result.ExitCode.ShouldNotBe((int)ExitCode.InternalError, result.Stderr);
            }
        }
    }
}
