using System.Text.Json;
using Jailgrade.Cli.Hosting;
using Jailgrade.Cli.Tests.TestSupport;
using Jailgrade.Registry.Organizations;

namespace Jailgrade.Cli.Tests.Registry;

/// <summary><c>accreditation</c> verbs against a real registry server: an authority's regulator accredits an auditor.</summary>
public sealed class AccreditationVerbTests : IAsyncLifetime
{
    private LiveRegistry _registry = null!;
    private LiveParty _regulator = null!;
    private LiveParty _auditor = null!;

    public async Task InitializeAsync()
    {
        _registry = await LiveRegistry.StartAsync();
        _regulator = await _registry.AddPartyAsync("Authority", OrganizationKind.Authority, "reg", Role.Regulator);
        _auditor = await _registry.AddPartyAsync("Audit Co", OrganizationKind.Auditor, "ada", Role.Auditor);
    }

    public async Task DisposeAsync() => await _registry.DisposeAsync();

    [Fact]
    public async Task Create_ByTheRegulator_PrintsTheAccreditationTheAuditorThenSees()
    {
        var created = await _registry.RunAsync("accreditation", "create", "--auditor", _auditor.Organization.ToString(), "--scope", "catastrophic,WP",
            "--valid-from", "2026-01-01", "--valid-until", "2027-01-01T00:00:00+00:00", "--key-file", _regulator.KeyFile);

        created.ExitCode.ShouldBe(0, created.Stderr);
        created.Lines[0].ShouldBe("id\tauditor\tscope\tvalid_from\tvalid_until\trevoked\tversion\tauthority\tcreated\trevoked_reason");
        var row = created.Lines[1].Split('\t');
        row[1..7].ShouldBe([_auditor.Organization.ToString(), "catastrophic,WP", "2026-01-01T00:00:00.000Z", "2027-01-01T00:00:00.000Z", "", "1"]);
        row[7].ShouldBe(_regulator.Organization.ToString());
        var shown = await _registry.RunAsync("accreditation", "show", row[0], "--json", "--key-file", _auditor.KeyFile);
        shown.ExitCode.ShouldBe(0, shown.Stderr);
        JsonDocument.Parse(shown.Stdout).RootElement.GetProperty("scope").EnumerateArray().Select(s => s.GetString()).ShouldBe(["catastrophic", "WP"]);
    }

    [Fact]
    public async Task Create_ByALab_Exits11()
    {
        var result = await _registry.RunAsync("accreditation", "create", "--auditor", _auditor.Organization.ToString(), "--scope", "CY",
            "--valid-from", "2026-01-01", "--valid-until", "2027-01-01", "--key-file", _registry.LabKeyFile);

        result.ExitCode.ShouldBe((int)ExitCode.Unauthorized, result.Stderr);
    }

    [Fact]
    public async Task Create_ValidUntilNotATime_Exits2BeforeSending()
    {
        var result = await _registry.RunAsync("accreditation", "create", "--auditor", _auditor.Organization.ToString(), "--scope", "CY",
            "--valid-from", "2026-01-01", "--valid-until", "next year", "--key-file", _regulator.KeyFile);

        result.ExitCode.ShouldBe((int)ExitCode.UsageError, result.Stderr);
        result.Stderr.ShouldContain("--valid-until 'next year'");
    }

    [Fact]
    public async Task Create_UnknownScopeItem_Exits1NamingIt()
    {
        var result = await _registry.RunAsync("accreditation", "create", "--auditor", _auditor.Organization.ToString(), "--scope", "CY,XX",
            "--valid-from", "2026-01-01", "--valid-until", "2027-01-01", "--key-file", _regulator.KeyFile);

        result.ExitCode.ShouldBe((int)ExitCode.InvalidInput, result.Stderr);
        result.Stderr.ShouldContain("scope[1]");
    }

    [Fact]
    public async Task Revoke_ThenListActive_LeavesItOutAndHistoryHoldsGrantedAndRevoked()
    {
        var kept = await CreateAsync("CY");
        var revoked = await CreateAsync("BI");

        var result = await _registry.RunAsync("accreditation", "revoke", revoked, "--reason", "conflict of interest", "--key-file", _regulator.KeyFile);
        var again = await _registry.RunAsync("accreditation", "revoke", revoked, "--reason", "twice", "--key-file", _regulator.KeyFile);
        var active = await _registry.RunAsync("accreditation", "list", "--active", "--key-file", _auditor.KeyFile);
        var all = await _registry.RunAsync("accreditation", "list", "--auditor", _auditor.Organization.ToString(), "--key-file", _regulator.KeyFile);
        var history = await _registry.RunAsync("accreditation", "history", revoked, "--key-file", _auditor.KeyFile);

        result.ExitCode.ShouldBe(0, result.Stderr);
        var row = result.Lines[1].Split('\t');
        row[5].ShouldNotBeEmpty();
        (row[6], row[9]).ShouldBe(("2", "conflict of interest"));
        again.ExitCode.ShouldBe((int)ExitCode.InvalidInput, again.Stderr);
        active.Lines.Skip(1).Select(l => l.Split('\t')[0]).ShouldBe([kept]);
        all.Lines.Skip(1).Select(l => l.Split('\t')[0]).Order(StringComparer.Ordinal).ShouldBe(new[] { kept, revoked }.Order(StringComparer.Ordinal));
        history.Lines.Skip(1).Select(l => l.Split('\t')[2]).ShouldBe(["accreditation.granted", "accreditation.revoked"]);
    }

    [Fact]
    public async Task Revoke_ByTheAuditor_Exits11()
    {
        var id = await CreateAsync("CY");

        var result = await _registry.RunAsync("accreditation", "revoke", id, "--reason", "mine", "--key-file", _auditor.KeyFile);

        result.ExitCode.ShouldBe((int)ExitCode.Unauthorized, result.Stderr);
    }

    [Fact]
    public async Task Revoke_StaleIfMatch_Exits13()
    {
        var id = await CreateAsync("CY");
        (await _registry.RunAsync("accreditation", "revoke", id, "--reason", "first", "--key-file", _regulator.KeyFile)).ExitCode.ShouldBe(0);

        var result = await _registry.RunAsync("accreditation", "revoke", id, "--reason", "second", "--if-match", "\"v1\"", "--key-file", _regulator.KeyFile);

        result.ExitCode.ShouldBe((int)ExitCode.StaleVersion, result.Stderr);
    }

    [Fact]
    public async Task Show_ForALab_Exits12()
    {
        var id = await CreateAsync("CY");

        var result = await _registry.RunAsync("accreditation", "show", id, "--key-file", _registry.LabKeyFile);

        result.ExitCode.ShouldBe((int)ExitCode.NotFound, result.Stderr);
    }

    private async Task<string> CreateAsync(string scope)
    {
        var now = TimeProvider.System.GetUtcNow();
        var created = await _registry.RunAsync("accreditation", "create", "--auditor", _auditor.Organization.ToString(), "--scope", scope,
            "--valid-from", now.AddDays(-1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            "--valid-until", now.AddDays(30).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), "--key-file", _regulator.KeyFile);
        created.ExitCode.ShouldBe(0, created.Stderr);
        return created.Lines[1].Split('\t')[0];
    }
}
