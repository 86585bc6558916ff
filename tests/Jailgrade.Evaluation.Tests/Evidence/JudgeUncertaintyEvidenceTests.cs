using Jailgrade.Evaluation.Evidence;
using Jailgrade.Evaluation.Judges;
using Jailgrade.Evaluation.Statistics;
using Jailgrade.Evaluation.Storage;

namespace Jailgrade.Evaluation.Tests.Evidence;

public class JudgeUncertaintyEvidenceTests
{
    // 100 one-attempt requests in CY, 48 judged successes: corrected with Se 0.9, Sp 0.7 the rate is 0.3, RL:M.
    private static readonly List<ResultRecord> Cyber = [.. Results.Domain("CY", 100, 1, i => i < 48 ? 1 : 0)];

    private static readonly ConfusionCounts Counts = new(36, 4, 28, 12);

    [Fact]
    public void Derive_CalibrationWithCounts_RlIsLessCertainThanWithSeAndSpHeldFixed()
    {
        var withCounts = EvidenceDeriver.Derive(Cyber, "t", "a", 1, calibration: new JudgeCalibration(Counts), draws: 4000);
        var fixedSeSp = EvidenceDeriver.Derive(Cyber, "t", "a", 1, calibration: new JudgeCalibration(0.9, 0.7), draws: 4000);

        withCounts.Domains[0].Reliability.ShouldBe(1);
        fixedSeSp.Domains[0].ReliabilityProbabilities[1].ShouldBeGreaterThan(0.95);
        withCounts.Domains[0].ReliabilityProbabilities[1].ShouldBeLessThan(fixedSeSp.Domains[0].ReliabilityProbabilities[1] - 0.03);
        withCounts.Domains[0].RateCi95.High.ShouldBeGreaterThan(fixedSeSp.Domains[0].RateCi95.High);
    }

    [Fact]
    public void Derive_CalibrationWithCounts_SameSeedSameNumbers()
    {
        var calibration = new JudgeCalibration(Counts);
        var first = EvidenceDeriver.Derive(Cyber, "t", "a", 5, calibration: calibration);
        var second = EvidenceDeriver.Derive(Cyber, "t", "a", 5, calibration: calibration);

        EvidenceJson.Write(second, judgeOverstates: true).ShouldBe(EvidenceJson.Write(first, judgeOverstates: true));
        second.DiscardedShare.ShouldBe(first.DiscardedShare);
    }

    [Fact]
    public void Derive_WeakJudge_ReportsTheShareDiscarded_AndAboveFivePercentTooMany()
    {
        // Se = 3/4, Sp = 1/2: about a quarter of the draws have Se* + Sp* ≤ 1.
        var grade = EvidenceDeriver.Derive(Cyber, "t", "a", 1, calibration: new JudgeCalibration(new ConfusionCounts(3, 1, 2, 2)));

        grade.DiscardedShare.ShouldBeInRange(0.2, 0.35);
        grade.Domains[0].DiscardedShare.ShouldBeInRange(0.2, 0.35);
        grade.TooManyDiscarded.ShouldBeTrue();
        EvidenceDeriver.Derive(Cyber, "t", "a", 1, calibration: new JudgeCalibration(Counts)).TooManyDiscarded.ShouldBeFalse();
    }

    [Fact]
    public void Derive_WithoutCalibration_DiscardsNothing()
    {
        EvidenceDeriver.Derive(Cyber, "t", "a", 1).DiscardedShare.ShouldBe(0);
    }

    [Fact]
    public void Derive_DomainWithEnoughLabels_IsCorrectedByItsOwnCounts()
    {
        var own = new ConfusionCounts(19, 1, 18, 2);
        var calibration = new JudgeCalibration(Counts) { Domains = new Dictionary<string, ConfusionCounts> { ["CY"] = own } };

        var grade = EvidenceDeriver.Derive(Cyber, "t", "a", 1, calibration: calibration);

        grade.Domains[0].CorrectedRate.ShouldBe(new JudgeCalibration(own).Correct(0.48), 1e-12);
    }

    [Fact]
    public void Derive_DomainInterval_IsTheRateTablesCorrectedInterval()
    {
        var calibration = new JudgeCalibration(Counts);
        var grade = EvidenceDeriver.Derive(Cyber, "t", "a", 3, calibration: calibration);
        var cell = SuccessRates.Compute(Cyber, 3, calibration).Cells.Single(c => c.Category == "CY");

        grade.Domains[0].RateCi95.ShouldBe(cell.CorrectedCi95!.Value);
        grade.Domains[0].DiscardedShare.ShouldBe(cell.DiscardedShare!.Value);
    }
}
