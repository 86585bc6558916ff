using Jailgrade.Evaluation.Calibration;
using Jailgrade.Evaluation.Judges;
using Jailgrade.Evaluation.Statistics;
using Jailgrade.Evaluation.Storage;

namespace Jailgrade.Evaluation.Tests.Judges;

/// <summary>
/// Calibration from a JailbreakBench-shaped artifact the project wrote (Fixtures/jbb_artifact_calibration.json):
/// 40 answers labelled jailbroken, of which four open with "I'm sorry" (keyword false negatives); 40
/// labelled refused, of which twelve dodge without a refusal phrase (keyword false positives); one entry
/// with no recorded response.
/// </summary>
public class CalibrationFromArtifactTests
{
    private static readonly string Artifact = Path.Combine(AppContext.BaseDirectory, "Fixtures", "jbb_artifact_calibration.json");

    private static Task<CalibrationResult> KeywordCalibration() =>
        JudgeCalibrator.CalibrateAsync(new RefusalKeywordJudge(), JudgeCalibrator.Read([Artifact]), default);

    [Fact]
    public async Task Calibrate_Artifact_SeAndSpEqualHandCountedValues()
    {
        var result = await KeywordCalibration();

        (result.TruePositives, result.FalseNegatives, result.TrueNegatives, result.FalsePositives).ShouldBe((36, 4, 28, 12));
        result.Sensitivity.ShouldBe(36 / 40.0, 1e-12);
        result.Specificity.ShouldBe(28 / 40.0, 1e-12);
        result.Agreement.ShouldBe(64 / 80.0, 1e-12);
        // The judge says success 48 times, the labels 40: chance agreement (48·40 + 32·40) / 6400 = 0.5, kappa (0.8 − 0.5) / 0.5.
        result.Kappa!.Value.ShouldBe(0.6, 1e-12);
    }

    [Fact]
    public async Task Calibrate_ArtifactEntryWithoutResponse_IsSkippedAndCounted_NotJudged()
    {
        var result = await KeywordCalibration();

        result.Judged.ShouldBe(80);
        result.Skipped.ShouldBe(1);
        result.Sources.ShouldHaveSingleItem().Skipped.ShouldBe(1);
    }

    [Fact]
    public async Task Calibrate_Artifact_RecordsSourceModelMethodAndTheLabelsProvenance()
    {
        var source = (await KeywordCalibration()).Sources.ShouldHaveSingleItem();

        source.Models.ShouldBe(["fictional-model-13b"]);
        source.Method.ShouldBe("GCG");
        source.AttackType.ShouldBe("white_box");
        source.Format.ShouldBe("jbb-artifacts");
        source.Provenance.ShouldBe("JailbreakBench artifact labels ('jailbroken', JailbreakBench's own judge, run through litellm, 2024-03-01)");
        source.Sha256.ShouldBe(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(Artifact))));
    }

    [Fact]
    public async Task Calibrate_SeveralFiles_PoolTheirCountsAndModels()
    {
        var copy = Path.Combine(Path.GetTempPath(), $"jg-other-{Guid.NewGuid():N}.json");
        File.WriteAllText(copy, File.ReadAllText(Artifact).Replace("fictional-model-13b", "fictional-model-70b", StringComparison.Ordinal));
        try
        {
            var result = await JudgeCalibrator.CalibrateAsync(new RefusalKeywordJudge(), JudgeCalibrator.Read([Artifact, copy]), default);

            (result.TruePositives, result.FalseNegatives, result.TrueNegatives, result.FalsePositives).ShouldBe((72, 8, 56, 24));
            result.Models.ShouldBe(["fictional-model-13b", "fictional-model-70b"]);
            result.Skipped.ShouldBe(2);
        }
        finally
        {
            File.Delete(copy);
        }
    }

    [Fact]
    public void Read_UnknownExtension_SaysWhichFormatsAreRead()
    {
        Should.Throw<Jailgrade.Evaluation.Probes.ProbeFormatException>(() => JudgeCalibrator.Read(["labels.csv"]))
            .Message.ShouldContain("expected .jsonl labels of prompt, response, label, or a .json JailbreakBench attack artifact");
    }

    /// <summary>
    /// The test: 100 one-attempt requests, 60 judged successes, corrected with the fixture's counts
    /// (Se 0.9, Sp 0.7: the corrected rate is 0.5, far enough from 0 and 1 that neither bound is clamped).
    /// The interval equals, within 0.01 on each bound, what a naive implementation written here computes
    /// over 20,000 draws with its own sampler (a Beta(a, b) with whole a, b is the a-th smallest of
    /// a + b − 1 uniforms), and it is wider than the interval corrected with Se and Sp held fixed.
    /// </summary>
    [Fact]
    public async Task CorrectedInterval_MatchesANaiveImplementation_AndIsWiderThanFixedSeSp()
    {
        var result = await KeywordCalibration();
        var calibration = new JudgeCalibration(result.Counts);
        var requests = Enumerable.Range(0, 100).Select(i => new RequestOutcome(i < 60 ? 1 : 0, 1)).ToList();
        var uncorrected = Intervals.ForRate(requests, seed: 7);

        var corrected = Intervals.ForCorrectedRate(requests, uncorrected, calibration, seed: 7, draws: 20_000);
        var naive = Naive(requests, 36, 4, 28, 12, new SplitMix(7), 20_000);
        var fixedSeSp = calibration.Correct(uncorrected);

        corrected.Ci95.Low.ShouldBe(naive.Low, 0.01);
        corrected.Ci95.High.ShouldBe(naive.High, 0.01);
        corrected.Ci95.Low.ShouldBeLessThan(fixedSeSp.Low - 0.02);
        corrected.Ci95.High.ShouldBeGreaterThan(fixedSeSp.High + 0.02);
    }

    [Fact]
    public void CorrectedInterval_WeakJudge_ReportsTheShareOfDrawsDiscarded()
    {
        // Se = 3/4, Sp = 1/2: Se* + Sp* ≤ 1 in a sizeable share of draws.
        var requests = Enumerable.Range(0, 30).Select(i => new RequestOutcome(i < 15 ? 1 : 0, 1)).ToList();
        var calibration = new JudgeCalibration(new ConfusionCounts(3, 1, 2, 2));

        var corrected = Intervals.ForCorrectedRate(requests, Intervals.ForRate(requests, 3), calibration, seed: 3, draws: 20_000);
        var random = new SplitMix(3);
        // Draws are tried until enough are kept, so the share discarded estimates P(Se* + Sp* ≤ 1) itself.
        var chance = Enumerable.Range(0, 20_000).Count(_ => Beta(4, 2, random) + Beta(3, 3, random) <= 1) / 20_000.0;

        corrected.DiscardedShare.ShouldBe(chance, 0.01);
        corrected.TooManyDiscarded.ShouldBeTrue();
    }

    private static Interval Naive(List<RequestOutcome> requests, int tp, int fn, int tn, int fp, SplitMix random, int draws)
    {
        var rates = new List<double>();
        while (rates.Count < draws)
        {
            var picks = Enumerable.Range(0, requests.Count).Select(_ => requests[random.Next(requests.Count)]).ToList();
            var p = picks.Sum(r => r.Successes) / (double)picks.Sum(r => r.Attempts);
            var se = Beta(tp + 1, fn + 1, random);
            var sp = Beta(tn + 1, fp + 1, random);
            if (se + sp > 1)
            {
                rates.Add(Math.Clamp((p + sp - 1) / (se + sp - 1), 0, 1));
            }
        }

        rates.Sort();
        double Quantile(double q)
        {
            var h = q * (rates.Count - 1);
            var i = (int)h;
            return rates[i] + ((h - i) * (rates[Math.Min(i + 1, rates.Count - 1)] - rates[i]));
        }

        // Never narrower than Wilson at the point Se and Sp.
        double seHat = tp / (double)(tp + fn), spHat = tn / (double)(tn + fp);
        var k = requests.Sum(r => r.Successes);
        var n = (double)requests.Sum(r => r.Attempts);
        const double z = 1.959963984540054;
        var phat = k / n;
        var centre = (phat + (z * z / (2 * n))) / (1 + (z * z / n));
        var half = z * Math.Sqrt((phat * (1 - phat) / n) + (z * z / (4 * n * n))) / (1 + (z * z / n));
        double Fix(double x) => Math.Clamp((x + spHat - 1) / (seHat + spHat - 1), 0, 1);
        return new Interval(Math.Min(Quantile(0.025), Fix(centre - half)), Math.Max(Quantile(0.975), Fix(centre + half)));
    }

    private static double Beta(int a, int b, SplitMix random)
    {
        var uniforms = Enumerable.Range(0, a + b - 1).Select(_ => random.NextDouble()).Order().ToArray();
        return uniforms[a - 1];
    }

    /// <summary>
    /// SplitMix64 as the naive side's uniforms. Not <see cref="Random"/>(seed): its seeded generator
    /// (Knuth's subtractive method) correlates nearby outputs enough to bias order statistics of 41 of
    /// them, moving the upper bound here by 0.003 even over 400,000 draws.
    /// </summary>
    private sealed class SplitMix(ulong state)
    {
        public double NextDouble()
        {
            var z = state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return ((z ^ (z >> 31)) >> 11) * (1.0 / (1UL << 53));
        }

        public int Next(int bound) => (int)(NextDouble() * bound);
    }
}
