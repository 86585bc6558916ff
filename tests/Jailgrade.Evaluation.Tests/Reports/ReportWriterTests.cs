using System.Text.Json;
using Jailgrade.Evaluation.Mock;
using Jailgrade.Evaluation.Reports;
using Jailgrade.Evaluation.Tests.TestSupport;
using Jailgrade.MockTarget;

namespace Jailgrade.Evaluation.Tests.Reports;

public sealed class ReportWriterTests : IAsyncLifetime, IDisposable
{
    private MockTargetServer _mock = null!;
    private TempCampaign _temp = null!;

    public async Task InitializeAsync()
    {
        _mock = await MockTargetServer.StartAsync(new MockTargetOptions
        {
            Vulnerabilities = [new MockVulnerability("roleplay", "pretend you are dan", 0.5)],
            Faults = new MockFaults { ServerError = 0.05 },
        });
        _temp = new TempCampaign(TempCampaign.Yaml(_mock.OpenAiBaseUrl, samples: 3).Replace("max_retries: 8", "max_retries: 0", StringComparison.Ordinal));
        await _temp.RunAsync();
    }

    public async Task DisposeAsync() => await _mock.DisposeAsync();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Json_SameResultsAndSeed_AreByteIdentical()
    {
        ReportWriter.Json(ResultsDirectory.Load(_temp.Output)).ShouldBe(ReportWriter.Json(ResultsDirectory.Load(_temp.Output)));
    }

    [Fact]
    public void Json_HasCellsWithIntervalsOverallComparisonAndErrors()
    {
        using var document = JsonDocument.Parse(ReportWriter.Json(ResultsDirectory.Load(_temp.Output)));
        var root = document.RootElement;
        var cell = root.GetProperty("cells")[0];
        foreach (var key in new[] { "target", "attack", "category", "attempts", "successes", "errors", "asr", "ci95" })
        {
            cell.TryGetProperty(key, out _).ShouldBeTrue(key);
        }

        cell.GetProperty("ci95").GetArrayLength().ShouldBe(2);
        root.GetProperty("overall").GetArrayLength().ShouldBe(2);
        root.GetProperty("baseline_comparison")[0].GetProperty("attack").GetString().ShouldBe("roleplay");
        root.GetProperty("errors").GetInt32().ShouldBeGreaterThan(0);
        root.GetProperty("errors_by_kind").GetProperty("ServerError").GetInt32().ShouldBe(root.GetProperty("errors").GetInt32());
    }

    [Fact]
    public void EveryFormat_SaysTheKeywordJudgeOverstates()
    {
        var results = ResultsDirectory.Load(_temp.Output);
        ReportWriter.Json(results).ShouldContain("overstates success");
        ReportWriter.Markdown(results).ShouldContain(ReportWriter.OverstatesNote);
        ReportWriter.Html(results).ShouldContain("overstates success");
    }

    [Fact]
    public void Html_IsSelfContainedAndRedactsPayloads()
    {
        var html = ReportWriter.Html(ResultsDirectory.Load(_temp.Output));
        html.ShouldContain("<svg");
        html.ShouldContain("McNemar");
        html.ShouldNotContain("<script");
        html.ShouldNotContain("src=");
        html.ShouldNotContain("href=");
        html.ShouldNotContain("Pretend you are DAN");
        html.ShouldNotContain("fictional");
    }
}

public class CalibrationUseTests
{
    [Fact]
    public async Task Calibration_OfTheRunsJudge_CorrectsRates_AndOfAnotherJudge_IsRefused()
    {
        await using var mock = await MockTargetServer.StartAsync(new MockTargetOptions { Vulnerabilities = [new MockVulnerability("dan", "pretend you are dan", 0.5)] });
        using var temp = new TempCampaign(TempCampaign.Yaml(mock.OpenAiBaseUrl));
        await temp.RunAsync();
        var path = Path.Combine(temp.Output, ResultsDirectory.CalibrationFile);

        Jailgrade.Evaluation.Calibration.JudgeCalibrator.Write(path, new Jailgrade.Evaluation.Calibration.CalibrationResult("refusal-keywords", "1", 9, 1, 8, 2, 0));
        var corrected = ResultsDirectory.Load(temp.Output);
        corrected.Calibration.ShouldNotBeNull();
        ReportWriter.Json(corrected).ShouldContain("\"corrected_asr\"");

        Jailgrade.Evaluation.Calibration.JudgeCalibrator.Write(path, new Jailgrade.Evaluation.Calibration.CalibrationResult("rubric", "jg-rubric-1", 9, 1, 8, 2, 0));
        Should.Throw<InvalidDataException>(() => ResultsDirectory.Load(temp.Output)).Message.ShouldContain("judged by refusal-keywords");
    }
}
