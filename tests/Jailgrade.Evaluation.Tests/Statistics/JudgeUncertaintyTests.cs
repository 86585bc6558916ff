using FsCheck;
using FsCheck.Fluent;
using Jailgrade.Evaluation.Internal;
using Jailgrade.Evaluation.Judges;
using Jailgrade.Evaluation.Statistics;
using Jailgrade.Evaluation.Storage;

namespace Jailgrade.Evaluation.Tests.Statistics;

public class JudgeUncertaintyTests
{
    [Theory]
    [InlineData(29, 13)]
    [InlineData(37, 5)]
    [InlineData(2, 1)]
    public void BetaSampler_MeanAndVariance_AreThoseOfTheBeta(int a, int b)
    {
        var random = new SeededRandom(11);
        var draws = Enumerable.Range(0, 200_000).Select(_ => BetaSampler.Next(random, a, b)).ToArray();
        var mean = draws.Average();
        var variance = draws.Select(x => (x - mean) * (x - mean)).Average();
        double n = a + b;

        mean.ShouldBe(a / n, 0.002);
        variance.ShouldBe(a * b / (n * n * (n + 1)), 0.05 * a * b / (n * n * (n + 1)));
    }

    [Fact]
    public void ForCorrectedRate_SameInputsAndSeed_SameInterval_AnotherSeed_Another()
    {
        var requests = Enumerable.Range(0, 30).Select(i => new RequestOutcome(i % 3 == 0 ? 2 : (i % 3) - 1, 2)).ToList();
        var calibration = new JudgeCalibration(new ConfusionCounts(40, 5, 30, 10));
        var uncorrected = Intervals.ForRate(requests, 1);

        var first = Intervals.ForCorrectedRate(requests, uncorrected, calibration, 42);
        Intervals.ForCorrectedRate(requests, uncorrected, calibration, 42).ShouldBe(first);
        Intervals.ForCorrectedRate(requests, uncorrected, calibration, 43).ShouldNotBe(first);
    }

    [Fact]
    public void ForCorrectedRate_AlwaysHoldsTheUncorrectedIntervalCorrectedAtThePointSeAndSp()
    {
        // Counts so large that Se* and Sp* barely move: the percentile interval alone would then be the
        // bootstrap's, narrower than Wilson for one attempt per request, and the floor must hold it.
        var calibration = new JudgeCalibration(new ConfusionCounts(900_000, 100_000, 800_000, 200_000));
        Prop.ForAll(Gen.Choose(5, 60).SelectMany(n => Gen.Choose(0, n).Select(k => (k, n))).ToArbitrary(), t =>
        {
            var requests = Enumerable.Range(0, t.n).Select(i => new RequestOutcome(i < t.k ? 1 : 0, 1)).ToList();
            var uncorrected = Intervals.ForRate(requests, 5);
            var floor = calibration.Correct(uncorrected);
            var corrected = Intervals.ForCorrectedRate(requests, uncorrected, calibration, 5, draws: 500).Ci95;
            return corrected.Low <= floor.Low && corrected.High >= floor.High;
        }).Verify();
    }

    [Fact]
    public void ForCorrectedRate_WithoutCounts_IsTheCorrectedIntervalAndDiscardsNothing()
    {
        var requests = Enumerable.Range(0, 20).Select(i => new RequestOutcome(i < 8 ? 1 : 0, 1)).ToList();
        var calibration = new JudgeCalibration(0.9, 0.8);
        var uncorrected = Intervals.ForRate(requests, 1);

        Intervals.ForCorrectedRate(requests, uncorrected, calibration, 1).ShouldBe(new CorrectedInterval(calibration.Correct(uncorrected), 0));
    }

    [Fact]
    public void ForCorrectedRate_JudgeAlmostNeverBetterThanChance_GivesUpWithZeroToOne()
    {
        // Se = 1/1 but Sp = 1/100: Se* + Sp* > 1 in only a few percent of draws.
        var requests = Enumerable.Range(0, 10).Select(i => new RequestOutcome(i < 5 ? 1 : 0, 1)).ToList();
        var calibration = new JudgeCalibration(new ConfusionCounts(1, 0, 1, 99));

        var corrected = Intervals.ForCorrectedRate(requests, Intervals.ForRate(requests, 1), calibration, 1, draws: 200);

        corrected.Ci95.ShouldBe(new Jailgrade.Evaluation.Statistics.Interval(0, 1));
        corrected.DiscardedShare.ShouldBeGreaterThan(0.9);
        corrected.TooManyDiscarded.ShouldBeTrue();
    }

    [Theory]
    [InlineData(20, 20, true)]
    [InlineData(19, 20, false)]
    [InlineData(20, 19, false)]
    public void For_DomainCounts_CorrectOnlyWithTwentyLabelsOfEachKind(int jailbroken, int refused, bool own)
    {
        var domain = new ConfusionCounts(jailbroken - 2, 2, refused - 1, 1);
        var pooled = new JudgeCalibration(new ConfusionCounts(100, 20, 70, 30))
        {
            Domains = new Dictionary<string, ConfusionCounts> { ["CY"] = domain },
        };

        pooled.For("CY").Counts.ShouldBe(own ? domain : pooled.Counts);
        pooled.For("FR").ShouldBeSameAs(pooled);
    }

    [Fact]
    public void CorrectedAtLeast_WithCounts_DecidesTheBoundaryExactly()
    {
        // Se = Sp = 9/10 and p = 1/2 give p' = 1/2 exactly; in doubles it is 0.4999999999999999.
        var calibration = new JudgeCalibration(new ConfusionCounts(9, 1, 9, 1));

        calibration.CorrectedAtLeast(50, 100, 0.5m).ShouldBeTrue();
        calibration.CorrectedAtLeast(49, 100, 0.5m).ShouldBeFalse();
        // Sp = 9/10, Se = 9/10: p' = 1/10 at p = 0.18.
        calibration.CorrectedAtLeast(18, 100, 0.1m).ShouldBeTrue();
        calibration.CorrectedAtLeast(17, 100, 0.1m).ShouldBeFalse();
    }

    [Fact]
    public void CorrectedAtLeast_CountsNoBetterThanChance_IsAnError()
    {
        Should.Throw<InvalidOperationException>(() => new JudgeCalibration(new ConfusionCounts(5, 5, 5, 5)).CorrectedAtLeast(1, 2, 0.5m));
    }

    [Fact]
    public void Uncovered_ListsTargetsWhoseModelTheLabelsDidNotCover()
    {
        var calibration = new JudgeCalibration(new ConfusionCounts(9, 1, 8, 2)) { Models = ["llama-2-7b-chat-hf", "vicuna-13b-v1.5"] };

        calibration.Uncovered([("a", "llama-2-7b-chat-hf"), ("b", "gpt-4o"), ("c", "Vicuna-13b-v1.5")]).ShouldBe(["b", "c"]);
    }

    [Fact]
    public void SuccessRates_DomainWithEnoughLabels_IsCorrectedByItsOwnCounts_OverallByThePooled()
    {
        var results = Enumerable.Range(0, 40).Select(i => new ResultRecord
        {
            Target = "t", Attack = "a", Probe = $"p{i:D2}", Sample = 0, Domain = i < 20 ? "CY" : "FR", Category = "c", Task = $"k{i}",
            Verdict = Jailgrade.Evaluation.Judges.Verdict.Rated, Refused = i % 2 == 0, Success = i % 2 == 1,
        }).ToList();
        var cy = new ConfusionCounts(19, 1, 18, 2);
        var calibration = new JudgeCalibration(new ConfusionCounts(80, 20, 60, 40)) { Domains = new Dictionary<string, ConfusionCounts> { ["CY"] = cy } };

        var cells = SuccessRates.Compute(results, 9, calibration).Cells.ToDictionary(c => c.Category);

        cells["CY"].CorrectedAsr!.Value.ShouldBe(new JudgeCalibration(cy).Correct(0.5), 1e-12);
        cells["FR"].CorrectedAsr!.Value.ShouldBe(calibration.Correct(0.5), 1e-12);
        cells[SuccessRates.Overall].CorrectedAsr!.Value.ShouldBe(calibration.Correct(0.5), 1e-12);
        cells["CY"].DiscardedShare.ShouldNotBeNull();
        // With a calibration the bootstrap is used even at one attempt per request: not the corrected Wilson interval.
        cells["FR"].CorrectedCi95.ShouldNotBe(calibration.Correct(cells["FR"].Ci95));
    }
}
