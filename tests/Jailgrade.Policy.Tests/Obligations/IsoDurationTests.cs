using Jailgrade.Policy.Obligations;
using Jailgrade.Policy.Tests.TestSupport;

namespace Jailgrade.Policy.Tests.Obligations;

public class IsoDurationTests
{
    [Theory]
    [InlineData("PT24H", 0, 0, 0, 86_400)]
    [InlineData("P5D", 0, 0, 5, 0)]
    [InlineData("P4W", 0, 0, 28, 0)]
    [InlineData("P1Y2M3DT4H5M6S", 1, 2, 3, 14_706)]
    [InlineData("PT0S", 0, 0, 0, 0)]
    public void TryParse_ValidDuration_ReadsEachComponent(string text, int years, int months, int days, long seconds)
    {
        IsoDuration.TryParse(text, out var duration, out var error, out _).ShouldBeTrue(error);

        duration.ShouldBe(new IsoDuration(years, months, days, seconds));
    }

    [Theory]
    [InlineData("")]
    [InlineData("P")]
    [InlineData("p5d")]
    [InlineData("P5d")]
    [InlineData("P1W1W")]
    [InlineData("PT1D")]
    [InlineData("P5D ")]
    [InlineData("P99999999D")]
    public void TryParse_InvalidDuration_Fails(string text)
    {
        IsoDuration.TryParse(text, out _, out var error, out _).ShouldBeFalse();

        error.ShouldNotBeNullOrWhiteSpace();
    }

    [Fact]
    public void After_OneDayAndTwentyFourHours_AreTheSameInUtc()
    {
        // Across the EU summer-time change: UTC calendar time has no 23- or 25-hour days.
        var start = new DateTimeOffset(2026, 3, 28, 12, 0, 0, TimeSpan.Zero);

        new IsoDuration(0, 0, 1, 0).After(start).ShouldBe(new IsoDuration(0, 0, 0, 86_400).After(start));
    }

    [Fact]
    public void After_OneMonthFromTheThirtyFirst_ClampsToTheMonthsLastDay()
    {
        var start = new DateTimeOffset(2026, 1, 31, 9, 0, 0, TimeSpan.Zero);

        new IsoDuration(0, 1, 0, 0).After(start).ShouldBe(new DateTimeOffset(2026, 2, 28, 9, 0, 0, TimeSpan.Zero));
    }

    // Due dates computed by hand on a calendar: years, leap days and month ends.
    [Theory]
    [InlineData("2027-03-15T10:00:00Z", "P1Y", "2028-03-15T10:00:00Z")]
    [InlineData("2026-12-31T12:00:00Z", "P1D", "2027-01-01T12:00:00Z")]
    [InlineData("2026-12-15T00:00:00Z", "P1M", "2027-01-15T00:00:00Z")]
    [InlineData("2028-02-29T08:00:00Z", "P1Y", "2029-02-28T08:00:00Z")]
    [InlineData("2028-02-29T08:00:00Z", "P4Y", "2032-02-29T08:00:00Z")]
    [InlineData("2028-01-31T08:00:00Z", "P1M", "2028-02-29T08:00:00Z")]
    [InlineData("2027-01-31T08:00:00Z", "P1M", "2027-02-28T08:00:00Z")]
    [InlineData("2028-02-28T08:00:00Z", "P2D", "2028-03-01T08:00:00Z")]
    [InlineData("2027-02-28T08:00:00Z", "P2D", "2027-03-02T08:00:00Z")]
    [InlineData("2027-08-31T08:00:00Z", "P1M", "2027-09-30T08:00:00Z")]
    [InlineData("2027-12-31T23:00:00Z", "P1Y2M10DT2H", "2029-03-11T01:00:00Z")]
    [InlineData("2026-06-12T11:00:00+02:00", "P2Y", "2028-06-12T09:00:00Z")]
    public void After_YearsMonthsAndLeapDays_LandOnTheCalendarDate(string start, string duration, string due)
    {
        IsoDuration.TryParse(duration, out var parsed, out var error, out _).ShouldBeTrue(error);

        parsed.After(DateTimeOffset.Parse(start, System.Globalization.CultureInfo.InvariantCulture))
            .ShouldBe(DateTimeOffset.Parse(due, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Decide_ObligationWithinAYearOfALeapDay_IsDueOnTheTwentyEighthNextYear()
    {
        var outcomes = PolicyText.Outcomes.Replace("within: P14D", "within: P1Y", StringComparison.Ordinal);
        var policy = PolicyText.LoadValid(PolicyText.Build(outcomes: outcomes));
        var reported = new DateTimeOffset(2028, 2, 29, 16, 30, 0, TimeSpan.Zero);
        var medium = Standard.JgVector.Parse("JG:1.0/UN:N/RL:L/AC:H/AR:N/HD:FR/UP:2/BR:W/FD:M/EX:P/DP:I");

        var decision = policy.Decide(new Jailgrade.Policy.Decisions.DecisionRequest(medium) { Clock = new CaseClock(Reported: reported) });

        decision.Outcome.ShouldBe(Outcome.Mitigate);
        decision.Obligations.Single().Due.ShouldBe(new DateTimeOffset(2029, 2, 28, 16, 30, 0, TimeSpan.Zero));
    }

    [Fact]
    public void After_StartWithOffset_ReturnsUtc()
    {
        var start = new DateTimeOffset(2026, 6, 12, 11, 0, 0, TimeSpan.FromHours(2));

        var due = new IsoDuration(0, 0, 0, 3_600).After(start);

        due.Offset.ShouldBe(TimeSpan.Zero);
        due.ShouldBe(new DateTimeOffset(2026, 6, 12, 10, 0, 0, TimeSpan.Zero));
    }

    [Theory]
    [InlineData("P4W", "P28D")]
    [InlineData("PT90M", "PT1H30M")]
    [InlineData("PT0S", "PT0S")]
    public void ToString_WritesTheCanonicalForm(string text, string canonical)
    {
        IsoDuration.TryParse(text, out var duration, out _, out _).ShouldBeTrue();

        duration.ToString().ShouldBe(canonical);
    }

    [Theory]
    [InlineData("2026-06-12T09:00:00Z", true)]
    [InlineData("2026-06-12T11:00:00+02:00", true)]
    [InlineData("2026-06-12T09:00:00.5Z", true)]
    [InlineData("2026-06-12T09:00:00", false)]
    [InlineData("12/06/2026 09:00Z", false)]
    public void Timestamps_TryParse_NeedsAnExplicitOffset(string text, bool valid)
    {
        Timestamps.TryParse(text, out var instant).ShouldBe(valid);
        if (valid)
        {
            instant.Offset.ShouldBe(TimeSpan.Zero);
        }
    }
}
