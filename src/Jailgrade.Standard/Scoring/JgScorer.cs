using System.Runtime.CompilerServices;
using Jailgrade.Standard.Internal;

namespace Jailgrade.Standard.Scoring;

/// <summary>
/// The JG 1.0 scoring formula (docs/standard/jg-1.0.md, "Scoring"). Integer arithmetic in tenths:
/// <list type="number">
/// <item>raw = the sum of every base metric's weight (HD by its tier), in tenths;</item>
/// <item>UP:0 gives 0.0, whatever else holds;</item>
/// <item>otherwise base = max(1, min(raw, cap of the tier));</item>
/// <item>current = UP:0 ? 0 : max(1, base + weight of MS) when MS is given.</item>
/// </list>
/// Pure and allocation-free.
/// </summary>
public static class JgScorer
{
    private static readonly int[][] Weights = MetricTables.Weights;
    private static readonly int[] Caps = [.. JgMetrics.TierCaps];

    /// <summary>Scores a vector.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static JgScore Score(JgVector vector)
    {
        var bypass = Weight(vector, Metric.Universality) + Weight(vector, Metric.Reliability)
            + Weight(vector, Metric.AttackComplexity) + Weight(vector, Metric.AccessRequired);
        var exposesNothing = vector[Metric.CapabilityGain] == 0;
        var capability = exposesNothing
            ? 0
            : Weight(vector, Metric.HazardDomain) + Weight(vector, Metric.CapabilityGain)
                + Weight(vector, Metric.Breadth) + Weight(vector, Metric.Fidelity);
        var impact = Weight(vector, Metric.Exploitation) + Weight(vector, Metric.DeploymentExposure);

        // The sub-scores explain the score; the score itself comes from the one formula below.
        var baseTenths = BaseTenths(vector);
        Score? current = vector.HasMitigationStatus ? new Score(Current(baseTenths, vector)) : null;
        return new JgScore(vector, new Score(baseTenths), new Score(bypass), new Score(capability), new Score(impact), current);
    }

    /// <summary>The base score in tenths: the formula itself, and the hot path for tables and bulk scoring.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int BaseTenths(JgVector vector)
    {
        if (vector[Metric.CapabilityGain] == 0)
        {
            return 0;
        }

        var raw = 0;
        for (var i = 0; i < JgMetrics.BaseMetricCount; i++)
        {
            raw += Weights[i][vector[(Metric)i]];
        }

        return Math.Max(1, Math.Min(raw, Caps[(int)vector.Tier]));
    }

    /// <summary>Scores a vector given as text; see <see cref="JgVector.TryParse"/> for the errors.</summary>
    public static bool TryScore(ReadOnlySpan<char> text, out JgScore score, out VectorError error)
    {
        if (JgVector.TryParse(text, out var vector, out error))
        {
            score = Score(vector);
            return true;
        }

        score = default;
        return false;
    }

    private static int Current(int baseTenths, JgVector vector) =>
        baseTenths == 0 ? 0 : Math.Max(1, baseTenths + Weight(vector, Metric.MitigationStatus));

    private static int Weight(JgVector vector, Metric metric) => Weights[(int)metric][vector[metric]];
}
