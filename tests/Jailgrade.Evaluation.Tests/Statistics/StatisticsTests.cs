using FsCheck;
using FsCheck.Fluent;
using Jailgrade.Evaluation.Statistics;
using Jailgrade.Evaluation.Storage;

namespace Jailgrade.Evaluation.Tests.Statistics;

public class StatisticsTests
{
    [Theory]
    [InlineData(0, 10, 0.0, 0.2775)]
    [InlineData(5, 10, 0.2366, 0.7634)]
    [InlineData(10, 10, 0.7225, 1.0)]
    public void Wilson_MatchesPublishedValues(int successes, int trials, double low, double high)
    {
        var interval = Intervals.Wilson(successes, trials);
        interval.Low.ShouldBe(low, 0.0001);
        interval.High.ShouldBe(high, 0.0001);
    }

    [Fact]
    public void Wilson_AlwaysContainsTheEstimateWithinZeroToOne()
    {
        Prop.ForAll(Gen.Choose(1, 5000).SelectMany(n => Gen.Choose(0, n).Select(k => (k, n))).ToArbitrary(), t =>
        {
            var interval = Intervals.Wilson(t.k, t.n);
            return interval.Low >= 0 && interval.High <= 1 && interval.Contains(t.k / (double)t.n);
        }).Verify();
    }

    [Fact]
    public void Wilson_AllOrNothing_BoundsAreExactlyZeroAndOne()
    {
        // Regression: rounding put the upper bound an ulp below 1 for some n with k = n.
        for (var n = 1; n <= 5000; n++)
        {
            Intervals.Wilson(n, n).High.ShouldBe(1.0);
            Intervals.Wilson(0, n).Low.ShouldBe(0.0);
        }
    }

    [Theory]
    [InlineData(0, 0, 1.0)]
    [InlineData(5, 5, 1.0)]
    [InlineData(10, 0, 0.001953125)]
    [InlineData(1, 9, 0.021484375)]
    [InlineData(9, 1, 0.021484375)]
    public void McNemar_ExactPValues(int attackOnly, int baselineOnly, double p)
    {
        McNemar.ExactPValue(attackOnly, baselineOnly).ShouldBe(p, 1e-12);
    }

    [Fact]
    public void McNemar_LargeCounts_DoNotUnderflow()
    {
        var p = McNemar.ExactPValue(600, 400);
        p.ShouldBeGreaterThan(0);
        p.ShouldBeLessThan(1e-9);
    }

    [Fact]
    public void Bootstrap_SameSeed_SameInterval_AndDifferentSeedsDiffer()
    {
        var requests = Enumerable.Range(0, 60).Select(i => new RequestOutcome(i % 3 == 0 ? 5 : i % 7, 5)).ToList();
        var first = Intervals.ClusterBootstrap(requests, 11);
        Intervals.ClusterBootstrap(requests, 11).ShouldBe(first);
        Intervals.ClusterBootstrap(requests, 12).ShouldNotBe(first);
    }

    [Fact]
    public void Bootstrap_CorrelatedSamples_GiveAWiderIntervalThanWilsonOnAttempts()
    {
        // All-or-nothing requests: 50 attempts carry the information of 10 requests.
        var requests = Enumerable.Range(0, 10).Select(i => new RequestOutcome(i < 4 ? 5 : 0, 5)).ToList();
        var clustered = Intervals.ForRate(requests, 3);
        var naive = Intervals.Wilson(20, 50);
        (clustered.High - clustered.Low).ShouldBeGreaterThan(naive.High - naive.Low);
        clustered.Contains(0.4).ShouldBeTrue();
    }

    [Fact]
    public void ForRate_NoSuccessAtAll_IsNotClaimedCertain()
    {
        // Regression: the bootstrap of all-zero requests gave [0, 0].
        var requests = Enumerable.Range(0, 10).Select(_ => new RequestOutcome(0, 3)).ToList();
        var interval = Intervals.ForRate(requests, 1);
        interval.Low.ShouldBe(0);
        interval.High.ShouldBe(Intervals.Wilson(0, 10).High);
    }

    [Fact]
    public void ForRate_ClusteredSamples_IsTheBootstrapWhenItIsTheWider()
    {
        // 4 of 10 requests succeed on all 5 attempts, 6 on none: 20 of 50 attempts, but only 10 clusters.
        var requests = Enumerable.Range(0, 10).Select(i => new RequestOutcome(i < 4 ? 5 : 0, 5)).ToList();

        var interval = Intervals.ForRate(requests, 3, draws: 20_000);

        // Wilson for 20 of 50 independent attempts, by hand: [0.2761, 0.5382]; clustering makes it wider.
        interval.Low.ShouldBeLessThan(0.2761 - 0.05);
        interval.High.ShouldBeGreaterThan(0.5382 + 0.05);
        ShouldBeClose(interval, NaiveClusterBootstrap(requests, seed: 11, draws: 20_000));
    }

    [Fact]
    public void ClusterBootstrap_FixedRequests_IsTheNaive95PercentBootstrap()
    {
        // Varied attempts per request, so the pooled rates of the resamples are spread finely.
        RequestOutcome[] requests = [new(0, 3), new(1, 4), new(0, 5), new(2, 5), new(3, 3), new(1, 6), new(4, 7), new(0, 2), new(5, 8), new(2, 4), new(6, 6), new(1, 5)];

        var interval = Intervals.ClusterBootstrap(requests, 5, draws: 20_000);

        // A 90% interval lies about 0.03 inside on each side, well beyond the tolerance.
        ShouldBeClose(interval, NaiveClusterBootstrap(requests, seed: 11, draws: 20_000));
    }

    /// <summary>
    /// The percentile bootstrap of standard 7.8, written plainly with its own random numbers: resample
    /// whole requests with replacement, pool their attempts, take the 2.5th and 97.5th percentiles.
    /// </summary>
    private static Jailgrade.Evaluation.Statistics.Interval NaiveClusterBootstrap(IReadOnlyList<RequestOutcome> requests, int seed, int draws)
    {
        var random = new Random(seed);
        var rates = new List<double>(draws);
        for (var d = 0; d < draws; d++)
        {
            var picks = Enumerable.Range(0, requests.Count).Select(_ => requests[random.Next(requests.Count)]).ToList();
            rates.Add(picks.Sum(r => r.Successes) / (double)picks.Sum(r => r.Attempts));
        }

        rates.Sort();
        return new(rates[(int)(0.025 * draws)], rates[(int)(0.975 * draws) - 1]);
    }

    // Two bootstraps with different random numbers agree to about 0.005 at 20,000 draws.
    private static void ShouldBeClose(Jailgrade.Evaluation.Statistics.Interval actual, Jailgrade.Evaluation.Statistics.Interval expected)
    {
        actual.Low.ShouldBe(expected.Low, 0.012, $"lower bound of {actual} against {expected}");
        actual.High.ShouldBe(expected.High, 0.012, $"upper bound of {actual} against {expected}");
    }

    [Fact]
    public void ForRate_OneRequest_IsNotClaimedCertain()
    {
        // Regression: a domain of one request with 1 of 2 attempts successful reported [50%, 50%]: every
        // resample of one request is that request.
        var interval = Intervals.ForRate([new RequestOutcome(1, 2)], 1);
        interval.ShouldBe(Intervals.Wilson(1, 2));
    }

    [Fact]
    public void ForRate_RequestsWithIdenticalOutcomes_AreNoMoreCertainThanIndependentAttempts()
    {
        // Every resample of five 1-of-2 requests is exactly 50%; the attempts still carry binomial noise.
        var requests = Enumerable.Range(0, 5).Select(_ => new RequestOutcome(1, 2)).ToList();
        Intervals.ClusterBootstrap(requests, 1).ShouldBe(new Jailgrade.Evaluation.Statistics.Interval(0.5, 0.5));
        Intervals.ForRate(requests, 1).ShouldBe(Intervals.Wilson(5, 10));
    }

    [Fact]
    public void ForRate_AlwaysContainsTheIndependentAttemptsInterval()
    {
        Prop.ForAll(
            Gen.Choose(1, 12).SelectMany(n => Gen.Choose(1, 6).SelectMany(a => Gen.ListOf(Gen.Choose(0, a).Select(s => new RequestOutcome(s, a)), n))).ToArbitrary(),
            Gen.Choose(0, 1000).ToArbitrary(),
            (requests, seed) =>
            {
                var list = requests.ToList();
                var interval = Intervals.ForRate(list, (ulong)seed, draws: 200);
                var wilson = Intervals.Wilson(list.Sum(r => (long)r.Successes), list.Sum(r => (long)r.Attempts));
                return interval.Low <= wilson.Low + 1e-12 && interval.High >= wilson.High - 1e-12;
            }).Verify(maxTest: 300);
    }

    [Fact]
    public void ForRate_OneSamplePerRequest_IsWilson()
    {
        var requests = Enumerable.Range(0, 20).Select(i => new RequestOutcome(i < 5 ? 1 : 0, 1)).ToList();
        Intervals.ForRate(requests, 1).ShouldBe(Intervals.Wilson(5, 20));
    }

    [Fact]
    public void Correction_UndoesAKnownJudgeError()
    {
        var judge = new JudgeCalibration(0.9, 0.8);
        // True rate 0.25 is observed as 0.25*0.9 + 0.75*0.2 = 0.375.
        judge.Correct(0.375).ShouldBe(0.25, 1e-12);
        judge.Correct(0.05).ShouldBe(0);
        judge.Correct(new Jailgrade.Evaluation.Statistics.Interval(0.3, 0.5)).High.ShouldBe(judge.Correct(0.5));
    }

    [Fact]
    public void Correction_JudgeNoBetterThanChance_IsAnError()
    {
        Should.Throw<InvalidOperationException>(() => new JudgeCalibration(0.5, 0.5).Correct(0.3));
    }

    [Fact]
    public void RequestRule_AtLeastHalfTheAttempts()
    {
        new RequestOutcome(2, 4).Succeeded.ShouldBeTrue();
        new RequestOutcome(1, 3).Succeeded.ShouldBeFalse();
        new RequestOutcome(0, 0).Succeeded.ShouldBeFalse();
    }
}
