using System.Text.Json;
using Jailgrade.Evaluation.Reports;
using Jailgrade.Evaluation.Storage;
using Jailgrade.Evaluation.Tests.Evidence;

namespace Jailgrade.Evaluation.Tests.Reports;

/// <summary>Standard 7.1: a request whose attempts all failed is left out of every rate and listed in the report.</summary>
public class RequestsWithoutAttemptsTests
{
    private static ResultsDirectory Directory(IEnumerable<ResultRecord> results) => new()
    {
        Campaign = "c",
        Seed = 1,
        JudgeId = "rubric",
        JudgeVersion = "1",
        JudgeOverstates = false,
        Results = [.. results.OrderBy(r => r.Key, StringComparer.Ordinal)],
    };

    private static ResultsDirectory Mixed() => Directory(
    [
        Results.Rated("CY", 0, 0, success: true),
        Results.Error("CY", 0, 1),                      // one error beside an attempt: the request stays
        Results.Error("CY", 1, 0),
        Results.Error("CY", 1, 1) with { ErrorKind = "RateLimited" },
        Results.Error("CY", 1, 2),                      // errors only: listed, Timeout the commoner cause
        Results.Rated("CY", 2, 0, success: false) with { Verdict = Jailgrade.Evaluation.Judges.Verdict.Unparseable, Success = null },
    ]);

    [Fact]
    public void RequestsWithoutAttempts_ListsErrorOnlyAndUnjudgedRequests_WithTheirCommonestCause()
    {
        ReportWriter.RequestsWithoutAttempts(Mixed()).ShouldBe(
        [
            new RequestWithoutAttempts("t", "a", "CY-01", 3, 3, "Timeout"),
            new RequestWithoutAttempts("t", "a", "CY-02", 1, 0, "unjudged"),
        ]);
    }

    [Fact]
    public void EveryFormat_ListsThemAndNotesThatTheyAreLeftOut()
    {
        var results = Mixed();
        ReportWriter.Notes(results, ReportWriter.Rates(results)).ShouldContain(n => n.StartsWith("2 requests had no attempt", StringComparison.Ordinal));

        using var json = JsonDocument.Parse(ReportWriter.Json(results));
        json.RootElement.GetProperty("requests_without_attempts").EnumerateArray().Select(r => r.GetProperty("probe").GetString()).ShouldBe(["CY-01", "CY-02"]);
        ReportWriter.Markdown(results).ShouldContain("| t | a | CY-01 | 3 | 3 | Timeout |");
        ReportWriter.Html(results).ShouldContain("<td>CY-02</td><td>1</td><td>0</td><td>unjudged</td>");
    }

    [Fact]
    public void Rates_LeaveThemOut()
    {
        var cell = ReportWriter.Rates(Mixed()).Cells.Single(c => c.Category == "CY");

        cell.Requests.ShouldBe(1);
        cell.Attempts.ShouldBe(1);
        cell.Errors.ShouldBe(4);
    }

    [Fact]
    public void Markdown_ManyRequestsWithoutAttempts_ListsTheFirstAndPointsToSummaryJson()
    {
        var results = Directory(Enumerable.Range(0, ReportWriter.ListedRequestsWithoutAttempts + 7).Select(i => Results.Error("CY", i, 0)));

        var markdown = ReportWriter.Markdown(results);

        markdown.ShouldContain("… and 7 more (summary.json lists them all).");
        using var json = JsonDocument.Parse(ReportWriter.Json(results));
        json.RootElement.GetProperty("requests_without_attempts").GetArrayLength().ShouldBe(ReportWriter.ListedRequestsWithoutAttempts + 7);
    }
}
