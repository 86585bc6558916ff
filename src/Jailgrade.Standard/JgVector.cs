using Jailgrade.Standard.Internal;

namespace Jailgrade.Standard;

/// <summary>
/// A parsed, valid JG 1.0 vector: the value index of each base metric (least severe = 0) and the
/// optional mitigation status. A value type of eight bytes; equal vectors are equal values.
/// </summary>
public readonly struct JgVector : IEquatable<JgVector>
{
    // Four bits per metric in vector order; the MS slot holds value index + 1, 0 meaning "not given".
    private readonly ulong _packed;

    private JgVector(ulong packed) => _packed = packed;

    /// <summary>The longest normalized vector, in characters (with MS).</summary>
    public const int MaxLength = 62;

    /// <summary>The value index of a base metric, 0 being its least severe value.</summary>
    public int this[Metric metric]
    {
        get
        {
            if (metric == Metric.MitigationStatus)
            {
                // X is never stored: it normalizes to "not given", which counts as N.
                var stored = MitigationSlot;
                return stored == 0 ? MetricTables.MitigationNoneIndex : stored - 1;
            }

            return (int)((_packed >> (4 * (int)metric)) & 0xF);
        }
    }

    /// <summary>Whether the vector carries an explicit mitigation status (other than X).</summary>
    public bool HasMitigationStatus => MitigationSlot != 0;

    private int MitigationSlot => (int)((_packed >> (4 * (int)Metric.MitigationStatus)) & 0xF);

    /// <summary>The hazard tier of the vector's domain.</summary>
    public HazardTier Tier => MetricTables.TierOfDomain[this[Metric.HazardDomain]];

    /// <summary>The value of a metric as its catalog entry.</summary>
    public MetricValue ValueOf(Metric metric) => JgMetrics.Get(metric).Values[this[metric]];

    /// <summary>
    /// Builds a vector from value indices in vector order (ten base metrics, optionally MS as an
    /// eleventh). Throws <see cref="ArgumentOutOfRangeException"/> for an index out of range.
    /// </summary>
    public static JgVector FromIndices(ReadOnlySpan<int> indices)
    {
        if (indices.Length is not (JgMetrics.BaseMetricCount or JgMetrics.MetricCount))
        {
            throw new ArgumentOutOfRangeException(nameof(indices), indices.Length, "Expected 10 base metric indices, optionally followed by MS.");
        }

        var vector = default(JgVector);
        for (var i = 0; i < indices.Length; i++)
        {
            vector = vector.With((Metric)i, indices[i]);
        }

        return vector;
    }

    /// <summary>A copy with one metric set to the value at <paramref name="valueIndex"/>.</summary>
    public JgVector With(Metric metric, int valueIndex)
    {
        var count = MetricTables.ValueCounts[(int)metric];
        if ((uint)valueIndex >= (uint)count)
        {
            throw new ArgumentOutOfRangeException(nameof(valueIndex), valueIndex, $"{JgMetrics.Get(metric).Abbreviation} has {count} values.");
        }

        var stored = metric == Metric.MitigationStatus
            ? (valueIndex == MetricTables.MitigationUndefinedIndex ? 0 : valueIndex + 1)
            : valueIndex;
        var shift = 4 * (int)metric;
        return new JgVector((_packed & ~(0xFUL << shift)) | ((ulong)stored << shift));
    }

    /// <summary>Parses a vector; on failure <paramref name="error"/> says where and why. Never throws.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out JgVector vector, out VectorError error)
    {
        if (VectorParser.TryParse(text, out var packed, out error))
        {
            vector = new JgVector(packed);
            return true;
        }

        vector = default;
        return false;
    }

    /// <summary>Parses a vector or throws <see cref="FormatException"/> with the structured error's message.</summary>
    public static JgVector Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text, out var vector, out var error) ? vector : throw new FormatException(error.ToString());
    }

    /// <summary>Writes the normalized vector; returns false when <paramref name="destination"/> is too short.</summary>
    public bool TryFormat(Span<char> destination, out int written) => VectorFormatter.TryFormat(this, destination, out written);

    /// <summary>The normalized vector: fixed order, <c>MS:X</c> dropped.</summary>
    public override string ToString()
    {
        Span<char> buffer = stackalloc char[MaxLength];
        TryFormat(buffer, out var written);
        return new string(buffer[..written]);
    }

    /// <inheritdoc />
    public bool Equals(JgVector other) => _packed == other._packed;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is JgVector other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => _packed.GetHashCode();

    /// <summary>Value equality.</summary>
    public static bool operator ==(JgVector left, JgVector right) => left.Equals(right);

    /// <summary>Value inequality.</summary>
    public static bool operator !=(JgVector left, JgVector right) => !left.Equals(right);
}
