using Jailgrade.Standard.Probabilities;
using Jailgrade.Standard.Scoring;

namespace Jailgrade.Standard.Tests;

public class BandProbabilityTests
{
    private static readonly JgVector Government = JgVector.Parse("JG:1.0/UN:C/RL:M/AC:M/AR:N/HD:CY/UP:3/BR:S/FD:H/EX:N/DP:G");

    [Fact]
    public void FromSamples_WeightsEachSampleBandByItsWeight()
    {
        var critical = Government.With(Metric.Universality, 2);
        var medium = Government.With(Metric.CapabilityGain, 2);
        var distribution = BandProbabilities.FromSamples([(Government, 2), (critical, 1), (medium, 1)]);
        distribution[Band.High].ShouldBe(0.5);
        distribution[Band.Critical].ShouldBe(0.25);
        distribution[Band.Medium].ShouldBe(0.25);
        distribution.AtLeast(Band.High).ShouldBe(0.75);
        distribution.AtLeast(Band.None).ShouldBe(1.0, 1e-12);
    }

    [Fact]
    public void FromIndependent_EqualsTheWeightedJointOfEveryCombination()
    {
        var reliability = new[] { 0.1, 0.6, 0.3 };
        var gain = new[] { 0.0, 0.2, 0.3, 0.4, 0.1 };
        var independent = BandProbabilities.FromIndependent(Government, new Dictionary<Metric, IReadOnlyList<double>>
        {
            [Metric.Reliability] = reliability,
            [Metric.CapabilityGain] = gain,
        });
        var joint = BandProbabilities.FromSamples(
            from r in Enumerable.Range(0, 3)
            from u in Enumerable.Range(0, 5)
            select (Government.With(Metric.Reliability, r).With(Metric.CapabilityGain, u), reliability[r] * gain[u]));
        for (var band = Band.None; band <= Band.Critical; band++)
        {
            independent[band].ShouldBe(joint[band], 1e-12, band.ToString());
        }
    }

    [Fact]
    public void FromIndependent_NormalizesEachDistribution()
    {
        var distribution = BandProbabilities.FromIndependent(Government, new Dictionary<Metric, IReadOnlyList<double>>
        {
            [Metric.CapabilityGain] = [0, 0, 2, 2, 0],
        });
        distribution[Band.Medium].ShouldBe(0.5, 1e-12);
        distribution[Band.High].ShouldBe(0.5, 1e-12);
    }

    [Fact]
    public void HighestWithConfidence_IsTheHighestBandWhoseUpperTailReachesTheConfidence()
    {
        var distribution = BandProbabilities.FromSamples([(Government, 0.7), (Government.With(Metric.Universality, 2), 0.2), (Government.With(Metric.CapabilityGain, 2), 0.1)]);
        distribution.HighestWithConfidence(0.9).ShouldBe(Band.High);
        distribution.HighestWithConfidence(0.2).ShouldBe(Band.Critical);
        distribution.HighestWithConfidence(1.0).ShouldBe(Band.Medium);
        distribution.MostLikely.ShouldBe(Band.High);
    }

    [Fact]
    public void FromSamples_NoWeight_IsRejectedWithAReason()
    {
        Should.Throw<ArgumentException>(() => BandProbabilities.FromSamples([])).Message.ShouldContain("no weight");
        Should.Throw<ArgumentException>(() => BandProbabilities.FromSamples([(Government, double.NaN)]));
        Should.Throw<ArgumentException>(() => BandProbabilities.FromSamples([(Government, -1)]));
    }

    [Fact]
    public void FromIndependent_WrongValueCount_IsRejected() =>
        Should.Throw<ArgumentException>(() => BandProbabilities.FromIndependent(Government,
            new Dictionary<Metric, IReadOnlyList<double>> { [Metric.Reliability] = [0.5, 0.5] })).Message.ShouldContain("RL has 3 values");
}
