using System.Text.Json;
using Jailgrade.Cli.Hosting;
using Jailgrade.Cli.Tests.TestSupport;
using Jailgrade.Registry.Organizations;

namespace Jailgrade.Cli.Tests.Registry;

/// <summary>
/// <c>case technique|triage|acknowledge|reject|duplicate</c> against a real registry server
/// (<see cref="LiveRegistry"/>): an authority's regulator, a reporter, two labs with a release each and
/// an auditor.
/// </summary>
public sealed class CaseActionVerbTests : IAsyncLifetime
{
    private const string Canary = "TQ7F3A-marker: a role-play framing, benign test text\nsecond line";

    private LiveRegistry _registry = null!;
    private LiveParty _regulator = null!;
    private LiveParty _reporter = null!;
    private LiveParty _labA = null!;
    private LiveParty _labB = null!;
    private LiveParty _auditor = null!;
    private Guid _releaseA;
    private Guid _releaseB;
    private string _technique = null!;

    public async Task InitializeAsync()
    {
        _registry = await LiveRegistry.StartAsync();
        _regulator = await _registry.AddPartyAsync("Authority", OrganizationKind.Authority, "reg", Role.Regulator);
        _reporter = await _registry.AddPartyAsync("Researchers", OrganizationKind.Research, "rep", Role.Reporter);
        _labA = await _registry.AddPartyAsync("Lab A", OrganizationKind.Lab, "a", Role.Lab);
        _labB = await _registry.AddPartyAsync("Lab B", OrganizationKind.Lab, "b", Role.Lab);
        _auditor = await _registry.AddPartyAsync("Audit Co", OrganizationKind.Auditor, "ada", Role.Auditor);
        _releaseA = await _registry.AddReleaseAsync(_labA.Organization, "a-1", "2026-10");
        _releaseB = await _registry.AddReleaseAsync(_labB.Organization, "b-1", "2026-11");
        _technique = Path.Combine(_registry.Root, "technique.txt");
        await File.WriteAllTextAsync(_technique, Canary);
    }

    public async Task DisposeAsync() => await _registry.DisposeAsync();

    [Fact]
    public async Task Triage_ReleasesOfTwoLabs_ReadsEachReleasesLabAndSendsOneInvolvementPerLab()
    {
        var id = await FileAsync();

        var result = await _registry.RunAsync("case", "triage", id, "--release", _releaseA.ToString(), "--release", _releaseB.ToString(),
            "--auditor", _auditor.Organization.ToString(), "--incident-type", "cyber-breach", "--json", "--key-file", _regulator.KeyFile);

        result.ExitCode.ShouldBe(0, result.Stderr);
        var json = JsonDocument.Parse(result.Stdout).RootElement;
        json.GetProperty("status").GetString().ShouldBe("triaged");
        json.GetProperty("incidentType").GetString().ShouldBe("cyber-breach");
        json.GetProperty("involvements").EnumerateArray().Select(i => (i.GetProperty("lab").GetGuid(), i.GetProperty("releases")[0].GetGuid()))
            .OrderBy(i => i.Item1).ShouldBe(new[] { (_labA.Organization, _releaseA), (_labB.Organization, _releaseB) }.OrderBy(i => i.Item1));
        var triaged = (await _registry.RunAsync("case", "history", id, "--key-file", _labA.KeyFile)).Lines.Single(l => l.Contains("\tcase.triaged\t", StringComparison.Ordinal));
        triaged.ShouldContain($"auditors:  -> {_auditor.Organization}");
    }

    [Fact]
    public async Task Triage_ByTheReporter_Exits11AndTriagesNothing()
    {
        var id = await FileAsync();

        var result = await _registry.RunAsync("case", "triage", id, "--release", _releaseA.ToString(), "--lab", _labA.Organization.ToString(), "--key-file", _reporter.KeyFile);

        result.ExitCode.ShouldBe((int)ExitCode.Unauthorized, result.Stderr);
        result.Stderr.ShouldContain("only a regulator of the authority the case was filed with triages it");
        (await StatusAsync(id, _regulator)).ShouldBe("reported");
    }

    [Fact]
    public async Task Triage_ReleaseOfAnotherLabThanLab_Exits1NamingTheRelease()
    {
        var id = await FileAsync();

        var result = await _registry.RunAsync("case", "triage", id, "--release", _releaseB.ToString(), "--lab", _labA.Organization.ToString(), "--key-file", _regulator.KeyFile);

        result.ExitCode.ShouldBe((int)ExitCode.InvalidInput, result.Stderr);
        result.Stderr.ShouldContain("involvements[0].releases");
        result.Stderr.ShouldContain(_releaseB.ToString());
    }

    [Fact]
    public async Task Triage_StaleIfMatch_Exits13()
    {
        var id = await FileAsync();
        var before = (await _registry.RunAsync("case", "show", id, "--key-file", _regulator.KeyFile)).Lines[1].Split('\t')[^1];
        (await _registry.RunAsync("case", "reject", id, "--reason", "reported twice", "--key-file", _regulator.KeyFile)).ExitCode.ShouldBe(0);

        var result = await _registry.RunAsync("case", "triage", id, "--release", _releaseA.ToString(), "--if-match", before, "--key-file", _regulator.KeyFile);

        result.ExitCode.ShouldBe((int)ExitCode.StaleVersion, result.Stderr);
    }

    [Fact]
    public async Task Acknowledge_WithoutInvolvement_AcknowledgesTheLabsOneInvolvementOnce()
    {
        var id = await FileAsync();
        await TriageAsync(id);

        var first = await _registry.RunAsync("case", "acknowledge", id, "--json", "--key-file", _labA.KeyFile);
        var second = await _registry.RunAsync("case", "acknowledge", id, "--key-file", _labA.KeyFile);

        first.ExitCode.ShouldBe(0, first.Stderr);
        var involvement = JsonDocument.Parse(first.Stdout).RootElement.GetProperty("involvements").EnumerateArray().ShouldHaveSingleItem();
        involvement.GetProperty("lab").GetGuid().ShouldBe(_labA.Organization);
        involvement.GetProperty("acknowledgedAt").GetString().ShouldNotBeNullOrEmpty();
        second.ExitCode.ShouldBe((int)ExitCode.InvalidInput, second.Stderr);
        second.Stderr.ShouldContain("was acknowledged at");
    }

    [Fact]
    public async Task Acknowledge_RegulatorSeesTwoInvolvements_Exits2AskingForOne()
    {
        var id = await FileAsync();
        await TriageAsync(id);

        var result = await _registry.RunAsync("case", "acknowledge", id, "--key-file", _regulator.KeyFile);

        result.ExitCode.ShouldBe((int)ExitCode.UsageError, result.Stderr);
        result.Stderr.ShouldContain("has 2 involvements you see; name yours with --involvement");
    }

    [Fact]
    public async Task Acknowledge_AnotherLabsInvolvement_Exits12AsAMissingOne()
    {
        var id = await FileAsync();
        var involvements = await TriageAsync(id);

        var result = await _registry.RunAsync("case", "acknowledge", id, "--involvement", involvements[_labB.Organization], "--key-file", _labA.KeyFile);

        // Lab A's projection does not hold Lab B's involvement.
        result.ExitCode.ShouldBe((int)ExitCode.NotFound, result.Stderr);
        (await _registry.RunAsync("case", "show", id, "--json", "--key-file", _labB.KeyFile)).Stdout.ShouldContain("\"acknowledgedAt\":null");
    }

    [Fact]
    public async Task Acknowledge_ByTheRegulatorNamingALabsInvolvement_Exits11()
    {
        var id = await FileAsync();
        var involvements = await TriageAsync(id);

        var result = await _registry.RunAsync("case", "acknowledge", id, "--involvement", involvements[_labA.Organization], "--key-file", _regulator.KeyFile);

        result.ExitCode.ShouldBe((int)ExitCode.Unauthorized, result.Stderr);
        result.Stderr.ShouldContain("only a user of the involvement's own lab acknowledges it");
    }

    [Fact]
    public async Task Reject_ByTheRegulator_ResolvesTheCaseRejected()
    {
        var id = await FileAsync();

        var refused = await _registry.RunAsync("case", "reject", id, "--reason", "not mine to say", "--key-file", _reporter.KeyFile);
        var result = await _registry.RunAsync("case", "reject", id, "--reason", "reported twice", "--key-file", _regulator.KeyFile);

        refused.ExitCode.ShouldBe((int)ExitCode.Unauthorized, refused.Stderr);
        result.ExitCode.ShouldBe(0, result.Stderr);
        var row = result.Lines[1].Split('\t');
        (row[1], row[8]).ShouldBe(("rejected", "rejected"));
        (await _registry.RunAsync("case", "history", id, "--key-file", _reporter.KeyFile)).Stdout.ShouldContain("reported twice");
    }

    [Fact]
    public async Task Duplicate_OfAnotherCase_ResolvesItDuplicateOfThatCase()
    {
        var original = await FileAsync();
        var id = await FileAsync();

        var bad = await _registry.RunAsync("case", "duplicate", id, "--of", "the other one", "--key-file", _regulator.KeyFile);
        var result = await _registry.RunAsync("case", "duplicate", id, "--of", original, "--json", "--key-file", _regulator.KeyFile);

        bad.ExitCode.ShouldBe((int)ExitCode.UsageError, bad.Stderr);
        result.ExitCode.ShouldBe(0, result.Stderr);
        var json = JsonDocument.Parse(result.Stdout).RootElement;
        (json.GetProperty("status").GetString(), json.GetProperty("duplicateOf").GetString()).ShouldBe(("duplicate", original));
    }

    [Fact]
    public async Task Technique_EntitledParty_PrintsTheTextAsFiledAndTheReadIsAnEvent()
    {
        var id = await FileAsync();
        await TriageAsync(id);

        var piped = await _registry.RunAsync("case", "technique", id, "--key-file", _auditor.KeyFile);
        var json = await _registry.RunAsync("case", "technique", id, "--json", "--key-file", _labA.KeyFile);

        piped.ExitCode.ShouldBe(0, piped.Stderr);
        piped.Stdout.ShouldBe(Canary + "\n");
        piped.Stderr.ShouldBeEmpty();
        JsonDocument.Parse(json.Stdout).RootElement.GetProperty("technique").GetString().ShouldBe(Canary);
        var history = await _registry.RunAsync("case", "history", id, "--key-file", _regulator.KeyFile);
        history.Lines.Count(l => l.Contains("\tcase.technique_read\t", StringComparison.Ordinal)).ShouldBe(2);
        history.Stdout.ShouldNotContain("TQ7F3A-marker");
    }

    [Fact]
    public async Task History_CaseCreated_ShowsFirstValuesAsFieldEqualsValueAndTheTechniqueOnlyAsSet()
    {
        var id = await FileAsync();

        var created = (await _registry.RunAsync("case", "history", id, "--key-file", _reporter.KeyFile)).Lines[1].Split('\t');

        created[2].ShouldBe("case.created");
        created[5].ShouldStartWith("title=a case; ");
        created[5].ShouldEndWith("; technique (set=true)");
        created[5].ShouldNotContain("TQ7F3A-marker");
    }

    [Fact]
    public async Task Technique_OnATerminal_EscapesControlCharactersButKeepsLines()
    {
        await File.WriteAllTextAsync(_technique, "line one\u001b[31m\nline two");
        var id = await FileAsync();

        var result = await _registry.RunAsync(terminal: true, [], "case", "technique", id, "--key-file", _reporter.KeyFile);

        result.ExitCode.ShouldBe(0, result.Stderr);
        result.Stdout.ShouldBe("line one\\u001b[31m\nline two\n");
    }

    [Fact]
    public async Task Technique_LabTheCaseDoesNotInvolve_Exits12AsForAMissingCase()
    {
        var id = await FileAsync();
        await TriageAsync(id, both: false);

        var result = await _registry.RunAsync("case", "technique", id, "--key-file", _labB.KeyFile);
        var missing = await _registry.RunAsync("case", "technique", Guid.Empty.ToString(), "--key-file", _labB.KeyFile);

        result.ExitCode.ShouldBe((int)ExitCode.NotFound, result.Stderr);
        result.Stdout.ShouldBeEmpty();
        result.Stderr.Replace(id, "ID", StringComparison.Ordinal).ShouldBe(missing.Stderr.Replace(Guid.Empty.ToString(), "ID", StringComparison.Ordinal));
    }

    private async Task<string> FileAsync()
    {
        var created = await _registry.RunAsync("case", "create", "--title", "a case", "--authority", _regulator.Organization.ToString(),
            "--lab", "Lab A", "--model", "a-1", "--technique-file", _technique, "--key-file", _reporter.KeyFile);
        created.ExitCode.ShouldBe(0, created.Stderr);
        return created.Lines[1].Split('\t')[0];
    }

    /// <summary>Triages a case through the verb to Lab A's release (and Lab B's), assigning the auditor; returns each lab's involvement id.</summary>
    private async Task<Dictionary<Guid, string>> TriageAsync(string id, bool both = true)
    {
        string[] releases = both ? ["--release", $"{_releaseA},{_releaseB}"] : ["--release", _releaseA.ToString()];
        var result = await _registry.RunAsync([.. new[] { "case", "triage", id, "--auditor", _auditor.Organization.ToString(), "--json", "--key-file", _regulator.KeyFile }, .. releases]);
        result.ExitCode.ShouldBe(0, result.Stderr);
        return JsonDocument.Parse(result.Stdout).RootElement.GetProperty("involvements").EnumerateArray()
            .ToDictionary(i => i.GetProperty("lab").GetGuid(), i => i.GetProperty("id").GetString()!);
    }

    private async Task<string> StatusAsync(string id, LiveParty party) =>
        JsonDocument.Parse((await _registry.RunAsync("case", "show", id, "--json", "--key-file", party.KeyFile)).Stdout).RootElement.GetProperty("status").GetString()!;
}
