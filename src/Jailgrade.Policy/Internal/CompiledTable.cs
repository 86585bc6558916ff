using Jailgrade.Policy.Obligations;
using Jailgrade.Policy.Tables;

namespace Jailgrade.Policy.Internal;

/// <summary>
/// A decision table compiled at load time into flat arrays over every combination of input values
/// (the first input varies slowest): the outcome, the row that decided it (-1 for the default) and
/// the obligations that apply. Deciding is then an index computation and three array reads.
/// </summary>
internal sealed class CompiledTable(int[] counts, int[] strides, byte[] outcomes, short[] rows, int[] obligationSets, ObligationSpec[][] sets)
{
    /// <summary>The most cells a table may have; beyond it a policy should use fewer or coarser inputs.</summary>
    public const int MaxCells = 1 << 20;

    public int[] Counts { get; } = counts;

    public int[] Strides { get; } = strides;

    public byte[] Outcomes { get; } = outcomes;

    public short[] Rows { get; } = rows;

    public int[] ObligationSets { get; } = obligationSets;

    public ObligationSpec[][] Sets { get; } = sets;

    public int CellCount => Outcomes.Length;

    public static int[] StridesOf(int[] counts)
    {
        var strides = new int[counts.Length];
        var stride = 1;
        for (var i = counts.Length - 1; i >= 0; i--)
        {
            strides[i] = stride;
            stride *= counts[i];
        }

        return strides;
    }

    /// <summary>The value indices of one cell.</summary>
    public int[] ValuesOf(int cell)
    {
        var values = new int[Counts.Length];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = cell / Strides[i] % Counts[i];
        }

        return values;
    }
}
