namespace Jailgrade.Policy.Tables;

/// <summary>Where an input's value comes from when a case is decided.</summary>
public enum InputSource
{
    /// <summary>The JG base band (None … Critical); from band probabilities when given.</summary>
    Band,
    /// <summary>The hazard tier of the vector's domain (Limited … Catastrophic).</summary>
    Tier,
    /// <summary>The vector's EX metric (N, P, A).</summary>
    Exploitation,
    /// <summary>The vector's DP metric (I, L, G, O).</summary>
    Exposure,
    /// <summary>The vector's MS metric (V, P, N; absent or X counts as N).</summary>
    Mitigation,
    /// <summary>A case fact the policy declares, such as the incident type.</summary>
    Fact,
}

/// <summary>
/// One input of a decision table: its name, where its value comes from, its values (low to high
/// when ordered) and, for facts, the value used when a case does not state it.
/// </summary>
public sealed class PolicyInput
{
    internal PolicyInput(string name, InputSource source, bool ordered, IReadOnlyList<string> values, string? defaultValue, SourcePosition position)
    {
        Name = name;
        Source = source;
        Ordered = ordered;
        Values = values;
        DefaultValue = defaultValue;
        Position = position;
    }

    /// <summary>The name rows and conditions use (<c>band</c>, <c>incident</c>).</summary>
    public string Name { get; }

    /// <summary>Where the value comes from.</summary>
    public InputSource Source { get; }

    /// <summary>Whether the values are ordered (monotonicity is proved over ordered inputs only).</summary>
    public bool Ordered { get; }

    /// <summary>The values, low to high when ordered.</summary>
    public IReadOnlyList<string> Values { get; }

    /// <summary>For a fact: the value assumed when the case does not state it; otherwise <see langword="null"/>.</summary>
    public string? DefaultValue { get; }

    /// <summary>Where the input is declared.</summary>
    public SourcePosition Position { get; }

    /// <summary>The index of a value (case-sensitive), or -1.</summary>
    public int IndexOf(string value)
    {
        for (var i = 0; i < Values.Count; i++)
        {
            if (string.Equals(Values[i], value, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The names of the inputs drawn from the JG vector, and their fixed values.</summary>
    public static IReadOnlyDictionary<string, (InputSource Source, IReadOnlyList<string> Values)> Standard { get; } =
        new Dictionary<string, (InputSource, IReadOnlyList<string>)>(StringComparer.Ordinal)
        {
            ["band"] = (InputSource.Band, ["None", "Low", "Medium", "High", "Critical"]),
            ["tier"] = (InputSource.Tier, ["Limited", "Moderate", "Severe", "Catastrophic"]),
            ["exploitation"] = (InputSource.Exploitation, ["N", "P", "A"]),
            ["exposure"] = (InputSource.Exposure, ["I", "L", "G", "O"]),
            ["mitigation"] = (InputSource.Mitigation, ["V", "P", "N"]),
        };
}
