using Jailgrade.Policy.Obligations;
using Jailgrade.Policy.Tables;
using YamlDotNet.RepresentationModel;

namespace Jailgrade.Policy.Internal;

/// <summary>
/// Proves a decision table over every combination of its inputs' values: each combination is decided
/// by exactly one row or by the default (complete, no overlaps), and raising any ordered input one
/// step never lowers the outcome (monotone, the default included). The tables are small (thousands
/// of cells), so the proof is exhaustive; what it builds is the compiled lookup.
/// </summary>
internal static class TableProver
{
    /// <summary>How many violations of one kind are reported before summarizing the rest.</summary>
    private const int ReportLimit = 10;

    private const short NoRow = -1;

    public static CompiledTable? Prove(IReadOnlyList<PolicyInput> inputs, IReadOnlyList<DecisionRow> rows, Outcome? defaultOutcome, YamlNode tableNode, IReadOnlyList<OutcomeSpec> outcomeSpecs, Diagnostics diagnostics)
    {
        var counts = inputs.Select(i => i.Values.Count).ToArray();
        var cellCount = counts.Aggregate(1L, (product, count) => product * count);
        if (cellCount > CompiledTable.MaxCells || rows.Count > short.MaxValue)
        {
            diagnostics.Add(tableNode, PolicyErrorKind.BadValue, $"the table has {cellCount} input combinations and {rows.Count} rows; at most {CompiledTable.MaxCells} and {short.MaxValue}");
            return null;
        }

        var strides = CompiledTable.StridesOf(counts);
        var masks = rows.Select(row => inputs.Select(input => row.Conditions.TryGetValue(input.Name, out var set) ? set.Bits : ulong.MaxValue).ToArray()).ToArray();
        var cells = (int)cellCount;
        var rowOf = new short[cells];
        var cellOutcomes = new byte[cells];
        var overlaps = new Dictionary<(int First, int Second), (int Cell, int Count)>();
        var uncovered = new List<int>();
        var values = new int[inputs.Count];
        for (var cell = 0; cell < cells; cell++)
        {
            Decompose(cell, counts, values);
            rowOf[cell] = NoRow;
            for (var r = 0; r < rows.Count; r++)
            {
                if (!Matches(masks[r], values))
                {
                    continue;
                }

                if (rowOf[cell] == NoRow)
                {
                    rowOf[cell] = (short)r;
                }
                else
                {
                    var key = (rowOf[cell], r);
                    overlaps[key] = overlaps.TryGetValue(key, out var seen) ? (seen.Cell, seen.Count + 1) : (cell, 1);
                }
            }

            if (rowOf[cell] != NoRow)
            {
                cellOutcomes[cell] = (byte)rows[rowOf[cell]].Outcome;
            }
            else if (defaultOutcome is { } fallback)
            {
                cellOutcomes[cell] = (byte)fallback;
            }
            else
            {
                uncovered.Add(cell);
            }
        }

        foreach (var ((first, second), (cell, count)) in overlaps.Take(ReportLimit))
        {
            diagnostics.Add(rows[second].Position, PolicyErrorKind.Overlap,
                $"rows {rows[first].Number} (at {rows[first].Position}) and {rows[second].Number} (at {rows[second].Position}) both decide {Describe(inputs, counts, cell)}"
                + (count > 1 ? $" and {count - 1} more combinations" : "")
                + $"; each combination must be decided by exactly one row ({rows[first].Describe()}; {rows[second].Describe()})");
        }

        ReportRest(diagnostics, tableNode, PolicyErrorKind.Overlap, overlaps.Count, "pairs of overlapping rows");
        if (uncovered.Count > 0)
        {
            var examples = string.Join("; ", uncovered.Take(ReportLimit).Select(c => Describe(inputs, counts, c)));
            diagnostics.Add(tableNode, PolicyErrorKind.Incomplete,
                $"{uncovered.Count} of {cells} input combinations are decided by no row and the table has no default: {examples}{(uncovered.Count > ReportLimit ? "; …" : "")}");
        }

        if (overlaps.Count > 0 || uncovered.Count > 0)
        {
            return null;
        }

        var before = diagnostics.Errors.Count;
        ProveMonotone(inputs, rows, defaultOutcome, tableNode, counts, strides, rowOf, cellOutcomes, diagnostics);
        if (diagnostics.Errors.Count > before)
        {
            return null;
        }

        var (obligationSets, sets) = CompileObligations(inputs, outcomeSpecs, counts, cellOutcomes);
        return new CompiledTable(counts, strides, cellOutcomes, rowOf, obligationSets, sets);
    }

    private static void ProveMonotone(IReadOnlyList<PolicyInput> inputs, IReadOnlyList<DecisionRow> rows, Outcome? defaultOutcome, YamlNode tableNode, int[] counts, int[] strides, short[] rowOf, byte[] outcomes, Diagnostics diagnostics)
    {
        var values = new int[inputs.Count];
        var violations = new Dictionary<(short Lower, short Higher, int Input), (int Cell, int Count)>();
        for (var cell = 0; cell < outcomes.Length; cell++)
        {
            Decompose(cell, counts, values);
            for (var i = 0; i < inputs.Count; i++)
            {
                if (!inputs[i].Ordered || values[i] == counts[i] - 1)
                {
                    continue;
                }

                var next = cell + strides[i];
                if (outcomes[next] < outcomes[cell])
                {
                    var key = (rowOf[cell], rowOf[next], i);
                    violations[key] = violations.TryGetValue(key, out var seen) ? (seen.Cell, seen.Count + 1) : (cell, 1);
                }
            }
        }

        foreach (var ((lower, higher, input), (cell, count)) in violations.Take(ReportLimit))
        {
            var raised = Describe(inputs, counts, cell + strides[input]);
            var raisedValue = inputs[input].Values[Decompose(cell, counts, values)[input] + 1];
            var position = higher == NoRow ? Diagnostics.PositionOf(tableNode) : rows[higher].Position;
            diagnostics.Add(position, PolicyErrorKind.NotMonotone,
                $"not monotone in '{inputs[input].Name}': {Describe(inputs, counts, cell)} gives {(Outcome)outcomes[cell]} ({Decider(rows, lower, defaultOutcome)}), "
                + $"but raising {inputs[input].Name} to {raisedValue} ({raised}) gives the lower {(Outcome)outcomes[cell + strides[input]]} ({Decider(rows, higher, defaultOutcome)})"
                + (count > 1 ? $"; {count - 1} more combinations break the same way" : ""));
        }

        ReportRest(diagnostics, tableNode, PolicyErrorKind.NotMonotone, violations.Count, "monotonicity violations between other rows");
    }

    /// <summary>For each cell, the obligations of its outcome whose conditions hold there, deduplicated into shared sets.</summary>
    private static (int[] CellSets, ObligationSpec[][] Sets) CompileObligations(IReadOnlyList<PolicyInput> inputs, IReadOnlyList<OutcomeSpec> outcomeSpecs, int[] counts, byte[] outcomes)
    {
        var cellSets = new int[outcomes.Length];
        var sets = new List<ObligationSpec[]>();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var values = new int[inputs.Count];
        var conditioned = outcomeSpecs.Select(spec => spec.Obligations
            .Select(o => inputs.Select(input => o.When.TryGetValue(input.Name, out var set) ? set.Bits : ulong.MaxValue).ToArray())
            .ToArray()).ToArray();
        for (var cell = 0; cell < outcomes.Length; cell++)
        {
            Decompose(cell, counts, values);
            var outcome = outcomes[cell];
            var chosen = new List<int>();
            for (var o = 0; o < conditioned[outcome].Length; o++)
            {
                if (Matches(conditioned[outcome][o], values))
                {
                    chosen.Add(o);
                }
            }

            var key = $"{outcome}:{string.Join(',', chosen)}";
            if (!index.TryGetValue(key, out var set))
            {
                set = sets.Count;
                index[key] = set;
                sets.Add([.. chosen.Select(o => outcomeSpecs[outcome].Obligations[o])]);
            }

            cellSets[cell] = set;
        }

        return (cellSets, [.. sets]);
    }

    private static bool Matches(ulong[] masks, int[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            if ((masks[i] & (1UL << values[i])) == 0)
            {
                return false;
            }
        }

        return true;
    }

    private static int[] Decompose(int cell, int[] counts, int[] values)
    {
        for (var i = counts.Length - 1; i >= 0; i--)
        {
            values[i] = cell % counts[i];
            cell /= counts[i];
        }

        return values;
    }

    private static string Describe(IReadOnlyList<PolicyInput> inputs, int[] counts, int cell)
    {
        var values = Decompose(cell, counts, new int[counts.Length]);
        return string.Join(", ", inputs.Select((input, i) => $"{input.Name}={input.Values[values[i]]}"));
    }

    private static string Decider(IReadOnlyList<DecisionRow> rows, short row, Outcome? defaultOutcome) =>
        row == -1 ? $"the default {defaultOutcome}" : $"row {rows[row].Number} at {rows[row].Position}";

    private static void ReportRest(Diagnostics diagnostics, YamlNode tableNode, PolicyErrorKind kind, int total, string what)
    {
        if (total > ReportLimit)
        {
            diagnostics.Add(tableNode, kind, $"{total - ReportLimit} more {what} not shown");
        }
    }
}
