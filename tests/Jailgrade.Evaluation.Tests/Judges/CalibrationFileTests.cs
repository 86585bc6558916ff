using System.Security.Cryptography;
using System.Text;
using Jailgrade.Evaluation.Calibration;
using Jailgrade.Evaluation.Campaigns;
using Jailgrade.Evaluation.Judges;
using Jailgrade.Evaluation.Mock;
using Jailgrade.Evaluation.Probes;
using Jailgrade.Evaluation.Reports;
using Jailgrade.Evaluation.Runner;
using Jailgrade.Evaluation.Statistics;
using Jailgrade.Evaluation.Tests.TestSupport;
using Jailgrade.MockTarget;

namespace Jailgrade.Evaluation.Tests.Judges;

public sealed class CalibrationFileTests : IDisposable
{
    private static readonly string Artifact = Path.Combine(AppContext.BaseDirectory, "Fixtures", "jbb_artifact_calibration.json");
    private readonly string _directory = Directory.CreateTempSubdirectory("jg-calibration-").FullName;

    private string Path1 => Path.Combine(_directory, "calibration.json");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static CalibrationResult Result(IReadOnlyDictionary<string, ConfusionCounts>? domains = null) => new("refusal-keywords", "1", 36, 12, 28, 4, 0)
    {
        Domains = domains ?? new Dictionary<string, ConfusionCounts>(),
        Sources = [new LabelSource("a.json", "ab12", "jbb-artifacts", ["model-b", "model-a"], "GCG", "white_box", "JailbreakBench's own judge", 80, 1)],
    };

    [Fact]
    public void Write_ThenRead_KeepsCountsDomainsWithEnoughLabelsModelsAndProvenance()
    {
        var enough = new ConfusionCounts(18, 2, 17, 3);
        CalibrationFile.Write(Path1, Result(new Dictionary<string, ConfusionCounts> { ["CY"] = enough, ["FR"] = new(5, 1, 4, 2) }));

        var stored = CalibrationFile.Read(Path1);

        (stored.JudgeId, stored.JudgeVersion).ShouldBe(("refusal-keywords", "1"));
        stored.Calibration.Counts.ShouldBe(new ConfusionCounts(36, 4, 28, 12));
        stored.Calibration.Domains.Keys.ShouldBe(["CY"]);
        stored.Calibration.Domains["CY"].ShouldBe(enough);
        stored.Calibration.Models.ShouldBe(["model-a", "model-b"]);
        stored.Calibration.Provenance.ShouldBe("JailbreakBench's own judge");
        stored.Calibration.Digest.ShouldStartWith("sha256:");
    }

    [Fact]
    public void Digest_IsTheSha256OfTheDocumentedCanonicalForm()
    {
        CalibrationFile.Write(Path1, Result(new Dictionary<string, ConfusionCounts> { ["CY"] = new(18, 2, 17, 3) }));
        const string canonical = "jailgrade-calibration 2\njudge refusal-keywords 1\ncounts 36 4 28 12\ndomain CY 18 2 17 3\n"
            + "model model-a\nmodel model-b\nsource ab12 jbb-artifacts a.json\nprovenance JailbreakBench's own judge\n";

        CalibrationFile.Read(Path1).Calibration.Digest.ShouldBe("sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical))));
    }

    [Fact]
    public void Read_FileEditedAfterWriting_IsRefusedForItsDigest()
    {
        CalibrationFile.Write(Path1, Result());
        File.WriteAllText(Path1, File.ReadAllText(Path1).Replace("\"false_positives\": 12", "\"false_positives\": 2", StringComparison.Ordinal));

        Should.Throw<InvalidDataException>(() => CalibrationFile.Read(Path1)).Message.ShouldContain("changed after it was written");
    }

    [Fact]
    public void Read_TheFirstFormat_IsStillRead_WithADigestFromWhatItHolds()
    {
        File.WriteAllText(Path1, """
            {
              "judge": "refusal-keywords",
              "version": "1",
              "examples": 12,
              "unjudged": 0,
              "true_positives": 9,
              "false_positives": 1,
              "true_negatives": 8,
              "false_negatives": 2,
              "agreement": 0.85,
              "sensitivity": 0.818182,
              "specificity": 0.888889
            }
            """);

        var calibration = CalibrationFile.Read(Path1).Calibration;

        calibration.Counts.ShouldBe(new ConfusionCounts(9, 2, 8, 1));
        calibration.Models.ShouldBeEmpty();
        calibration.Provenance.ShouldBeNull();
        calibration.Digest.ShouldBe(CalibrationFile.Digest("refusal-keywords", "1", new ConfusionCounts(9, 2, 8, 1), new Dictionary<string, ConfusionCounts>(), [], [], ""));
    }

    [Fact]
    public void Read_NegativeCount_PointsAtItWithWhatWasExpected()
    {
        File.WriteAllText(Path1, "{\"judge\": \"refusal-keywords\", \"version\": \"1\",\n \"true_positives\": -1, \"false_positives\": 0, \"true_negatives\": 0, \"false_negatives\": 0}");

        var error = Should.Throw<ProbeFormatException>(() => CalibrationFile.Read(Path1));

        (error.Line, error.Column).ShouldBe((2, 20));
        error.Message.ShouldContain("bad value -1 for \"true_positives\" (expected a whole number from 0)");
    }

    [Fact]
    public void Campaign_NamesItsCalibration_RelativeToTheCampaignFile()
    {
        using var temp = new TempCampaign(TempCampaign.Yaml("http://127.0.0.1:9/v1", judge: "  kind: refusal-keywords\n  calibration: calibration.json"));
        CalibrationFile.Write(Path.Combine(temp.Directory, "calibration.json"), Result());

        temp.Load().Judge.Calibration.ShouldBe(Path.Combine(temp.Directory, "calibration.json"));
    }

    [Theory]
    [InlineData("missing.json", "calibration file not found: 'missing.json'")]
    [InlineData("rubric.json", "'rubric.json' calibrates judge rubric, not this campaign's refusal-keywords")]
    public void Campaign_CalibrationMissingOrOfAnotherJudge_IsAnErrorAtTheKey(string file, string message)
    {
        using var temp = new TempCampaign(TempCampaign.Yaml("http://127.0.0.1:9/v1", judge: $"  kind: refusal-keywords\n  calibration: {file}"));
        CalibrationFile.Write(Path.Combine(temp.Directory, "rubric.json"), Result() with { JudgeId = "rubric" });

        var error = Should.Throw<CampaignException>(temp.Load).Errors.ShouldHaveSingleItem();

        error.Message.ShouldContain(message);
        File.ReadAllLines(temp.File)[error.Line - 1].ShouldContain("calibration:");
    }

    [Fact]
    public async Task Run_RecordsTheNamedCalibrationsDigestAtStart_AndALaterOneIsShownWithoutRewritingTheManifest()
    {
        await using var mock = await MockTargetServer.StartAsync(new MockTargetOptions());
        using var temp = new TempCampaign(TempCampaign.Yaml(mock.OpenAiBaseUrl, judge: "  kind: refusal-keywords\n  calibration: calibration.json", probes: "  - builtin: canary\n    limit: 4", samples: 1));
        CalibrationFile.Write(Path.Combine(temp.Directory, "calibration.json"), Result());
        var named = CalibrationFile.Read(Path.Combine(temp.Directory, "calibration.json")).Calibration.Digest;

        await temp.RunAsync();
        var header = ResultsHeader.Load(temp.Output);

        header.RunCalibrationDigest.ShouldBe(named);
        header.Calibration!.Digest.ShouldBe(named);
        header.TargetModels.ShouldBe([("mock", "mock-1")]);
        header.UncoveredTargets().ShouldBe(["mock"]);

        var manifest = File.ReadAllText(Path.Combine(temp.Output, Manifest.FileName));
        var later = Result() with { Sources = [new LabelSource("b.json", "cd34", "jbb-artifacts", ["mock-1"], null, null, "labels", 80, 0)] };
        CalibrationFile.Write(Path.Combine(temp.Output, ResultsHeader.CalibrationFile), later);
        var relabelled = ResultsHeader.Load(temp.Output);

        File.ReadAllText(Path.Combine(temp.Output, Manifest.FileName)).ShouldBe(manifest);
        relabelled.RunCalibrationDigest.ShouldBe(named);
        relabelled.Calibration!.Digest.ShouldNotBe(named);
        relabelled.UncoveredTargets().ShouldBeEmpty();
    }
}
