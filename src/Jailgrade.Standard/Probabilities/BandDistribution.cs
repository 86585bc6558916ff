using Jailgrade.Standard.Scoring;

namespace Jailgrade.Standard.Probabilities;

/// <summary>
/// A probability for each band (they sum to 1), so that a grade is never stated as more certain than
/// its evidence: "P(High or above) = 0.83".
/// </summary>
public sealed class BandDistribution
{
    private readonly double[] _probabilities;

    internal BandDistribution(double[] probabilities) => _probabilities = probabilities;

    /// <summary>P(band = <paramref name="band"/>).</summary>
    public double this[Band band] => _probabilities[(int)band];

    /// <summary>The probabilities in band order, None first.</summary>
    public IReadOnlyList<double> Probabilities => _probabilities;

    /// <summary>P(band ≥ <paramref name="band"/>).</summary>
    public double AtLeast(Band band)
    {
        var sum = 0.0;
        for (var i = _probabilities.Length - 1; i >= (int)band; i--)
        {
            sum += _probabilities[i];
        }

        return sum;
    }

    /// <summary>The most probable band; ties go to the higher band.</summary>
    public Band MostLikely
    {
        get
        {
            var best = 0;
            for (var i = 1; i < _probabilities.Length; i++)
            {
                if (_probabilities[i] >= _probabilities[best])
                {
                    best = i;
                }
            }

            return (Band)best;
        }
    }

    /// <summary>
    /// The highest band b with P(band ≥ b) ≥ <paramref name="confidence"/>: the band a decision taken
    /// at that confidence may rely on. None when no higher band reaches it.
    /// </summary>
    public Band HighestWithConfidence(double confidence)
    {
        if (!(confidence is > 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(confidence), confidence, "Expected a confidence in (0, 1].");
        }

        for (var band = Band.Critical; band > Band.None; band--)
        {
            // A tiny tolerance so that P = 0.9 computed as 0.8999999999 still meets q = 0.9.
            if (AtLeast(band) >= confidence - 1e-12)
            {
                return band;
            }
        }

        return Band.None;
    }
}
