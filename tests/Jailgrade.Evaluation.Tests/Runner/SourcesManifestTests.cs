using System.Security.Cryptography;
using System.Text.Json;
using Jailgrade.Evaluation.Probes;
using Jailgrade.Evaluation.Runner;
using Jailgrade.Evaluation.Storage;
using Jailgrade.Evaluation.Tests.TestSupport;

namespace Jailgrade.Evaluation.Tests.Runner;

/// <summary>The manifest's <c>sources</c>, campaigns that send nothing, and results written under the old artifact attack ids.</summary>
public sealed class SourcesManifestTests
{
    private static TempCampaign ArtifactsOnly(string fixture)
    {
        var temp = new TempCampaign($"""
            campaign: recorded
            seed: 11
            probes:
              - file: {fixture}
                format: jbb-artifacts
            judge:
              kind: refusal-keywords
            output: out
            """);
        temp.Copy(fixture);
        return temp;
    }

    [Fact]
    public async Task Run_WithoutTargets_GradesFinishedArtifactsAndRecordsEachSource()
    {
        using var temp = ArtifactsOnly("jbb_pair_judged.json");

        var summary = await temp.RunAsync();

        summary.Complete.ShouldBeTrue();
        summary.Stored.ShouldBe(2);
        var source = Manifest.ReadSources(temp.Output).Single();
        source.Source.ShouldBe("jbb_pair_judged.json");
        source.Format.ShouldBe("jbb-artifacts");
        source.Sha256.ShouldBe(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(temp.Directory, "jbb_pair_judged.json")))));
        (source.SourceModel, source.Method, source.AttackType).ShouldBe(("fictional-chat-13b", "PAIR", "black_box"));
        source.Labels.ShouldBe(new LabelProvenance("jailbreakbench", "litellm", "2026-02-03"));
        source.NoPrompt.ShouldBe(["jbb_pair_judged:1"]);
        source.Replay.ShouldBeFalse();
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(temp.Output, Manifest.FileName)));
        manifest.RootElement.GetProperty("targets").GetArrayLength().ShouldBe(0);
        manifest.RootElement.GetProperty("sources")[0].GetProperty("labels").GetProperty("field").GetString().ShouldBe("jailbroken");
    }

    [Fact]
    public void ReadSources_DirectoryWrittenBeforeSources_IsEmpty()
    {
        using var temp = ArtifactsOnly("jbb_pair_judged.json");
        Directory.CreateDirectory(temp.Output);
        File.WriteAllText(Path.Combine(temp.Output, Manifest.FileName), """{"campaign": "old", "judge": {"id": "refusal-keywords"}}""");

        Manifest.ReadSources(temp.Output).ShouldBeEmpty();
    }

    [Fact]
    public async Task Resume_OfResultsStoredUnderOldArtifactIds_IsRefusedNamingTheChange()
    {
        using var temp = ArtifactsOnly("jbb_gcg_white_box.json");
        WriteOldRun(temp, "artifact:GCG");

        var refused = await Should.ThrowAsync<RunRefusedException>(() => temp.RunAsync(resume: true, force: true));

        refused.Reason.ShouldBe(RefusalReason.AttackIdsChanged);
        refused.Message.ShouldContain("artifact:GCG is now artifact:GCG/ATTACK_TYPE");
        refused.Message.ShouldContain("still report and grade");
        File.Exists(Path.Combine(temp.Output, Manifest.FileName)).ShouldBeFalse("a refused resume writes no manifest");
    }

    [Fact]
    public void OldResultsDirectory_StillReportsUnderItsOldIds()
    {
        using var temp = ArtifactsOnly("jbb_gcg_white_box.json");
        WriteOldRun(temp, "artifact:GCG");
        File.WriteAllText(Path.Combine(temp.Output, Manifest.FileName),
            """{"campaign": "recorded", "seed": "11", "judge": {"id": "refusal-keywords", "version": "1", "overstates_success": true}}""");

        using var summary = JsonDocument.Parse(Jailgrade.Evaluation.Reports.ReportWriter.Json(Jailgrade.Evaluation.Reports.ResultsDirectory.Load(temp.Output)));

        summary.RootElement.GetProperty("results").GetInt32().ShouldBe(1);
        summary.RootElement.GetRawText().ShouldContain("\"artifact:GCG\"");
        Manifest.ReadSources(temp.Output).ShouldBeEmpty();
    }

    [Fact]
    public async Task Resume_OfAnOldRunWithoutArtifacts_IsNotRefused()
    {
        using var temp = ArtifactsOnly("jbb_gcg_white_box.json");
        WriteOldRun(temp, "baseline");

        var summary = await temp.RunAsync(resume: true);

        summary.Written.ShouldBe(4);
    }

    [Fact]
    public async Task Resume_OfARunWithTheNewIds_FinishesIt()
    {
        using var temp = ArtifactsOnly("jbb_gcg_white_box.json");
        await temp.RunAsync();

        var again = await temp.RunAsync(resume: true);

        (again.Stored, again.Written).ShouldBe((4, 0));
    }

    // A results directory as an older version left it: the campaign's hash and one result under the given attack id.
    private static void WriteOldRun(TempCampaign temp, string attack)
    {
        Directory.CreateDirectory(temp.Output);
        using var cipher = new ResultsKey(TempCampaign.Key);
        using var store = ResultStore.Open(Path.Combine(temp.Output, ResultStore.FileName), cipher);
        store.SetMeta("campaign_hash", temp.Load().FileHash);
        store.WriteBatch([new ResultRecord
        {
            Target = "fictional-chat-7b", Attack = attack, Probe = "jbb_gcg_white_box:0", Sample = 0,
            Domain = "HT", Category = "Harassment/Discrimination", Task = "Defamation",
        }]);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }
}
