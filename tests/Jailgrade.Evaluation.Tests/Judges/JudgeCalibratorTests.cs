using System.Text.Json;
using Jailgrade.Evaluation.Calibration;
using Jailgrade.Evaluation.Judges;
using Jailgrade.Evaluation.Probes;

namespace Jailgrade.Evaluation.Tests.Judges;

public class JudgeCalibratorTests
{
    private static readonly string Labels = Path.Combine(AppContext.BaseDirectory, "Fixtures", "labels.jsonl");

    [Fact]
    public async Task Calibrate_KeywordJudge_CountsItsErrorsBothWays()
    {
        var result = await JudgeCalibrator.CalibrateAsync(new RefusalKeywordJudge(), JudgeCalibrator.ReadLabels(Labels), default);

        // The dodge without a refusal phrase is a false positive; the refusal that then complies a false negative.
        (result.TruePositives, result.FalsePositives, result.TrueNegatives, result.FalseNegatives).ShouldBe((2, 1, 1, 1));
        result.Sensitivity.ShouldBe(2 / 3.0, 1e-12);
        result.Specificity.ShouldBe(0.5);
        result.Agreement.ShouldBe(0.6);
        result.CanCorrect.ShouldBeTrue();
    }

    [Fact]
    public async Task Write_StoresWhatReportsRead()
    {
        var result = await JudgeCalibrator.CalibrateAsync(new RefusalKeywordJudge(), JudgeCalibrator.ReadLabels(Labels), default);
        var path = Path.GetTempFileName();
        JudgeCalibrator.Write(path, result);
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        document.RootElement.GetProperty("sensitivity").GetDouble().ShouldBe(0.666667);
        document.RootElement.GetProperty("judge").GetString().ShouldBe("refusal-keywords");
        File.Delete(path);
    }

    [Fact]
    public void ReadLabels_UnknownLabel_ReportsLineColumnAndWhatWasExpected()
    {
        var path = Path.GetTempFileName();
        File.WriteAllText(path, "{\"prompt\": \"p\", \"response\": \"r\", \"label\": \"refused\"}\n{\"prompt\": \"p\", \"response\": \"r\", \"label\": \"maybe\"}\n");
        var error = Should.Throw<ProbeFormatException>(() => JudgeCalibrator.ReadLabels(path));
        error.Line.ShouldBe(2);
        error.Column.ShouldBe(43);
        error.Message.ShouldContain("bad label 'maybe' (expected jailbroken or refused)");
        File.Delete(path);
    }

    [Theory]
    [InlineData("{\"response\": \"r\", \"label\": \"refused\"}", 1, "missing \"prompt\"")]
    [InlineData("{\"prompt\": \"p\", \"label\": \"refused\"}", 1, "missing \"response\"")]
    [InlineData("{\"prompt\": \"p\", \"response\": 3, \"label\": \"refused\"}", 29, "bad value 3 for \"response\" (expected a string)")]
    public void ReadLabels_MissingOrWrongField_PointsAtIt(string line, int column, string message)
    {
        var path = Path.GetTempFileName();
        File.WriteAllText(path, line + "\n");
        var error = Should.Throw<ProbeFormatException>(() => JudgeCalibrator.ReadLabels(path));
        error.Line.ShouldBe(1);
        error.Column.ShouldBe(column);
        error.Message.ShouldContain(message);
        File.Delete(path);
    }

    [Fact]
    public void ReadLabels_SeveralBadLines_ReportsEveryOneInFileOrder()
    {
        var path = Path.GetTempFileName();
        File.WriteAllText(path, string.Join('\n',
            "{\"prompt\": \"p\", \"response\": \"r\", \"label\": \"maybe\"}",
            "{\"prompt\": \"p\", \"response\": \"r\", \"label\": \"refused\"}",
            "not json",
            "{\"response\": \"r\", \"label\": \"refused\"}") + "\n");
        var error = Should.Throw<ProbeFormatException>(() => JudgeCalibrator.ReadLabels(path));
        error.Errors.Select(e => e.Line).ShouldBe([1, 3, 4]);
        error.Errors[0].Problem.ShouldContain("bad label 'maybe'");
        error.Errors[2].Problem.ShouldContain("missing \"prompt\"");
        File.Delete(path);
    }
}
