using System.Text.Json;
using Jailgrade.Policy.Decisions;
using Jailgrade.Policy.Eligibility;
using Jailgrade.Policy.Gate;
using Jailgrade.Policy.Obligations;
using Jailgrade.Policy.Tests.TestSupport;
using Jailgrade.Standard;

namespace Jailgrade.Policy.Tests.Decisions;

// Issue 13 items 5 and 8: country codes are upper case everywhere; a decision says when its "now"
// was defaulted, marks what was already late, refuses a clock out of order and reads a bare date.
public class ClockAndCountryTests
{
    private const string CriticalCyberGa = "JG:1.0/UN:U/RL:H/AC:L/AR:N/HD:CY/UP:3/BR:W/FD:H/EX:P/DP:G";

    private static readonly DateTimeOffset Reported = new(2026, 6, 12, 9, 0, 0, TimeSpan.Zero);

    private static JgPolicy UsFrontier => BuiltinPolicies.Find("us-frontier")!;

    private static DecisionRequest Case(CaseClock clock) => new(JgVector.Parse(CriticalCyberGa)) { Clock = clock };

    [Theory]
    [InlineData("us", "'us': country codes are upper case: did you mean 'US'?")]
    [InlineData("Gb", "'Gb': country codes are upper case: did you mean 'GB'?")]
    [InlineData("UK", "'UK' is not an ISO 3166-1 alpha-2 country code: did you mean 'GB'? (ISO 3166 has no UK; the United Kingdom is GB)")]
    [InlineData("uk", "'uk' is not an ISO 3166-1 alpha-2 country code: did you mean 'GB'? (ISO 3166 has no UK; the United Kingdom is GB)")]
    [InlineData("EL", "'EL' is not an ISO 3166-1 alpha-2 country code: did you mean 'GR'? (EL is the EU's abbreviation for Greece; ISO 3166 has GR)")]
    [InlineData("XX", "'XX' is not an ISO 3166-1 alpha-2 country code (two upper-case letters, e.g. US, GB)")]
    public void Countries_TryCheck_RefusesAndSuggestsTheCodeMeant(string code, string message)
    {
        Countries.TryCheck(code, out var error).ShouldBeFalse();

        error.ShouldBe(message);
    }

    [Fact]
    public void Countries_TryCheck_AcceptsAnAssignedUpperCaseCode()
    {
        Countries.TryCheck("GR", out var error).ShouldBeTrue();
        error.ShouldBeEmpty();
    }

    [Fact]
    public void Decide_LowerCaseCountry_IsRefusedWithTheUpperCaseCode()
    {
        var request = Case(new CaseClock(Reported: Reported)) with { Countries = ["US", "cn"] };

        UsFrontier.TryDecide(request, null, out _, out var error).ShouldBeFalse();

        error.ShouldBe("'cn': country codes are upper case: did you mean 'CN'?");
    }

    [Fact]
    public void Load_LowerCaseCountryInATier_SuggestsUpperCaseAtItsPosition()
    {
        var text = PolicyText.Build(jurisdictions: "jurisdictions:\n  home: [US, gb]\n  world: rest");

        var error = PolicyText.Load(text).Errors.ShouldHaveSingleItem();

        error.Kind.ShouldBe(PolicyErrorKind.UnknownCountry);
        error.Line.ShouldBe(PolicyText.LineOf(text, "[US, gb]"));
        error.Column.ShouldBe(14);
        error.Message.ShouldBe("'gb': country codes are upper case: did you mean 'GB'? (tier 'home')");
    }

    [Fact]
    public void ParseLines_LowerCaseCountry_IsAnErrorAtTheCountriesValue()
    {
        var line = $$"""{"vector": "{{CriticalCyberGa}}", "countries": ["US", "fr"]}""";

        var (cases, errors) = CaseJson.ParseLines(line, "cases.jsonl");

        cases.ShouldBeEmpty();
        errors.ShouldHaveSingleItem().ToString().ShouldBe(
            $"cases.jsonl:1:{line.IndexOf("[\"US\"", StringComparison.Ordinal) + 1}: \"countries\": 'fr': country codes are upper case: did you mean 'FR'?");
    }

    [Theory]
    [InlineData("model-a")]
    [InlineData("model-b")]
    public void GateAsk_LowerCaseCountry_IsDeniedNamingTheUpperCaseCode(string release)
    {
        var gate = GateSnapshot.Build([new GateCase("model-a", "case-1", UsFrontier.Decide(Case(new CaseClock(Reported: Reported))))]);

        var answer = gate.Ask(release, "us", IdentityLevel.Vetted);

        answer.Access.ShouldBe(Access.Deny);
        answer.Reason.ShouldBe("'us': country codes are upper case: did you mean 'US'?; the gate fails closed");
    }

    [Fact]
    public void ParseCountryList_KeepsCodesAsWritten()
    {
        CaseJson.ParseCountryList("US, gb").ShouldBe(["US", "gb"]);
    }

    [Theory]
    [InlineData("2026-06-12", "2026-06-12T00:00:00Z")]
    [InlineData("1970-01-01", "1970-01-01T00:00:00Z")]
    [InlineData("2999-12-31", "2999-12-31T00:00:00Z")]
    public void Timestamps_TryParse_DateAlone_IsMidnightUtc(string text, string instant)
    {
        Timestamps.TryParse(text, out var parsed, out var error).ShouldBeTrue(error);

        Timestamps.Format(parsed).ShouldBe(instant);
        parsed.Offset.ShouldBe(TimeSpan.Zero);
    }

    [Theory]
    [InlineData("2026-13-01")]
    [InlineData("2026-02-30")]
    [InlineData("2026-6-12")]
    [InlineData("1969-12-31")]
    [InlineData("2026-06-12T09:00:00")]
    public void Timestamps_TryParse_BadDateOrTimeWithoutOffset_IsRefused(string text)
    {
        Timestamps.TryParse(text, out _, out var error).ShouldBeFalse();

        error.ShouldStartWith($"'{text}' is ");
    }

    [Fact]
    public void Decide_ReportedAsADate_SchedulesFromMidnightUtc()
    {
        Timestamps.TryParse("2026-06-12", out var reported).ShouldBeTrue();

        var decision = UsFrontier.Decide(Case(new CaseClock(Reported: reported)));

        decision.Obligations[0].Due.ShouldBe(new DateTimeOffset(2026, 6, 13, 0, 0, 0, TimeSpan.Zero));
    }

    [Theory]
    [InlineData(null, "2026-06-12T09:00:00Z", "2026-06-11T09:00:00Z", null, "impossible clock: decided 2026-06-11T09:00:00Z is before reported 2026-06-12T09:00:00Z")]
    [InlineData(null, "2026-06-12T09:00:00Z", null, "2026-06-12T08:59:59Z", "impossible clock: resolved 2026-06-12T08:59:59Z is before reported 2026-06-12T09:00:00Z")]
    [InlineData("2026-06-13T00:00:00Z", "2026-06-12T09:00:00Z", null, null, "impossible clock: discovered 2026-06-13T00:00:00Z is after reported 2026-06-12T09:00:00Z")]
    [InlineData("2026-06-13T00:00:00Z", null, "2026-06-12T00:00:00Z", null, "impossible clock: discovered 2026-06-13T00:00:00Z is after decided 2026-06-12T00:00:00Z")]
    [InlineData("2026-06-13T00:00:00Z", null, null, "2026-06-12T00:00:00Z", "impossible clock: discovered 2026-06-13T00:00:00Z is after resolved 2026-06-12T00:00:00Z")]
    public void Decide_ClockOutOfOrder_IsRefusedNamingBothEventsAndTimes(string? discovered, string? reported, string? decided, string? resolved, string message)
    {
        var clock = new CaseClock(At(discovered), At(reported), At(decided), At(resolved));

        UsFrontier.TryDecide(Case(clock), null, out var decision, out var error).ShouldBeFalse();

        decision.ShouldBeNull();
        error.ShouldBe(message);
    }

    [Fact]
    public void Decide_EventsAtTheSameInstantOrDecidedAfterResolution_ArePossible()
    {
        var clock = new CaseClock(Reported, Reported, Reported.AddDays(30), Reported);

        UsFrontier.TryDecide(Case(clock), null, out _, out var error).ShouldBeTrue(error);
    }

    [Fact]
    public void Decide_NowByTheInjectedClockBeforeReported_IsRefusedSayingDecidedWasDefaulted()
    {
        var clock = new FixedTimeProvider(Reported.AddHours(-1));

        UsFrontier.TryDecide(Case(new CaseClock(Reported: Reported)), clock, out _, out var error).ShouldBeFalse();

        error.ShouldBe("impossible clock: decided 2026-06-12T08:00:00Z (now: no decided time was given) is before reported 2026-06-12T09:00:00Z");
    }

    [Fact]
    public void Decide_WithoutDecided_TakesNowFromTheInjectedClockAndSaysSo()
    {
        var now = new DateTimeOffset(2026, 12, 1, 23, 10, 28, TimeSpan.Zero);

        var decision = UsFrontier.Decide(Case(new CaseClock(Reported: Reported)), new FixedTimeProvider(now));

        decision.DecidedDefaulted.ShouldBeTrue();
        decision.Clock.Decided.ShouldBe(now);
        using var json = JsonDocument.Parse(DecisionJson.Serialize(decision));
        json.RootElement.GetProperty("decided_defaulted").GetBoolean().ShouldBeTrue();
    }

    [Fact]
    public void Decide_WithDecidedGiven_IsNotDefaulted()
    {
        var decision = UsFrontier.Decide(Case(new CaseClock(Reported: Reported, Decided: Reported)), new FixedTimeProvider(Reported.AddYears(1)));

        decision.DecidedDefaulted.ShouldBeFalse();
        decision.Clock.Decided.ShouldBe(Reported);
        using var json = JsonDocument.Parse(DecisionJson.Serialize(decision));
        json.RootElement.GetProperty("decided_defaulted").GetBoolean().ShouldBeFalse();
    }

    [Fact]
    public void Decide_ObligationsDueBeforeDecided_AreOverdueAndTheRestAreNot()
    {
        // Decided 3 days after the report: the 24-hour notice (due +1 day) is late, the mitigation
        // (due +3 days, exactly now) is not yet, the 14-day report and the resolution-based report are not.
        var decision = UsFrontier.Decide(Case(new CaseClock(Reported: Reported, Decided: Reported.AddDays(3))));

        var overdue = decision.Obligations.ToDictionary(o => o.Describe(), o => o.Overdue);
        overdue.ShouldBe(new Dictionary<string, bool>
        {
            ["notify government-authority due 2026-06-13T09:00:00Z"] = true,
            ["notify affected-deployers due 2026-06-16T09:00:00Z"] = false,
            ["mitigate lab due 2026-06-15T09:00:00Z"] = false,
            ["report government-authority due 2026-06-26T09:00:00Z"] = false,
            ["verify accredited-auditor due 2026-06-29T09:00:00Z"] = false,
            ["update government-authority due 2026-06-19T09:00:00Z"] = false,
            ["report government-authority due not yet (clock event unknown)"] = false,
        }, ignoreOrder: true);
    }

    [Fact]
    public void Serialize_OverdueObligation_CarriesOverdueTrue()
    {
        // Decided 2026-07-02: every reported-based deadline has passed, the decided-based ones have not.
        var decision = UsFrontier.Decide(Case(new CaseClock(Reported: Reported, Decided: Reported.AddDays(20))));

        using var json = JsonDocument.Parse(DecisionJson.Serialize(decision));
        var obligations = json.RootElement.GetProperty("obligations").EnumerateArray().ToList();

        obligations.Where(o => o.GetProperty("overdue").GetBoolean()).Select(o => o.GetProperty("due").GetString())
            .ShouldBe(["2026-06-13T09:00:00Z", "2026-06-15T09:00:00Z", "2026-06-26T09:00:00Z", "2026-06-19T09:00:00Z"]);
        obligations.Single(o => o.GetProperty("due").ValueKind == JsonValueKind.Null).GetProperty("overdue").GetBoolean().ShouldBeFalse();
    }

    [Fact]
    public void Decide_WithoutDecidedOrClock_MarksNothingOverdue()
    {
        var decision = UsFrontier.Decide(Case(new CaseClock(Reported: Reported)));

        decision.Obligations.ShouldAllBe(o => !o.Overdue);
    }

    private static DateTimeOffset? At(string? text) => text is null ? null : DateTimeOffset.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
}
