namespace Jailgrade.Standard;

/// <summary>One value of a metric, with its score weight in tenths of a score point.</summary>
/// <param name="Abbreviation">The case-sensitive code used in vectors (<c>H</c>, <c>CY</c>, <c>3</c>).</param>
/// <param name="Name">A short human name.</param>
/// <param name="Definition">What the value means, as the written standard states it.</param>
/// <param name="Weight">
/// Log-points in tenths of a score point that this value adds over its metric's least severe value;
/// <see langword="null"/> for <c>UP:0</c>, which zeroes the score, and for <c>HD</c>, whose weight
/// comes from its <see cref="Tier"/>.
/// </param>
/// <param name="Tier">For hazard domains, the tier the domain belongs to.</param>
public sealed record MetricValue(string Abbreviation, string Name, string Definition, int? Weight, HazardTier? Tier = null);

/// <summary>A metric of the standard: its code, criterion and values from least to most severe.</summary>
public sealed record MetricDefinition(
    Metric Metric,
    string Abbreviation,
    string Name,
    Criterion Criterion,
    bool Mandatory,
    string Definition,
    IReadOnlyList<MetricValue> Values)
{
    /// <summary>The index of a value given by its code, or -1.</summary>
    public int IndexOf(ReadOnlySpan<char> abbreviation)
    {
        for (var i = 0; i < Values.Count; i++)
        {
            if (abbreviation.SequenceEqual(Values[i].Abbreviation))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The codes of the values, comma-separated, least severe first.</summary>
    public string ValueList => string.Join(", ", Values.Select(v => v.Abbreviation));
}
