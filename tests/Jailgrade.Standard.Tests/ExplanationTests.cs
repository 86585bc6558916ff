using Jailgrade.Standard.Explanation;
using Jailgrade.Standard.Scoring;
using Jailgrade.Standard.Tables;
using Jailgrade.Standard.Tests.TestSupport;

namespace Jailgrade.Standard.Tests;

public class ExplanationTests
{
    private const string Government = "JG:1.0/UN:C/RL:M/AC:M/AR:N/HD:CY/UP:3/BR:S/FD:H/EX:N/DP:G";

    [Fact]
    public void Explain_Contributions_AreLogPointsOverTheLeastSevereValue()
    {
        var explanation = JgExplainer.Explain(JgVector.Parse(Government));
        var byMetric = explanation.Contributions.ToDictionary(c => c.Code, c => c.Points.Tenths);
        byMetric["UN"].ShouldBe(5);
        byMetric["HD"].ShouldBe(13, "cyber is in the catastrophic tier");
        byMetric["UP"].ShouldBe(36, "UP is measured over UP:1");
        byMetric["EX"].ShouldBe(0);
        explanation.Contributions.Sum(c => c.Points.Tenths).ShouldBe(explanation.Score.Raw.Tenths);
    }

    [Fact]
    public void Explain_Contribution_EqualsTheScoreDropWhenTheMetricFallsToItsLeastValue()
    {
        // Away from the caps and the floor, a contribution is exactly what the metric adds to the score.
        // (HD is left out: its least severe value is in the limited tier, which is capped at 3.9.)
        var vector = JgVector.Parse(Government);
        foreach (var contribution in JgExplainer.Explain(vector).Contributions.Where(c => c.Metric is not Metric.CapabilityGain and not Metric.HazardDomain))
        {
            var lowered = JgScorer.BaseTenths(vector.With(contribution.Metric, 0));
            (JgScorer.BaseTenths(vector) - lowered).ShouldBe(contribution.Points.Tenths, contribution.Code);
        }
    }

    [Fact]
    public void Explain_NoCapabilityGain_MarksUpAsZeroingTheScore()
    {
        var explanation = JgExplainer.Explain(JgVector.Parse("JG:1.0/UN:U/RL:H/AC:L/AR:N/HD:PO/UP:0/BR:W/FD:H/EX:A/DP:G"));
        explanation.Contributions.Single(c => c.Metric == Metric.CapabilityGain).ZeroesScore.ShouldBeTrue();
        explanation.BandChanges.ShouldAllBe(c => c.Metric == Metric.CapabilityGain, "only UP can lift a None vector out of None");
    }

    [Fact]
    public void Explain_BandChanges_ForTheGovernmentView_NameWhatWouldMoveIt()
    {
        var changes = JgExplainer.Explain(JgVector.Parse(Government)).BandChanges;
        changes.ShouldContain(c => c.Code == "UP" && c.To == "2" && c.NewBand == Band.Medium && c.NewScore.Tenths == 67);
        changes.ShouldContain(c => c.Code == "UN" && c.To == "U" && c.NewBand == Band.Critical);
        changes.ShouldContain(c => c.Code == "HD" && c.To == "PO" && c.NewBand == Band.Low, "the limited tier caps at 3.9");
        changes.ShouldNotContain(c => c.Code == "HD" && c.To == "BI", "another catastrophic domain scores the same");
    }

    [Fact]
    public void Explain_BandChanges_AreExactlyTheSingleMetricChangesThatCrossABand()
    {
        foreach (var vector in ScoreTable.BaseVectors().Where((_, i) => i % 997 == 0))
        {
            var explanation = JgExplainer.Explain(vector);
            var listed = explanation.BandChanges.Select(c => (c.Metric, c.To)).ToHashSet();
            for (var i = 0; i < JgMetrics.BaseMetricCount; i++)
            {
                var metric = (Metric)i;
                foreach (var (value, index) in JgMetrics.Get(metric).Values.Select((v, n) => (v, n)))
                {
                    var crosses = index != vector[metric] && Bands.Of(JgScorer.BaseTenths(vector.With(metric, index))) != explanation.Score.Band;
                    listed.Contains((metric, value.Abbreviation)).ShouldBe(crosses, $"{vector} {metric}:{value.Abbreviation}");
                }
            }
        }
    }

    [Fact]
    public void Explain_CappedVector_ReportsTheCap()
    {
        JgExplainer.Explain(JgVector.Parse(Vectors.Critical)).Cap.ShouldBe(new Score(100));
        JgExplainer.Explain(JgVector.Parse("JG:1.0/UN:U/RL:H/AC:L/AR:N/HD:FR/UP:4/BR:W/FD:H/EX:A/DP:G")).Cap.ShouldBe(new Score(89));
        JgExplainer.Explain(JgVector.Parse(Government)).Cap.ShouldBeNull();
    }
}
