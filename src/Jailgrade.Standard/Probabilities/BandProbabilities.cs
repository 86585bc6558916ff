using Jailgrade.Standard.Internal;
using Jailgrade.Standard.Scoring;

namespace Jailgrade.Standard.Probabilities;

/// <summary>Band probabilities from uncertain metrics.</summary>
public static class BandProbabilities
{
    /// <summary>
    /// From weighted joint samples of vectors, as resampling evidence produces them (each bootstrap
    /// draw gives one vector). Weights must be finite and non-negative with a positive total.
    /// </summary>
    public static BandDistribution FromSamples(IEnumerable<(JgVector Vector, double Weight)> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        var totals = new double[Bands.All.Count];
        var total = 0.0;
        foreach (var (vector, weight) in samples)
        {
            if (!double.IsFinite(weight) || weight < 0)
            {
                throw new ArgumentException($"Sample weight {weight} is not a finite non-negative number.", nameof(samples));
            }

            totals[(int)Bands.Of(JgScorer.BaseTenths(vector))] += weight;
            total += weight;
        }

        if (total <= 0)
        {
            throw new ArgumentException("The samples have no weight: at least one sample with a positive weight is needed.", nameof(samples));
        }

        return Normalize(totals, total);
    }

    /// <summary>
    /// From independent per-metric distributions: each listed metric takes value i with probability
    /// <c>distributions[metric][i]</c> (values least severe first; each list is normalized), the other
    /// metrics keep their value in <paramref name="vector"/>. Computed exactly by enumerating every
    /// combination with a non-zero probability.
    /// </summary>
    public static BandDistribution FromIndependent(JgVector vector, IReadOnlyDictionary<Metric, IReadOnlyList<double>> distributions)
    {
        ArgumentNullException.ThrowIfNull(distributions);
        var metrics = new List<(Metric Metric, double[] Probabilities)>();
        foreach (var (metric, probabilities) in distributions.OrderBy(d => d.Key))
        {
            if (metric == Metric.MitigationStatus)
            {
                throw new ArgumentException("MS does not change the base band; give distributions for base metrics only.", nameof(distributions));
            }

            var count = MetricTables.ValueCounts[(int)metric];
            if (probabilities.Count != count)
            {
                throw new ArgumentException($"{JgMetrics.Get(metric).Abbreviation} has {count} values but {probabilities.Count} probabilities were given.", nameof(distributions));
            }

            var sum = 0.0;
            foreach (var p in probabilities)
            {
                if (!double.IsFinite(p) || p < 0)
                {
                    throw new ArgumentException($"Probability {p} for {JgMetrics.Get(metric).Abbreviation} is not a finite non-negative number.", nameof(distributions));
                }

                sum += p;
            }

            if (sum <= 0)
            {
                throw new ArgumentException($"The probabilities for {JgMetrics.Get(metric).Abbreviation} sum to zero.", nameof(distributions));
            }

            metrics.Add((metric, probabilities.Select(p => p / sum).ToArray()));
        }

        var totals = new double[Bands.All.Count];
        Enumerate(vector, metrics, 0, 1.0, totals);
        return Normalize(totals, totals.Sum());
    }

    private static void Enumerate(JgVector vector, List<(Metric Metric, double[] Probabilities)> metrics, int depth, double probability, double[] totals)
    {
        if (depth == metrics.Count)
        {
            totals[(int)Bands.Of(JgScorer.BaseTenths(vector))] += probability;
            return;
        }

        var (metric, probabilities) = metrics[depth];
        for (var i = 0; i < probabilities.Length; i++)
        {
            if (probabilities[i] > 0)
            {
                Enumerate(vector.With(metric, i), metrics, depth + 1, probability * probabilities[i], totals);
            }
        }
    }

    private static BandDistribution Normalize(double[] totals, double total)
    {
        for (var i = 0; i < totals.Length; i++)
        {
            totals[i] /= total;
        }

        return new BandDistribution(totals);
    }
}
