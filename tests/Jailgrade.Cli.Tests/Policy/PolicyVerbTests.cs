using System.Text.Json;
using Jailgrade.Cli.Tests.TestSupport;

namespace Jailgrade.Cli.Tests.Policy;

public sealed class PolicyVerbTests : IDisposable
{
    private const string CriticalCyberGa = "JG:1.0/UN:U/RL:H/AC:L/AR:N/HD:CY/UP:3/BR:W/FD:H/EX:P/DP:G";
    private const string GovernmentView = "JG:1.0/UN:C/RL:M/AC:M/AR:N/HD:CY/UP:3/BR:S/FD:H/EX:N/DP:G";
    private readonly string _directory = Directory.CreateTempSubdirectory("jailgrade-policy-cli-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string WriteFile(string name, string text)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static string BuiltinText(string id)
    {
        using var stream = typeof(Jailgrade.Policy.BuiltinPolicies).Assembly.GetManifestResourceStream($"Jailgrade.Policy.Builtin.{id}.yaml")!;
        return new StreamReader(stream).ReadToEnd();
    }

    [Fact]
    public async Task PolicyTest_NoArguments_RunsEveryBuiltinExampleAndPasses()
    {
        var result = await CliRun.RunAsync("policy", "test");

        result.ExitCode.ShouldBe(0);
        result.Lines.ShouldAllBe(line => line.StartsWith("pass  ", StringComparison.Ordinal));
        result.Lines.Select(l => l.Split(':')[0]).Distinct().ShouldBe(["pass  us-frontier", "pass  eu-gpai", "pass  lab-safeguards"]);
        result.Stderr.ShouldContain(" passed, 0 failed.");
    }

    [Fact]
    public async Task PolicyTest_FailingExample_ExitsThreeAndSaysWhatDiffered()
    {
        var text = BuiltinText("lab-safeguards").Replace("expect: {outcome: Suspend, row: 6}", "expect: {outcome: Restrict, row: 6}", StringComparison.Ordinal);
        var file = WriteFile("lab.yaml", text);

        var result = await CliRun.RunAsync("policy", "test", file);

        result.ExitCode.ShouldBe(3);
        result.Stdout.ShouldContain("FAIL  lab-safeguards: Critical bypass of a generally available model de-deploys it");
        result.Stdout.ShouldContain("outcome: expected Restrict, got Suspend");
    }

    [Fact]
    public async Task PolicyValidate_BrokenFile_PrintsFileLineColumnAndExitsOne()
    {
        var text = BuiltinText("us-frontier").Replace("within: P14D, note: registry record", "within: 14 days, note: registry record", StringComparison.Ordinal);
        var file = WriteFile("broken.yaml", text);
        var line = text.Split('\n').ToList().FindIndex(l => l.Contains("within: 14 days", StringComparison.Ordinal)) + 1;

        var result = await CliRun.RunAsync("policy", "validate", file);

        result.ExitCode.ShouldBe(1);
        result.Stderr.ShouldStartWith($"{file}:{line}:");
        result.Stderr.ShouldContain("error BadDuration: '14 days' is not an ISO 8601 duration");
        result.Stderr.ShouldNotContain("   at ");
    }

    [Fact]
    public async Task PolicyValidate_ValidFile_ReportsTheProvedTable()
    {
        var file = WriteFile("eu.yaml", BuiltinText("eu-gpai"));

        var result = await CliRun.RunAsync("policy", "validate", file);

        result.ExitCode.ShouldBe(0);
        result.Stdout.ShouldStartWith($"{file}: ok: eu-gpai 1.0.0, 7 rows deciding 75 combinations, 6 examples, sha256 ");
    }

    [Fact]
    public async Task PolicyShow_Builtin_RendersMarkdownTables()
    {
        var result = await CliRun.RunAsync("policy", "show", "us-frontier", "--format", "md");

        result.ExitCode.ShouldBe(0);
        result.Stdout.ShouldStartWith("# US frontier-model jailbreak policy");
        result.Stdout.ShouldContain("| 7 | Critical | Catastrophic | >=P | * | **Suspend** |");
    }

    [Fact]
    public async Task PolicyList_ListsTheBuiltins()
    {
        var result = await CliRun.RunAsync("policy", "list");

        result.Lines.Select(l => l.Split(' ')[0]).ShouldBe(["us-frontier", "eu-gpai", "lab-safeguards"]);
    }

    [Fact]
    public async Task Decide_Json_HasOutcomeObligationsEligibilityCountriesAndStamp()
    {
        var result = await CliRun.RunAsync("decide", "--policy", "us-frontier", "--vector", CriticalCyberGa, "--reported", "2026-06-12T09:00:00Z", "--decided", "2026-06-12T15:00:00Z", "--countries", "US,CN", "--json");

        result.ExitCode.ShouldBe(0, result.Stderr);
        using var json = JsonDocument.Parse(result.Stdout);
        var root = json.RootElement;
        root.GetProperty("outcome").GetString().ShouldBe("Suspend");
        root.GetProperty("obligations")[0].GetProperty("due").GetString().ShouldBe("2026-06-13T09:00:00Z");
        root.GetProperty("eligibility").GetProperty("tier-3").GetProperty("vetted").GetProperty("decision").GetString().ShouldBe("deny");
        root.GetProperty("countries").GetProperty("CN").GetString().ShouldBe("tier-3");
        root.GetProperty("policy").GetProperty("sha256").GetString()!.Length.ShouldBe(64);
        root.GetProperty("rationale").GetString().ShouldStartWith("row 7");
    }

    [Fact]
    public async Task Decide_WithoutDecided_TakesTheDecisionNowByTheInjectedClock()
    {
        var now = new DateTimeOffset(2026, 6, 12, 18, 30, 0, TimeSpan.Zero);

        var result = await ClockedRun.RunAsync(now, terminal: false, "decide", "--policy", "us-frontier", "--vector", CriticalCyberGa, "--json");

        using var json = JsonDocument.Parse(result.Stdout);
        json.RootElement.GetProperty("clock").GetProperty("decided").GetString().ShouldBe("2026-06-12T18:30:00Z");
        json.RootElement.GetProperty("clock").GetProperty("reported").ValueKind.ShouldBe(JsonValueKind.Null);
    }

    [Fact]
    public async Task Decide_IncidentForEuPolicy_AppliesItsClock()
    {
        var result = await CliRun.RunAsync("decide", "--policy", "eu-gpai", "--vector", GovernmentView, "--incident", "infrastructure-disruption", "--reported", "2026-06-12T09:00:00Z", "--json");

        using var json = JsonDocument.Parse(result.Stdout);
        var notify = json.RootElement.GetProperty("obligations").EnumerateArray().First(o => o.GetProperty("kind").GetString() == "notify");
        notify.GetProperty("due").GetString().ShouldBe("2026-06-14T09:00:00Z");
    }

    [Fact]
    public async Task Decide_UnknownIncident_ExitsOneListingTheValues()
    {
        var result = await CliRun.RunAsync("decide", "--policy", "eu-gpai", "--vector", GovernmentView, "--incident", "fire");

        result.ExitCode.ShouldBe(1);
        result.Stderr.ShouldContain("'fire' is not a value of 'incident' (one of: none, other-harm, death, cybersecurity-breach, infrastructure-disruption)");
    }

    [Fact]
    public async Task Decide_BadTimestampOrVector_ExitsOneWithTheReason()
    {
        var badTime = await CliRun.RunAsync("decide", "--policy", "us-frontier", "--vector", GovernmentView, "--reported", "June 12");
        var badVector = await CliRun.RunAsync("decide", "--policy", "us-frontier", "--vector", "JG:1.0/UN:Q");

        badTime.ExitCode.ShouldBe(1);
        badTime.Stderr.ShouldContain("--reported: 'June 12' is not a timestamp");
        badVector.ExitCode.ShouldBe(1);
        badVector.Stderr.ShouldContain("bad vector: column 11");
    }

    [Fact]
    public async Task Decide_UnknownPolicy_ExitsFour()
    {
        var result = await CliRun.RunAsync("decide", "--policy", "no-such-policy", "--vector", GovernmentView);

        result.ExitCode.ShouldBe(4);
        result.Stderr.ShouldContain("'no-such-policy' is neither a built-in policy");
    }

    [Fact]
    public async Task Decide_BandProbabilities_DecidesOnTheBandAtTheConfidence()
    {
        var file = WriteFile("bands.json", """{"Low": 0.6, "Medium": 0.3, "High": 0.1}""");

        var result = await CliRun.RunAsync("decide", "--policy", "us-frontier", "--vector", GovernmentView, "--band-probabilities", file, "--json");

        using var json = JsonDocument.Parse(result.Stdout);
        json.RootElement.GetProperty("band").GetString().ShouldBe("Low");
        json.RootElement.GetProperty("band_source").GetString().ShouldBe("probabilities");
        json.RootElement.GetProperty("outcome").GetString().ShouldBe("Track");
    }

    [Fact]
    public async Task Decide_Cases_WritesOneLinePerCaseAndReportsBadLines()
    {
        var file = WriteFile("cases.jsonl", $$"""
            {"id": "gov", "vector": "{{GovernmentView}}"}
            {"id": "crit", "vector": "{{CriticalCyberGa}}", "reported": "2026-06-12T09:00:00Z"}
            {"id": "bad", "vector": "JG:1.0"}
            """);

        var result = await CliRun.RunAsync("decide", "--policy", "us-frontier", "--cases", file, "--format", "human");
        var piped = await CliRun.RunAsync("decide", "--policy", "us-frontier", "--cases", file);

        result.ExitCode.ShouldBe(1);
        result.Lines.ShouldBe(["gov\tRestrict\tHigh\trow 4", "crit\tSuspend\tCritical\trow 7"]);
        piped.Lines.Length.ShouldBe(2);
        using var first = JsonDocument.Parse(piped.Lines[0]);
        first.RootElement.GetProperty("id").GetString().ShouldBe("gov");
        first.RootElement.GetProperty("decision").GetProperty("outcome").GetString().ShouldBe("Restrict");
        result.Stderr.ShouldContain($"{file}:3:25: bad vector:");
    }

    [Fact]
    public async Task PolicyDiff_TwoPolicies_ListsChangedCases()
    {
        var file = WriteFile("cases.jsonl", $"{GovernmentView}\n{{\"id\": \"internal\", \"vector\": \"JG:1.0/UN:U/RL:H/AC:L/AR:N/HD:BI/UP:4/BR:W/FD:H/EX:N/DP:I\"}}\n");

        var result = await CliRun.RunAsync("policy", "diff", "us-frontier", "eu-gpai", "--vectors", file);

        result.ExitCode.ShouldBe(0, result.Stderr);
        result.Stdout.ShouldContain("line 1: Restrict → Mitigate");
        result.Stderr.ShouldContain("2 of 2 cases change between us-frontier 1.0.0 and eu-gpai 1.0.0.");
        result.Stderr.ShouldContain("  Restrict → Mitigate: 1 case");
    }

    [Fact]
    public async Task PolicyDiff_ObligationWithoutItsClockEvent_SaysNotYetDueInsteadOfNull()
    {
        // Issue 13 item 11: a case without a report time listed its obligations as "due null".
        var file = WriteFile("cases.jsonl", $"{{\"id\": \"internal\", \"vector\": \"JG:1.0/UN:U/RL:H/AC:L/AR:N/HD:BI/UP:4/BR:W/FD:H/EX:N/DP:I\"}}\n");

        var result = await CliRun.RunAsync("policy", "diff", "us-frontier", "eu-gpai", "--vectors", file);

        result.ExitCode.ShouldBe(0, result.Stderr);
        result.Stdout.ShouldNotContain("null");
        result.Stdout.ShouldContain(" due not yet (clock event unknown)");
    }

    [Fact]
    public async Task Decide_OnATerminal_WritesTheReadableSummary()
    {
        var result = await ClockedRun.RunAsync(new DateTimeOffset(2026, 6, 12, 15, 0, 0, TimeSpan.Zero), terminal: true, "decide", "--policy", "us-frontier", "--vector", CriticalCyberGa, "--reported", "2026-06-12T09:00:00Z", "--countries", "CN");

        result.ExitCode.ShouldBe(0);
        result.Stdout.ShouldStartWith("Suspend under us-frontier 1.0.0 (sha256 ");
        result.Stdout.ShouldContain("  notify   government-authority        due 2026-06-13T09:00:00Z");
        result.Stdout.ShouldContain("  report   government-authority        due not yet (clock event unknown)");
        result.Stdout.ShouldContain("  tier-1          deny / deny / deny / allow with government-testing");
        result.Stdout.ShouldContain("  CN  tier-3          China");
    }

    [Fact]
    public async Task Decide_Piped_WritesJsonByDefault()
    {
        var result = await CliRun.RunAsync("decide", "--policy", "lab-safeguards", "--vector", GovernmentView, "--decided", "2026-06-12T09:00:00Z");

        using var json = JsonDocument.Parse(result.Stdout);
        json.RootElement.GetProperty("outcome").GetString().ShouldBe("Restrict");
    }

    [Fact]
    public async Task Decide_DisputedAssessments_ThePolicysConsensusPicksTheGrade()
    {
        const string Lab = "JG:1.0/UN:N/RL:L/AC:H/AR:N/HD:CY/UP:1/BR:N/FD:M/EX:N/DP:G";

        var withoutAuditor = await CliRun.RunAsync("decide", "--policy", "us-frontier", "--assessment", $"lab={Lab}", "--assessment", $"government={GovernmentView}", "--json");
        var withAuditor = await CliRun.RunAsync("decide", "--policy", "us-frontier", "--assessment", $"lab={Lab}", "--assessment", $"government={GovernmentView}", "--assessment", $"accredited-auditor={Lab}", "--json");

        withoutAuditor.ExitCode.ShouldBe(0, withoutAuditor.Stderr);
        using var higher = JsonDocument.Parse(withoutAuditor.Stdout);
        higher.RootElement.GetProperty("outcome").GetString().ShouldBe("Restrict");
        higher.RootElement.GetProperty("consensus").GetProperty("standing").GetString().ShouldBe("government");
        higher.RootElement.GetProperty("consensus").GetProperty("assessments").GetArrayLength().ShouldBe(2);
        using var audited = JsonDocument.Parse(withAuditor.Stdout);
        audited.RootElement.GetProperty("outcome").GetString().ShouldBe("Track");
        audited.RootElement.GetProperty("consensus").GetProperty("reason").GetString().ShouldBe("accredited-auditor's assessment decides under this policy");
    }

    [Fact]
    public async Task Decide_VectorAndAssessmentTogether_IsAUsageError()
    {
        var result = await CliRun.RunAsync("decide", "--policy", "us-frontier", "--vector", GovernmentView, "--assessment", $"lab={GovernmentView}");

        result.ExitCode.ShouldBe(2);
    }
}
