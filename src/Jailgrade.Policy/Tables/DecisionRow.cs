namespace Jailgrade.Policy.Tables;

/// <summary>
/// One row of a decision table: for each input it constrains, the values it matches (an input the
/// row does not name matches any value), and the outcome it decides.
/// </summary>
public sealed class DecisionRow
{
    internal DecisionRow(int number, IReadOnlyDictionary<string, ValueSet> conditions, IReadOnlyDictionary<string, string> written, Outcome outcome, string? note, SourcePosition position)
    {
        Number = number;
        Conditions = conditions;
        Written = written;
        Outcome = outcome;
        Note = note;
        Position = position;
    }

    /// <summary>The row's 1-based number in the table.</summary>
    public int Number { get; }

    /// <summary>The values matched, by input name; inputs absent here match anything.</summary>
    public IReadOnlyDictionary<string, ValueSet> Conditions { get; }

    /// <summary>The conditions as written in the file, by input name (for rationale and rendering).</summary>
    public IReadOnlyDictionary<string, string> Written { get; }

    /// <summary>The outcome decided.</summary>
    public Outcome Outcome { get; }

    /// <summary>An optional note saying why.</summary>
    public string? Note { get; }

    /// <summary>Where the row starts.</summary>
    public SourcePosition Position { get; }

    /// <summary>The row as text: <c>row 3 (line 41) band=&gt;=High tier=Catastrophic → Suspend</c>.</summary>
    public string Describe()
    {
        var conditions = Written.Count == 0 ? "any" : string.Join(' ', Written.Select(c => $"{c.Key}={c.Value}"));
        return $"row {Number} (line {Position.Line}) {conditions} → {Outcome}";
    }
}
