namespace Jailgrade.Standard.Internal;

/// <summary>Flat arrays derived once from <see cref="JgMetrics.All"/> for the parse and score hot paths.</summary>
internal static class MetricTables
{
    public static readonly int[] ValueCounts = JgMetrics.All.Select(m => m.Values.Count).ToArray();

    /// <summary>Value codes per metric, as char arrays for allocation-free comparison.</summary>
    public static readonly char[][][] ValueCodes =
        JgMetrics.All.Select(m => m.Values.Select(v => v.Abbreviation.ToCharArray()).ToArray()).ToArray();

    public static readonly string[] MetricCodes = JgMetrics.All.Select(m => m.Abbreviation).ToArray();

    /// <summary>Weight in tenths per metric and value; HD's is its tier weight; UP:0 is 0 (it zeroes instead).</summary>
    public static readonly int[][] Weights = JgMetrics.All
        .Select(m => m.Values.Select(v => v.Tier is { } tier ? JgMetrics.TierWeights[(int)tier] : v.Weight ?? 0).ToArray())
        .ToArray();

    public static readonly HazardTier[] TierOfDomain =
        JgMetrics.Get(Metric.HazardDomain).Values.Select(v => v.Tier!.Value).ToArray();

    public static readonly int CyberIndex = JgMetrics.Get(Metric.HazardDomain).IndexOf("CY");

    public static readonly int MitigationNoneIndex = JgMetrics.Get(Metric.MitigationStatus).IndexOf("N");

    public static readonly int MitigationUndefinedIndex = JgMetrics.Get(Metric.MitigationStatus).IndexOf("X");

    /// <summary>The metric index for a code, or -1. Codes are two upper-case letters.</summary>
    public static int MetricIndex(ReadOnlySpan<char> code)
    {
        if (code.Length != 2)
        {
            return -1;
        }

        for (var i = 0; i < MetricCodes.Length; i++)
        {
            var known = MetricCodes[i];
            if (known[0] == code[0] && known[1] == code[1])
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The value index of a code for a metric, or -1.</summary>
    public static int ValueIndex(int metric, ReadOnlySpan<char> code)
    {
        if (code.Length == 1)
        {
            var c = code[0];
            return c < 128 ? SingleCharIndex[metric][c] : -1;
        }

        if (code.Length == 2 && code[0] is >= 'A' and <= 'Z' && code[1] is >= 'A' and <= 'Z')
        {
            return TwoLetterIndex[metric][((code[0] - 'A') * 26) + (code[1] - 'A')];
        }

        return -1;
    }

    // Lookup tables so that matching a value is one array read: ASCII code -> index, and for
    // two-letter codes (hazard domains) (first - 'A') * 26 + (second - 'A') -> index; -1 when unknown.
    private static readonly sbyte[][] SingleCharIndex = ValueCodes.Select(codes => BuildIndex(128, codes, c => c.Length == 1 ? c[0] : -1)).ToArray();

    private static readonly sbyte[][] TwoLetterIndex = ValueCodes.Select(codes =>
        BuildIndex(26 * 26, codes, c => c.Length == 2 && c[0] is >= 'A' and <= 'Z' && c[1] is >= 'A' and <= 'Z' ? ((c[0] - 'A') * 26) + (c[1] - 'A') : -1)).ToArray();

    private static sbyte[] BuildIndex(int size, char[][] codes, Func<char[], int> slot)
    {
        var table = new sbyte[size];
        Array.Fill(table, (sbyte)-1);
        for (var i = 0; i < codes.Length; i++)
        {
            if (slot(codes[i]) is var at and >= 0)
            {
                table[at] = (sbyte)i;
            }
        }

        return table;
    }
}
