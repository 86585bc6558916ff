using System.Globalization;
using System.Text.Json;
using Jailgrade.Standard.Scoring;

namespace Jailgrade.Standard.Probabilities;

/// <summary>
/// A probability for each band (they sum to 1), so that a grade is never stated as more certain than
/// its evidence: "P(High or above) = 0.83". <see cref="BandProbabilities"/> computes one from
/// uncertain metrics; <see cref="TryCreate"/> and <see cref="TryParseJson"/> take one as given (in a
/// policy example or a decision request).
/// </summary>
public sealed class BandDistribution
{
    /// <summary>
    /// How far given probabilities may sum from 1, and a tail may fall short of a confidence (rounding
    /// in files, and P = 0.9 computed as 0.8999999999 still meets q = 0.9).
    /// </summary>
    public const double Tolerance = 1e-6;

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
            if (AtLeast(band) >= confidence - Tolerance)
            {
                return band;
            }
        }

        return Band.None;
    }

    /// <summary>
    /// Builds the distribution from given per-band probabilities; bands not given are 0. Each must lie
    /// in [0, 1] and together they must sum to 1 (within <see cref="Tolerance"/>).
    /// </summary>
    public static bool TryCreate(IEnumerable<KeyValuePair<Band, double>> probabilities, out BandDistribution? result, out string error)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        var values = new double[Bands.All.Count];
        foreach (var (band, probability) in probabilities)
        {
            if (!double.IsFinite(probability) || probability < 0 || probability > 1)
            {
                result = null;
                error = $"P({band}) = {probability.ToString(CultureInfo.InvariantCulture)} is not a probability between 0 and 1";
                return false;
            }

            values[(int)band] += probability;
        }

        var total = values.Sum();
        if (Math.Abs(total - 1) > Tolerance)
        {
            result = null;
            error = $"band probabilities sum to {total.ToString("0.######", CultureInfo.InvariantCulture)}, not 1";
            return false;
        }

        result = new BandDistribution(values);
        error = "";
        return true;
    }

    /// <summary>Parses a JSON object of band names to probabilities: <c>{"High": 0.6, "Critical": 0.3, "Medium": 0.1}</c>.</summary>
    public static bool TryParseJson(string json, out BandDistribution? result, out string error)
    {
        result = null;
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                error = "band probabilities must be a JSON object of band names to numbers";
                return false;
            }

            var pairs = new List<KeyValuePair<Band, double>>();
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (!Bands.TryParse(property.Name, out var band))
                {
                    error = $"'{property.Name}' is not a band (expected {string.Join(", ", Bands.All)})";
                    return false;
                }

                if (property.Value.ValueKind != JsonValueKind.Number)
                {
                    error = $"P({band}) must be a number";
                    return false;
                }

                pairs.Add(new(band, property.Value.GetDouble()));
            }

            return TryCreate(pairs, out result, out error);
        }
        catch (JsonException exception)
        {
            error = $"not valid JSON: {exception.Message}";
            return false;
        }
    }

    /// <summary><c>None 0.00 · Low 0.10 · …</c></summary>
    public override string ToString() =>
        string.Join(" · ", Bands.All.Select(b => $"{b} {this[b].ToString("0.00", CultureInfo.InvariantCulture)}"));
}
