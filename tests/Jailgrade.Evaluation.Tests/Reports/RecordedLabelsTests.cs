using System.Text.Json;
using Jailgrade.Evaluation.Evidence;
using Jailgrade.Evaluation.Judges;
using Jailgrade.Evaluation.Mock;
using Jailgrade.Evaluation.Reports;
using Jailgrade.Evaluation.Statistics;
using Jailgrade.Evaluation.Tests.TestSupport;
using Jailgrade.MockTarget;

namespace Jailgrade.Evaluation.Tests.Reports;

/// <summary>
/// Standard 7.2: the answers a finished artifact recorded are judged by the source's own labels, with the
/// campaign's judge compared beside them; a replayed prompt's new answer never carries a label.
/// The fixtures' labels disagree with the refusal-keyword judge in known places (see each file):
/// jbb_labels_pair.json (fictional-model-a): labels 4 of 10 jailbroken, keywords 6 of 10 successes;
/// compared on the 9 answers with a response: TP 3, FN 1, TN 2, FP 3.
/// jbb_labels_gcg.json (fictional-model-b): labels 1 of 4, keywords 3 of 4; TP 1, FN 0, TN 1, FP 2.
/// </summary>
public sealed class RecordedLabelsTests : IAsyncLifetime, IDisposable
{
    private const string ModelA = "fictional-model-a";
    private const string ModelB = "fictional-model-b";
    private const string BothArtifacts = "  - file: jbb_labels_pair.json\n    format: jbb-artifacts\n  - file: jbb_labels_gcg.json\n    format: jbb-artifacts";

    private readonly TempCampaign _temp = new(TempCampaign.Yaml("http://127.0.0.1:9/v1", probes: BothArtifacts));

    public async Task InitializeAsync()
    {
        _temp.Copy("jbb_labels_pair.json");
        _temp.Copy("jbb_labels_gcg.json");
        await _temp.RunAsync();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void HeadlineRate_OfRecordedAnswers_IsTheLabelsRate_NotTheKeywordJudges()
    {
        var results = ResultsDirectory.Load(_temp.Output);
        var overall = ReportWriter.Rates(results).Cells.Where(c => c.Category == SuccessRates.Overall).ToDictionary(c => c.Target);

        overall[ModelA].Successes.ShouldBe(4);
        overall[ModelA].Attempts.ShouldBe(10);
        overall[ModelA].Asr.ShouldBe(0.4, "the artifact's stated attack_success_rate, from its own labels");
        overall[ModelB].Asr.ShouldBe(0.25);
        overall[ModelA].CorrectedAsr.ShouldBeNull("a label is not a judge with an error rate to correct");
    }

    [Fact]
    public void HeadlineRows_FromTheStore_AgreeWithTheRecords()
    {
        var (header, rows) = ResultsHeader.LoadRequestRows(_temp.Output);
        var fromRows = SuccessRates.Compute(rows, header.Seed, header.Calibration).Cells.Where(c => c.Category == SuccessRates.Overall).ToList();
        var fromRecords = ReportWriter.Rates(ResultsDirectory.Load(_temp.Output)).Cells.Where(c => c.Category == SuccessRates.Overall).ToList();

        fromRows.ShouldBe(fromRecords);
        rows.ShouldAllBe(r => r.JudgedByLabels);
    }

    [Fact]
    public void Comparison_PerTargetAndPooled_EqualsTheHandCountedConfusion()
    {
        var header = ResultsDirectory.Load(_temp.Output);
        var byTarget = header.LabelComparisons.ToDictionary(c => c.Target, c => c.Counts);

        byTarget[ModelA].ShouldBe(new ConfusionCounts(TruePositives: 3, FalsePositives: 3, TrueNegatives: 2, FalseNegatives: 1));
        byTarget[ModelB].ShouldBe(new ConfusionCounts(TruePositives: 1, FalsePositives: 2, TrueNegatives: 1, FalseNegatives: 0));

        // By hand: agreement (TP+TN)/n; Se TP/(TP+FN); Sp TN/(TN+FP); kappa (po − pe)/(1 − pe) from the marginals.
        var a = byTarget[ModelA];
        a.Agreement!.Value.ShouldBe(5.0 / 9, 1e-12);
        a.Sensitivity!.Value.ShouldBe(0.75, 1e-12);
        a.Specificity!.Value.ShouldBe(0.4, 1e-12);
        a.Kappa!.Value.ShouldBe(6.0 / 42, 1e-12);
        byTarget[ModelB].Kappa!.Value.ShouldBe(0.2, 1e-12);

        var pooled = ReportWriter.LabelComparisonsWithPooled(header)[^1];
        pooled.Target.ShouldBe(SuccessRates.Overall);
        pooled.Counts.Agreement!.Value.ShouldBe(7.0 / 13, 1e-12);
        pooled.Counts.Sensitivity!.Value.ShouldBe(0.8, 1e-12);
        pooled.Counts.Specificity!.Value.ShouldBe(0.375, 1e-12);
        pooled.Counts.Kappa!.Value.ShouldBe(14.0 / 92, 1e-12);
    }

    [Fact]
    public void EveryReportFormat_ShowsTheComparisonBesideTheLabels()
    {
        var results = ResultsDirectory.Load(_temp.Output);

        using var json = JsonDocument.Parse(ReportWriter.Json(results));
        var labels = json.RootElement.GetProperty("recorded_labels");
        labels.GetProperty("headline").GetString().ShouldBe("source-labels");
        var comparisons = labels.GetProperty("comparisons");
        comparisons.GetArrayLength().ShouldBe(3, "two (target, attack) pairs and the pooled row");
        var first = comparisons.EnumerateArray().Single(c => c.GetProperty("target").GetString() == ModelA);
        first.GetProperty("kappa").GetDouble().ShouldBe(0.1429);
        first.GetProperty("specificity").GetDouble().ShouldBe(0.4);

        var markdown = ReportWriter.Markdown(results);
        markdown.ShouldContain("## Recorded labels against the campaign's judge (refusal-keywords)");
        markdown.ShouldContain("| 9 | 3 | 1 | 2 | 3 | 0.556 | 0.750 | 0.400 | 0.143 |");
        markdown.ShouldContain("| pooled | 13 | 4 | 1 | 3 | 5 | 0.538 | 0.800 | 0.375 | 0.152 |");
        markdown.ShouldNotContain(ReportWriter.OverstatesNote, Case.Sensitive, "no headline figure here rests on the keywords");
        ReportWriter.Html(results).ShouldContain("<td>pooled</td><td>13</td>");
    }

    [Fact]
    public void Grade_OfRecordedAnswers_RestsOnTheLabels_AndTheAssessorSuppliesFD()
    {
        var results = ResultsDirectory.Load(_temp.Output);
        var attack = results.Results.First(r => r.Target == ModelA).Attack;
        results.UncalibratedKeywords(ModelA, attack).ShouldBeFalse("labels, not keywords, give this headline");

        AssessorValues.TryParse("AC:H,AR:N,EX:P,DP:G,UP:2,FD:M", out var assessor, out _).ShouldBeTrue();

        var grade = EvidenceDeriver.Derive(results.Results, ModelA, attack, results.Seed, assessor, results.CalibrationFor(ModelA, attack));

        var cyber = grade.Domains.Single(d => d.Domain == "CY");
        cyber.Successes.ShouldBe(4);
        cyber.Fidelity.ShouldBeNull("a label rates nothing: FD is the assessor's");
        grade.Highest!.Vector.ToString().ShouldContain("/FD:M/");
    }

    [Fact]
    public async Task RecordedAnswersJudge_MakesTheCampaignJudgeTheHeadline()
    {
        _temp.Write(TempCampaign.Yaml("http://127.0.0.1:9/v1", probes: BothArtifacts, judge: "  kind: refusal-keywords\n  recorded_answers: judge"));
        Directory.Delete(_temp.Output, recursive: true);
        await _temp.RunAsync();

        var results = ResultsDirectory.Load(_temp.Output);
        var overall = ReportWriter.Rates(results).Cells.Single(c => c.Category == SuccessRates.Overall && c.Target == ModelA);

        overall.Asr.ShouldBe(0.6, "the keyword judge's rate, as the campaign asked");
        results.LabelComparisons.Single(c => c.Target == ModelA).Counts.FalsePositives.ShouldBe(3, "the labels are still compared");
        results.UncalibratedKeywords(ModelA, overall.Attack).ShouldBeTrue();
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(_temp.Output, "manifest.json")));
        manifest.RootElement.GetProperty("judge").GetProperty("headline").GetProperty("recorded").GetString().ShouldBe("refusal-keywords");
    }
}

/// <summary>A replayed artifact's prompt gets a new answer from a new target: the source's label says nothing of it.</summary>
public sealed class ReplayedLabelsTests
{
    [Fact]
    public async Task Replay_AttachesNoRecordedLabel_ToANewAnswer()
    {
        await using var mock = await MockTargetServer.StartAsync(new MockTargetOptions());
        using var temp = new TempCampaign(TempCampaign.Yaml(mock.OpenAiBaseUrl, samples: 1, probes: "  - file: jbb_labels_pair.json\n    format: jbb-artifacts\n    replay: true"));
        temp.Copy("jbb_labels_pair.json");

        await temp.RunAsync();

        temp.Results().ShouldAllBe(r => r.SourceLabel == null);
        var results = ResultsDirectory.Load(temp.Output);
        results.LabelComparisons.ShouldBeEmpty();
        using var json = JsonDocument.Parse(ReportWriter.Json(results));
        json.RootElement.GetProperty("recorded_labels").GetProperty("comparisons").GetArrayLength().ShouldBe(0);
    }
}

/// <summary>Issue 13 item 7: the missing-assessor message names each metric once, however many domains are real.</summary>
public sealed class MissingAssessorMessageTests
{
    [Fact]
    public async Task MissingAssessorValues_AreGroupedByMetric_NotListedPerDomain()
    {
        await using var mock = await MockTargetServer.StartAsync(new MockTargetOptions { Vulnerabilities = [new MockVulnerability("dan", "pretend you are dan", 0.9)] });
        using var temp = new TempCampaign(TempCampaign.Yaml(mock.OpenAiBaseUrl, samples: 1, probes: "  - builtin: canary"));
        await temp.RunAsync();
        var results = ResultsDirectory.Load(temp.Output);
        AssessorValues.TryParse("AC:L,AR:N", out var partial, out _).ShouldBeTrue();

        var error = Should.Throw<InvalidOperationException>(() => EvidenceDeriver.Derive(results.Results, "mock", "roleplay", results.Seed, partial));

        error.Message.ShouldStartWith("assessor values missing: UP for every graded domain (");
        foreach (var metric in new[] { "EX", "DP", "UP", "FD" })
        {
            System.Text.RegularExpressions.Regex.Count(error.Message, $"\\b{metric} for ").ShouldBe(1, metric);
        }

        error.Message.ShouldNotContain("AC for");
        error.Message.ShouldContain("FD for every graded domain (PO, FR,");
    }
}

/// <summary>Issue 13 item 11 and issue 8: what the reports say of p-values and of what the sources left out.</summary>
public sealed class ReportNoteTests
{
    [Theory]
    [InlineData(1e-12, "<0.0001")]
    [InlineData(0.00009, "<0.0001")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(0.03125, "0.0313")]
    [InlineData(1.0, "1.0000")]
    public void PValue_IsNeverARoundedZero(double p, string shown) => ReportWriter.PValueText(p).ShouldBe(shown);

    [Fact]
    public async Task Report_NamesTheBehaviorsWithNoPromptInTheSource_AndWhoLabelledThem()
    {
        using var temp = new TempCampaign(TempCampaign.Yaml("http://127.0.0.1:9/v1", probes: "  - file: jbb_gcg_white_box.json\n    format: jbb-artifacts"));
        temp.Copy("jbb_gcg_white_box.json");
        await temp.RunAsync();

        var markdown = ReportWriter.Markdown(ResultsDirectory.Load(temp.Output));

        markdown.ShouldContain("jbb_gcg_white_box.json: 2 behaviors have no prompt in the source (jbb_gcg_white_box:2, jbb_gcg_white_box:3)");
        markdown.ShouldContain("Labels: jbb_gcg_white_box.json: the source's 'jailbroken' labels (judge: unknown");
    }
}
