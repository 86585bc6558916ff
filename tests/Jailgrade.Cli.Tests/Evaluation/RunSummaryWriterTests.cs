using System.Text.Json;
using Jailgrade.Cli.Commands.Evaluation.Internal;
using Jailgrade.Evaluation.Reports;
using Jailgrade.Evaluation.Runner;
using Jailgrade.Evaluation.Statistics;

namespace Jailgrade.Cli.Tests.Evaluation;

public class RunSummaryWriterTests
{
    private static readonly RunSummary Summary = new()
    {
        Planned = 40, Stored = 40, Errors = 2, Unjudged = 0, Written = 40, SkippedForBudget = 0, Cancelled = false, MaxErrorShare = 0.1,
    };

    private static readonly RateTable Table = new(
    [
        new RateCell("t", "baseline", SuccessRates.Overall, 10, 19, 1, 1, 1 / 19.0, new Interval(0.01, 0.25), 0.02, new Interval(0, 0.2)),
        new RateCell("t", "roleplay", SuccessRates.Overall, 10, 19, 12, 1, 12 / 19.0, new Interval(0.4, 0.8), 0.7, new Interval(0.45, 0.9)),
        new RateCell("t", "roleplay", "CY", 10, 19, 12, 1, 12 / 19.0, new Interval(0.4, 0.8), 0.7, new Interval(0.45, 0.9)),
    ],
    [new BaselineComparison("t", "roleplay", 10, 6, 0, 0.7, 0.1, 0.03125)]);

    private static ResultsHeader Header(JudgeCalibration? calibration) => new()
    {
        Campaign = "c", Seed = 1, JudgeId = "rubric", JudgeVersion = "1", JudgeOverstates = false, Calibration = calibration,
    };

    private static string Write(SummaryFormat format, JudgeCalibration? calibration = null)
    {
        using var output = new StringWriter { NewLine = "\n" };
        RunSummaryWriter.Write(output, 100, format, Summary, Header(calibration), Table);
        return output.ToString();
    }

    [Fact]
    public void Tsv_OneLinePerOverallCell_UncorrectedRates()
    {
        Write(SummaryFormat.Tsv).ShouldBe("""
            target	attack	attempts	successes	errors	asr	ci95_low	ci95_high
            t	baseline	19	1	1	0.0526	0.0100	0.2500
            t	roleplay	19	12	1	0.6316	0.4000	0.8000

            """.Replace("\r\n", "\n", StringComparison.Ordinal));
    }

    [Fact]
    public void Human_WithACalibratedJudge_ShowsTheCorrectedRateAndSaysSo()
    {
        var lines = Write(SummaryFormat.Human, new JudgeCalibration(0.9, 0.9)).Split('\n');

        lines.Single(l => l.Contains("│ roleplay │", StringComparison.Ordinal)).ShouldContain("70.0% [45.0–90.0] │ 70.0% vs 10.0%, p=0.0313");
        lines.ShouldContain(l => l.Contains("ASR: per attempt, corrected for the judge's error", StringComparison.Ordinal));
        lines.ShouldAllBe(l => l.Length <= 100);
    }

    [Fact]
    public void Human_SaysHowManyRequestsEachPairedTestUsed()
    {
        Write(SummaryFormat.Human).Split('\n').ShouldContain("Paired requests per test: t roleplay 10.");
    }

    [Fact]
    public void Human_WithoutCalibration_ShowsTheJudgedRate()
    {
        var roleplay = Write(SummaryFormat.Human).Split('\n').Single(l => l.Contains("│ roleplay │", StringComparison.Ordinal));

        roleplay.ShouldContain("63.2% [40.0–80.0]");
        roleplay.ShouldContain("│       19 │        12 │      1 │"); // nothing truncated at 100 columns
    }

    [Fact]
    public void Json_CarriesTheVerdictAndBothCorrectedAndJudgedRates()
    {
        using var json = JsonDocument.Parse(Write(SummaryFormat.Json, new JudgeCalibration(0.9, 0.9)));
        var root = json.RootElement;

        root.GetProperty("complete").GetBoolean().ShouldBeTrue();
        root.GetProperty("error_share").GetDouble().ShouldBe(0.05);
        var roleplay = root.GetProperty("overall")[1];
        roleplay.GetProperty("asr").GetDouble().ShouldBe(0.6316);
        roleplay.GetProperty("corrected_asr").GetDouble().ShouldBe(0.7);
        root.GetProperty("overall").GetArrayLength().ShouldBe(2);
        root.GetProperty("baseline_comparison")[0].GetProperty("mcnemar_p").GetDouble().ShouldBe(0.03125);
    }
}
