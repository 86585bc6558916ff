using System.Text.Json;
using Jailgrade.Cli.Tests.TestSupport;

namespace Jailgrade.Cli.Tests.Policy;

// Issue 13 items 5 and 8 at the command line: upper-case country codes, "decided now", overdue
// obligations, impossible clocks and dates without a time.
public sealed class DecideClockTests : IDisposable
{
    private const string CriticalCyberGa = "JG:1.0/UN:U/RL:H/AC:L/AR:N/HD:CY/UP:3/BR:W/FD:H/EX:P/DP:G";
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 23, 10, 28, TimeSpan.Zero);
    private readonly string _directory = Directory.CreateTempSubdirectory("jailgrade-decide-clock-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static Task<CliResult> Decide(bool terminal, params string[] args) =>
        ClockedRun.RunAsync(Now, terminal, ["decide", "--policy", "us-frontier", "--vector", CriticalCyberGa, .. args]);

    [Theory]
    [InlineData("US,us", "jailgrade decide: --countries: 'us': country codes are upper case: did you mean 'US'?")]
    [InlineData("UK", "jailgrade decide: --countries: 'UK' is not an ISO 3166-1 alpha-2 country code: did you mean 'GB'? (ISO 3166 has no UK; the United Kingdom is GB)")]
    [InlineData("EL", "jailgrade decide: --countries: 'EL' is not an ISO 3166-1 alpha-2 country code: did you mean 'GR'? (EL is the EU's abbreviation for Greece; ISO 3166 has GR)")]
    public async Task Decide_CountriesOptionNotUpperCaseIso_IsAUsageErrorNamingTheCodeMeant(string countries, string message)
    {
        var result = await Decide(false, "--reported", "2026-06-12T09:00:00Z", "--countries", countries);

        result.ExitCode.ShouldBe(2);
        result.Stdout.ShouldBeEmpty();
        result.Stderr.TrimEnd().ShouldBe(message);
    }

    [Fact]
    public async Task Decide_CasesLineWithLowerCaseCountry_IsInvalidInputAtItsLineAndColumn()
    {
        var line = $$"""{"id": "b", "vector": "{{CriticalCyberGa}}", "decided": "2026-06-12", "countries": "US,gb"}""";
        var file = Path.Combine(_directory, "cases.jsonl");
        await File.WriteAllTextAsync(file, $"{CriticalCyberGa}\n{line}\n");

        var result = await ClockedRun.RunAsync(Now, false, "decide", "--policy", "us-frontier", "--cases", file);

        result.ExitCode.ShouldBe(1);
        result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length.ShouldBe(1);
        result.Stderr.TrimEnd().ShouldBe($"{file}:2:{line.IndexOf("\"US,gb\"", StringComparison.Ordinal) + 1}: \"countries\": 'gb': country codes are upper case: did you mean 'GB'?");
    }

    [Fact]
    public async Task Decide_WithoutDecidedOnATerminal_SaysDecidedNowOnStderr()
    {
        var result = await Decide(true, "--reported", "2026-12-01T09:00:00Z");

        result.ExitCode.ShouldBe(0, result.Stderr);
        result.Stderr.ShouldBe("decided now (2026-12-01T23:10:28Z)\n");
        result.Stdout.ShouldNotContain("decided now");
    }

    [Fact]
    public async Task Decide_WithDecidedOnATerminal_SaysNothingOnStderr()
    {
        var result = await Decide(true, "--reported", "2026-12-01T09:00:00Z", "--decided", "2026-12-01T10:00:00Z");

        result.ExitCode.ShouldBe(0, result.Stderr);
        result.Stderr.ShouldBeEmpty();
    }

    [Fact]
    public async Task Decide_WithoutDecidedAsJson_RecordsDecidedDefaulted()
    {
        var result = await Decide(false, "--reported", "2026-12-01T09:00:00Z");

        result.ExitCode.ShouldBe(0, result.Stderr);
        using var json = JsonDocument.Parse(result.Stdout);
        json.RootElement.GetProperty("decided_defaulted").GetBoolean().ShouldBeTrue();
        json.RootElement.GetProperty("clock").GetProperty("decided").GetString().ShouldBe("2026-12-01T23:10:28Z");
    }

    [Fact]
    public async Task Decide_BatchWithoutDecidedInHumanForm_SaysDecidedNowOnce()
    {
        var file = Path.Combine(_directory, "cases.jsonl");
        await File.WriteAllTextAsync(file, $"{CriticalCyberGa}\n{CriticalCyberGa}\n");

        var result = await ClockedRun.RunAsync(Now, false, "decide", "--policy", "us-frontier", "--cases", file, "--format", "human");

        result.ExitCode.ShouldBe(0, result.Stderr);
        result.Stderr.ShouldBe("decided now (2026-12-01T23:10:28Z)\n");
    }

    [Fact]
    public async Task Decide_ReportedMonthsAgoOnATerminal_MarksTheLateObligationsOverdue()
    {
        var result = await Decide(true, "--reported", "2026-06-12T09:00:00Z", "--decided", "2026-06-14T09:00:00Z");

        result.ExitCode.ShouldBe(0, result.Stderr);
        result.Stdout.ShouldContain("  notify   government-authority        due 2026-06-13T09:00:00Z  OVERDUE\n");
        result.Stdout.ShouldContain("  mitigate lab                         due 2026-06-15T09:00:00Z\n");
        result.Stdout.Split('\n').Count(l => l.EndsWith("OVERDUE", StringComparison.Ordinal)).ShouldBe(1);
    }

    [Fact]
    public async Task Decide_ReportedMonthsAgoAsJson_MarksOverdueByTheInjectedClock()
    {
        var result = await Decide(false, "--reported", "2026-11-20T09:00:00Z");

        using var json = JsonDocument.Parse(result.Stdout);
        var overdue = json.RootElement.GetProperty("obligations").EnumerateArray()
            .Where(o => o.GetProperty("overdue").GetBoolean())
            .Select(o => o.GetProperty("due").GetString())
            .ToList();

        // Now is 2026-12-01T23:10:28Z: the 1-, 3- and 7-day deadlines from 2026-11-20 have passed, the 14-day one has not.
        overdue.ShouldBe(["2026-11-21T09:00:00Z", "2026-11-23T09:00:00Z", "2026-11-27T09:00:00Z"]);
    }

    [Theory]
    [InlineData("--decided", "2026-06-11T09:00:00Z", "impossible clock: decided 2026-06-11T09:00:00Z is before reported 2026-06-12T09:00:00Z")]
    [InlineData("--resolved", "2026-06-12T08:00:00Z", "impossible clock: resolved 2026-06-12T08:00:00Z is before reported 2026-06-12T09:00:00Z")]
    [InlineData("--discovered", "2026-06-12T10:00:00Z", "impossible clock: discovered 2026-06-12T10:00:00Z is after reported 2026-06-12T09:00:00Z")]
    public async Task Decide_ImpossibleClock_ExitsOneNamingBothEventsAndTimes(string option, string value, string message)
    {
        var result = await Decide(false, "--reported", "2026-06-12T09:00:00Z", option, value);

        result.ExitCode.ShouldBe(1);
        result.Stdout.ShouldBeEmpty();
        result.Stderr.TrimEnd().ShouldBe($"jailgrade decide: {message}");
    }

    [Fact]
    public async Task Decide_ReportedAfterNowWithoutDecided_IsRefusedAsAnImpossibleClock()
    {
        var result = await Decide(false, "--reported", "2027-01-01");

        result.ExitCode.ShouldBe(1);
        result.Stderr.TrimEnd().ShouldBe("jailgrade decide: impossible clock: decided 2026-12-01T23:10:28Z (now: no decided time was given) is before reported 2027-01-01T00:00:00Z");
    }

    [Fact]
    public async Task Decide_DatesWithoutATime_AreMidnightUtc()
    {
        var result = await Decide(false, "--reported", "2026-06-12", "--decided", "2026-06-12");

        result.ExitCode.ShouldBe(0, result.Stderr);
        using var json = JsonDocument.Parse(result.Stdout);
        json.RootElement.GetProperty("clock").GetProperty("reported").GetString().ShouldBe("2026-06-12T00:00:00Z");
        json.RootElement.GetProperty("decided_defaulted").GetBoolean().ShouldBeFalse();
        json.RootElement.GetProperty("obligations")[0].GetProperty("due").GetString().ShouldBe("2026-06-13T00:00:00Z");
    }

    [Fact]
    public async Task Decide_TimeWithoutOffset_IsStillRefused()
    {
        var result = await Decide(false, "--reported", "2026-06-12T09:00:00");

        result.ExitCode.ShouldBe(1);
        result.Stderr.ShouldContain("'2026-06-12T09:00:00' is not a timestamp with an offset (e.g. 2026-06-12T09:00:00Z) or a date (2026-06-12, taken as 00:00 UTC)");
    }
}
