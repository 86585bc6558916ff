using System.Net;
using Jailgrade.Cli.Hosting;
using Jailgrade.Registry.Organizations;

namespace Jailgrade.Cli.Tests.Registry;

/// <summary><c>jailgrade authority scope show|set</c> against a real registry server on loopback.</summary>
public sealed class AuthorityVerbTests : IAsyncLifetime
{
    private LiveRegistry _registry = null!;
    private LiveParty _regulator = null!;
    private Guid _lab;

    public async Task InitializeAsync()
    {
        _registry = await LiveRegistry.StartAsync();
        _regulator = await _registry.AddPartyAsync("Example Authority", OrganizationKind.Authority, "rita", Role.Regulator);
        _lab = (await _registry.AddPartyAsync("Second Lab", OrganizationKind.Lab, "sam", Role.Lab)).Organization;
    }

    public async Task DisposeAsync() => await _registry.DisposeAsync();

    [Fact]
    public async Task ScopeShow_Default_IsAllAtVersion0_AsTsvWithTheAuthorityAndETag()
    {
        var result = await _registry.RunAsync("authority", "scope", "show", "Example Authority", "--key-file", _regulator.KeyFile);

        result.ExitCode.ShouldBe(0, result.Stderr);
        result.Lines.ShouldBe(["authority\tkind\tvalue\tetag", $"{_regulator.Organization:D}\tall\t\t\"v0\""]);
    }

    [Fact]
    public async Task ScopeSet_LabsByNameAndJurisdictions_ReplacesTheScopeWithIfMatch_AndShowReadsItBack()
    {
        var set = await _registry.RunAsync("authority", "scope", "set", "Example Authority", "--lab", "Second Lab", "--jurisdiction", "GB", "FR", "--key-file", _registry.AdminKeyFile);

        set.ExitCode.ShouldBe(0, set.Stderr);
        string[] rows = ["authority\tkind\tvalue\tetag", $"{_regulator.Organization:D}\torganization\t{_lab:D}\t\"v1\"", $"{_regulator.Organization:D}\tjurisdiction\tFR\t\"v1\"", $"{_regulator.Organization:D}\tjurisdiction\tGB\t\"v1\""];
        set.Lines.ShouldBe(rows);
        var shown = await _registry.RunAsync("authority", "scope", "show", _regulator.Organization.ToString("D"), "--key-file", _regulator.KeyFile);
        shown.Lines.ShouldBe(rows);
        using var history = await _registry.SendAsync(HttpMethod.Get, $"api/v1/authorities/{_regulator.Organization:D}/history", _regulator.Key);
        (await history.Content.ReadAsStringAsync()).ShouldContain("\"type\":\"authority.scope_changed\"");
    }

    [Fact]
    public async Task ScopeSet_StaleIfMatch_Exits13_AndAll_Replaces()
    {
        var first = await _registry.RunAsync("authority", "scope", "set", "Example Authority", "--jurisdiction", "GB", "--key-file", _registry.AdminKeyFile);
        first.ExitCode.ShouldBe(0, first.Stderr);

        var stale = await _registry.RunAsync("authority", "scope", "set", "Example Authority", "--all", "--if-match", "\"v0\"", "--key-file", _registry.AdminKeyFile);
        var all = await _registry.RunAsync("authority", "scope", "set", "Example Authority", "--all", "--if-match", "\"v1\"", "--key-file", _registry.AdminKeyFile);

        stale.ExitCode.ShouldBe((int)ExitCode.StaleVersion);
        stale.Stderr.ShouldContain("its ETag is now \"v1\"");
        all.ExitCode.ShouldBe(0, all.Stderr);
        all.Lines[1].Split('\t')[1..].ShouldBe(["all", "", "\"v2\""]);
    }

    [Fact]
    public async Task ScopeSet_AsTheAuthoritysRegulator_Exits11SayingWhy()
    {
        var result = await _registry.RunAsync("authority", "scope", "set", "Example Authority", "--all", "--key-file", _regulator.KeyFile);

        result.ExitCode.ShouldBe((int)ExitCode.Unauthorized);
        result.Stderr.ShouldContain("answered 403");
        result.Stderr.ShouldContain("a regulator cannot widen its own view");
    }

    [Fact]
    public async Task ScopeShow_AsALab_Exits12AsForAMissingAuthority()
    {
        var result = await _registry.RunAsync("authority", "scope", "show", _regulator.Organization.ToString("D"), "--key-file", _registry.LabKeyFile);

        result.ExitCode.ShouldBe((int)ExitCode.NotFound);
        result.Stderr.ShouldBe($"jailgrade authority scope show: no authority {_regulator.Organization:D} (or none you may see)\n");
    }

    [Theory]
    [InlineData("--jurisdiction", "gb", 1, "scope[0].jurisdiction: 'gb'; expected an ISO 3166-1 alpha-2 code ('gb': country codes are upper case: did you mean 'GB'?)")]
    [InlineData("--lab", "Example Authority", 1, "scope[0].organization")]
    [InlineData("--lab", "No Such Lab", 12, "no lab named 'No Such Lab' among those you may see")]
    public async Task ScopeSet_BadValue_ExitsWithTheServersOrTheResolversReason(string option, string value, int exit, string said)
    {
        var result = await _registry.RunAsync("authority", "scope", "set", "Example Authority", option, value, "--key-file", _registry.AdminKeyFile);

        result.ExitCode.ShouldBe(exit, result.Stderr);
        result.Stderr.ShouldContain(said);
    }

    [Theory]
    [InlineData("--all", "--jurisdiction", "GB")]
    [InlineData("--key-file", "admin.key")]
    public async Task ScopeSet_AllWithRowsOrNoScope_IsAUsageError(params string[] args)
    {
        var result = await _registry.RunAsync(["authority", "scope", "set", "Example Authority", .. args]);

        result.ExitCode.ShouldBe((int)ExitCode.UsageError);
        using var read = await _registry.SendAsync(HttpMethod.Get, $"api/v1/authorities/{_regulator.Organization:D}/history", _registry.AdminKey);
        read.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await read.Content.ReadAsStringAsync()).ShouldNotContain("scope_changed");
    }

    [Fact]
    public async Task ScopeShow_Json_PrintsTheServersJson()
    {
        var result = await _registry.RunAsync("authority", "scope", "show", "Example Authority", "--json", "--key-file", _registry.AdminKeyFile);

        result.ExitCode.ShouldBe(0, result.Stderr);
        result.Stdout.ShouldBe($$"""{"authority":"{{_regulator.Organization:D}}","scope":[{"kind":"all"}]}""" + "\n");
    }
}
