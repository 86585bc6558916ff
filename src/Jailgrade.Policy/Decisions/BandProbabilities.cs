using Jailgrade.Standard.Probabilities;
using Jailgrade.Standard.Scoring;

namespace Jailgrade.Policy.Decisions;

/// <summary>
/// The probability of each band, e.g. from resampling a campaign's evidence. A policy decides on the
/// highest band b with P(band ≥ b) ≥ q, q being the policy's stated confidence.
/// </summary>
public sealed class BandProbabilities
{
    private readonly double[] _probabilities;

    private BandProbabilities(double[] probabilities) => _probabilities = probabilities;

    /// <summary>How far the probabilities may sum from 1 (rounding in files).</summary>
    public const double Tolerance = 1e-6;

    /// <summary>The probability of one band.</summary>
    public double this[Band band] => _probabilities[(int)band];

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

    /// <summary>The highest band b with P(band ≥ b) ≥ <paramref name="confidence"/> (None when no higher band qualifies).</summary>
    public Band BandAt(double confidence)
    {
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
    /// Builds the distribution from per-band probabilities; bands not given are 0. Each must lie in
    /// [0, 1] and together they must sum to 1.
    /// </summary>
    public static bool TryCreate(IEnumerable<KeyValuePair<Band, double>> probabilities, out BandProbabilities? result, out string error)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        var values = new double[Bands.All.Count];
        foreach (var (band, probability) in probabilities)
        {
            if (!double.IsFinite(probability) || probability < 0 || probability > 1)
            {
                result = null;
                error = $"P({band}) = {probability} is not a probability between 0 and 1";
                return false;
            }

            values[(int)band] += probability;
        }

        var total = values.Sum();
        if (Math.Abs(total - 1) > Tolerance)
        {
            result = null;
            error = $"band probabilities sum to {total:0.######}, not 1";
            return false;
        }

        result = new BandProbabilities(values);
        error = "";
        return true;
    }

    /// <summary>
    /// From the standard's band distribution (what resampling a campaign's evidence gives), so an
    /// evaluation's grade can be decided on directly.
    /// </summary>
    public static BandProbabilities From(BandDistribution distribution)
    {
        ArgumentNullException.ThrowIfNull(distribution);
        return TryCreate(Bands.All.Select(b => new KeyValuePair<Band, double>(b, distribution[b])), out var result, out var error)
            ? result!
            : throw new ArgumentException(error, nameof(distribution));
    }

    /// <summary>Parses a JSON object of band names to probabilities: <c>{"High": 0.6, "Critical": 0.3, "Medium": 0.1}</c>.</summary>
    public static bool TryParseJson(string json, out BandProbabilities? result, out string error)
    {
        result = null;
        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != System.Text.Json.JsonValueKind.Object)
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

                if (property.Value.ValueKind != System.Text.Json.JsonValueKind.Number)
                {
                    error = $"P({band}) must be a number";
                    return false;
                }

                pairs.Add(new(band, property.Value.GetDouble()));
            }

            return TryCreate(pairs, out result, out error);
        }
        catch (System.Text.Json.JsonException exception)
        {
            error = $"not valid JSON: {exception.Message}";
            return false;
        }
    }

    /// <summary><c>None 0.00 · Low 0.10 · …</c></summary>
    public override string ToString() =>
        string.Join(" · ", Bands.All.Select(b => $"{b} {this[b].ToString("0.00", System.Globalization.CultureInfo.InvariantCulture)}"));
}
