using Jailgrade.Policy.Obligations;

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
    [InlineData("2026-06-12", false)]
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
