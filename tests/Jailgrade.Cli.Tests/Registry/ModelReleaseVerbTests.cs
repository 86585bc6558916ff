using System.Text.Json;
using Jailgrade.Cli.Hosting;
using Jailgrade.Cli.Tests.TestSupport;
using Jailgrade.Registry.Organizations;

namespace Jailgrade.Cli.Tests.Registry;

/// <summary>
/// <c>model</c> and <c>release</c> verbs against a real registry server (<see cref="LiveRegistry"/>):
/// Example Lab's user (alice), a regulator, and a reporter who sees no model.
/// </summary>
public sealed class ModelReleaseVerbTests : IAsyncLifetime
{
    private LiveRegistry _registry = null!;
    private LiveParty _regulator = null!;
    private LiveParty _reporter = null!;

    public async Task InitializeAsync()
    {
        _registry = await LiveRegistry.StartAsync();
        _regulator = await _registry.AddPartyAsync("Authority", OrganizationKind.Authority, "reg", Role.Regulator);
        _reporter = await _registry.AddPartyAsync("Researchers", OrganizationKind.Research, "rep", Role.Reporter);
    }

    public async Task DisposeAsync() => await _registry.DisposeAsync();

    [Fact]
    public async Task ModelCreate_ByTheLab_PrintsItsRecordAndShowFindsItByName()
    {
        var created = await _registry.RunAsync("model", "create", "--name", "ex-1", "--key-file", _registry.LabKeyFile);
        var shown = await _registry.RunAsync("model", "show", "ex-1", "--json", "--key-file", _regulator.KeyFile);

        created.ExitCode.ShouldBe(0, created.Stderr);
        created.Lines[0].ShouldBe("id\tname\tlab\tcreated\trevision");
        var row = created.Lines[1].Split('\t');
        (row[1], row[4]).ShouldBe(("ex-1", "1"));
        shown.ExitCode.ShouldBe(0, shown.Stderr);
        var json = JsonDocument.Parse(shown.Stdout).RootElement;
        (json.GetProperty("id").GetString(), json.GetProperty("lab").GetString(), json.GetProperty("name").GetString()).ShouldBe((row[0], row[2], "ex-1"));
    }

    [Fact]
    public async Task ModelCreate_ByAReporter_Exits11()
    {
        var result = await _registry.RunAsync("model", "create", "--name", "ex-1", "--key-file", _reporter.KeyFile);

        result.ExitCode.ShouldBe((int)ExitCode.Unauthorized, result.Stderr);
        result.Stderr.ShouldContain("only a lab (for itself) or an administrator creates models");
    }

    [Fact]
    public async Task ModelCreate_NameTheLabHas_Exits1()
    {
        (await _registry.RunAsync("model", "create", "--name", "ex-1", "--key-file", _registry.LabKeyFile)).ExitCode.ShouldBe(0);

        var result = await _registry.RunAsync("model", "create", "--name", "ex-1", "--key-file", _registry.LabKeyFile);

        result.ExitCode.ShouldBe((int)ExitCode.InvalidInput, result.Stderr);
        result.Stderr.ShouldContain("answered 409");
    }

    [Fact]
    public async Task ModelCreate_AdministratorForALabByName_CreatesItForThatLab()
    {
        var result = await _registry.RunAsync("model", "create", "--name", "ex-2", "--lab", "Example Lab", "--key-file", _registry.AdminKeyFile);
        var list = await _registry.RunAsync("model", "list", "--key-file", _registry.LabKeyFile);

        result.ExitCode.ShouldBe(0, result.Stderr);
        list.Lines.Skip(1).Select(l => l.Split('\t')[1]).ShouldBe(["ex-2"]);
    }

    [Fact]
    public async Task ModelShow_NameNobodyUses_Exits12()
    {
        var result = await _registry.RunAsync("model", "show", "ex-9", "--key-file", _registry.LabKeyFile);

        result.ExitCode.ShouldBe((int)ExitCode.NotFound, result.Stderr);
        result.Stderr.ShouldContain("no model named 'ex-9'");
    }

    [Fact]
    public async Task ReleaseCreate_ModelByNameWithRegions_PrintsTsvAndShowCarriesItsETag()
    {
        await ModelAsync("ex-1");

        var created = await _registry.RunAsync("release", "create", "--model", "ex-1", "--version", "2026-06-01", "--exposure", "G", "--region", "US,GB", "--region", "FR",
            "--key-file", _registry.LabKeyFile);

        created.ExitCode.ShouldBe(0, created.Stderr);
        created.Lines[0].ShouldBe("id\tmodel\tversion\texposure\tregions\tcreated\trevision\tmodel_id\tlab");
        var row = created.Lines[1].Split('\t');
        row[1..5].ShouldBe(["ex-1", "2026-06-01", "G", "US,GB,FR"]);
        var shown = await _registry.RunAsync("release", "show", row[0], "--key-file", _regulator.KeyFile);
        shown.ExitCode.ShouldBe(0, shown.Stderr);
        shown.Lines[1].Split('\t')[^1].ShouldBe("\"v1\"");
    }

    [Fact]
    public async Task ReleaseCreate_ExposureNotADpValue_Exits1NamingTheField()
    {
        await ModelAsync("ex-1");

        var result = await _registry.RunAsync("release", "create", "--model", "ex-1", "--version", "v", "--exposure", "X", "--key-file", _registry.LabKeyFile);

        result.ExitCode.ShouldBe((int)ExitCode.InvalidInput, result.Stderr);
        result.Stderr.ShouldContain("exposure");
    }

    [Fact]
    public async Task ReleaseUpdate_ChangesExposureAndRegionsAndHistoryShowsFromWhatToWhat()
    {
        var release = await ReleaseAsync("ex-1", "v1");

        var result = await _registry.RunAsync("release", "update", release, "--exposure", "L", "--region", "US", "--json", "--key-file", _registry.LabKeyFile);
        var history = await _registry.RunAsync("release", "history", release, "--key-file", _regulator.KeyFile);

        result.ExitCode.ShouldBe(0, result.Stderr);
        var json = JsonDocument.Parse(result.Stdout).RootElement;
        (json.GetProperty("exposure").GetString(), json.GetProperty("regions")[0].GetString(), json.GetProperty("revision").GetInt64()).ShouldBe(("L", "US", 2));
        history.Lines.Skip(1).Select(l => l.Split('\t')[2]).ShouldBe(["release.created", "release.changed"]);
        history.Lines[^1].ShouldEndWith("exposure: G -> L; regions: US,GB -> US");
    }

    [Fact]
    public async Task ReleaseUpdate_StaleIfMatch_Exits13AndChangesNothing()
    {
        var release = await ReleaseAsync("ex-1", "v1");
        (await _registry.RunAsync("release", "update", release, "--exposure", "L", "--key-file", _registry.LabKeyFile)).ExitCode.ShouldBe(0);

        var result = await _registry.RunAsync("release", "update", release, "--exposure", "O", "--if-match", "\"v1\"", "--key-file", _registry.LabKeyFile);

        result.ExitCode.ShouldBe((int)ExitCode.StaleVersion, result.Stderr);
        (await _registry.RunAsync("release", "show", release, "--key-file", _registry.LabKeyFile)).Lines[1].Split('\t')[3].ShouldBe("L");
    }

    [Fact]
    public async Task ReleaseUpdate_NothingToChange_Exits2BeforeSending()
    {
        var result = await _registry.RunAsync("release", "update", Guid.NewGuid().ToString(), "--key-file", _registry.LabKeyFile);

        result.ExitCode.ShouldBe((int)ExitCode.UsageError, result.Stderr);
        result.Stderr.ShouldContain("nothing to change");
    }

    [Fact]
    public async Task ReleaseShow_ForAReporter_Exits12()
    {
        var release = await ReleaseAsync("ex-1", "v1");

        var result = await _registry.RunAsync("release", "show", release, "--key-file", _reporter.KeyFile);

        result.ExitCode.ShouldBe((int)ExitCode.NotFound, result.Stderr);
        result.Stdout.ShouldBeEmpty();
    }

    [Fact]
    public async Task ReleaseList_LongerThanOnePage_AllReadsEveryPageInTheServersOrder()
    {
        var created = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            created.Add(await ReleaseAsync("ex-1", $"v{i}"));
        }

        var first = await _registry.RunAsync("release", "list", "--limit", "2", "--key-file", _regulator.KeyFile);
        var all = await _registry.RunAsync("release", "list", "--limit", "2", "--all", "--model", "ex-1", "--key-file", _regulator.KeyFile);
        var json = await _registry.RunAsync("release", "list", "--limit", "2", "--all", "--json", "--key-file", _regulator.KeyFile);

        first.Lines.Length.ShouldBe(3);
        first.Stderr.ShouldContain("more releases follow after these 2; add --all to follow every page");
        all.ExitCode.ShouldBe(0, all.Stderr);
        all.Lines.Skip(1).Select(l => l.Split('\t')[0]).ShouldBe(await ServerOrderAsync());
        all.Lines.Skip(1).Select(l => l.Split('\t')[2]).Order(StringComparer.Ordinal).ShouldBe(["v0", "v1", "v2", "v3", "v4"]);
        all.Stderr.ShouldBeEmpty();
        var page = JsonDocument.Parse(json.Stdout).RootElement;
        page.GetProperty("items").GetArrayLength().ShouldBe(5);
        page.GetProperty("next").ValueKind.ShouldBe(JsonValueKind.Null);
    }

    [Fact]
    public async Task ReleaseList_ModelFilter_ListsOnlyThatModelsReleases()
    {
        await ReleaseAsync("ex-1", "v1");
        var other = await ReleaseAsync("ex-2", "v1");

        var result = await _registry.RunAsync("release", "list", "--model", "ex-2", "--key-file", _registry.LabKeyFile);

        result.ExitCode.ShouldBe(0, result.Stderr);
        result.Lines.Skip(1).Select(l => l.Split('\t')[0]).ShouldBe([other]);
    }

    private async Task ModelAsync(string name)
    {
        var created = await _registry.RunAsync("model", "create", "--name", name, "--key-file", _registry.LabKeyFile);
        created.ExitCode.ShouldBe(0, created.Stderr);
    }

    /// <summary>A release (exposure G, regions US and GB) of the lab's model, created with the model when it is new; returns its id.</summary>
    private async Task<string> ReleaseAsync(string model, string version)
    {
        if ((await _registry.RunAsync("model", "show", model, "--key-file", _registry.LabKeyFile)).ExitCode != 0)
        {
            await ModelAsync(model);
        }

        var created = await _registry.RunAsync("release", "create", "--model", model, "--version", version, "--exposure", "G", "--region", "US,GB", "--key-file", _registry.LabKeyFile);
        created.ExitCode.ShouldBe(0, created.Stderr);
        return created.Lines[1].Split('\t')[0];
    }

    private async Task<List<string>> ServerOrderAsync()
    {
        using var response = await _registry.SendAsync(HttpMethod.Get, "api/v1/releases?limit=200", _regulator.Key);
        var page = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        return [.. page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()!)];
    }
}
