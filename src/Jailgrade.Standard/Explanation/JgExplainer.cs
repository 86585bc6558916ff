using Jailgrade.Standard.Internal;
using Jailgrade.Standard.Scoring;

namespace Jailgrade.Standard.Explanation;

/// <summary>Explains a score: per-metric contributions and the single-metric changes that cross a band.</summary>
public static class JgExplainer
{
    /// <summary>Explains the base score of <paramref name="vector"/>.</summary>
    public static JgExplanation Explain(JgVector vector)
    {
        var score = JgScorer.Score(vector);
        var contributions = new List<MetricContribution>(JgMetrics.BaseMetricCount);
        var changes = new List<BandChange>();
        for (var i = 0; i < JgMetrics.BaseMetricCount; i++)
        {
            var metric = (Metric)i;
            var definition = JgMetrics.Get(metric);
            var index = vector[metric];
            var value = definition.Values[index];
            var zeroes = metric == Metric.CapabilityGain && index == 0;
            contributions.Add(new MetricContribution(metric, definition.Abbreviation, value.Abbreviation, value.Name,
                new Score(MetricTables.Weights[i][index] - MetricTables.Weights[i][0]), zeroes));

            for (var other = 0; other < definition.Values.Count; other++)
            {
                if (other == index)
                {
                    continue;
                }

                var tenths = JgScorer.BaseTenths(vector.With(metric, other));
                var band = Bands.Of(tenths);
                if (band != score.Band)
                {
                    var to = definition.Values[other];
                    changes.Add(new BandChange(metric, definition.Abbreviation, value.Abbreviation, to.Abbreviation, to.Name, new Score(tenths), band));
                }
            }
        }

        var cap = JgMetrics.TierCaps[(int)vector.Tier];
        Score? applied = score.Base.Tenths > 0 && score.Raw.Tenths > cap ? new Score(cap) : null;
        return new JgExplanation(score, contributions, changes, applied);
    }
}
