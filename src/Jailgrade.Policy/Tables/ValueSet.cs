namespace Jailgrade.Policy.Tables;

/// <summary>
/// The values of one input that a row or condition matches, as a bit set over the input's value
/// indices (inputs have at most 64 values).
/// </summary>
public readonly record struct ValueSet(ulong Bits)
{
    /// <summary>The most values an input may declare.</summary>
    public const int MaxValues = 64;

    /// <summary>Every value of an input with <paramref name="count"/> values.</summary>
    public static ValueSet All(int count) => new(count >= MaxValues ? ulong.MaxValue : (1UL << count) - 1);

    /// <summary>One value.</summary>
    public static ValueSet Of(int index) => new(1UL << index);

    /// <summary>Values <paramref name="low"/> to <paramref name="high"/>, inclusive.</summary>
    public static ValueSet Range(int low, int high) => new(All(high + 1).Bits & ~All(low).Bits);

    /// <summary>Whether the value at <paramref name="index"/> is in the set.</summary>
    public bool Contains(int index) => (Bits & (1UL << index)) != 0;

    /// <summary>The union of two sets.</summary>
    public ValueSet Union(ValueSet other) => new(Bits | other.Bits);
}
