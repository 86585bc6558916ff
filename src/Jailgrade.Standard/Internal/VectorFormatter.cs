using System.Runtime.CompilerServices;

namespace Jailgrade.Standard.Internal;

internal static class VectorFormatter
{
    // "/UN:N", "/HD:CY", ... per metric and value: formatting is one copy per metric.
    private static readonly string[][] Components = JgMetrics.All
        .Select(m => m.Values.Select(v => $"/{m.Abbreviation}:{v.Abbreviation}").ToArray())
        .ToArray();

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool TryFormat(JgVector vector, Span<char> destination, out int written)
    {
        written = 0;
        if (destination.Length < JgVector.MaxLength && !FitsExactly(vector, destination.Length))
        {
            return false;
        }

        JgMetrics.Prefix.CopyTo(destination);
        written = JgMetrics.Prefix.Length;
        var count = vector.HasMitigationStatus ? JgMetrics.MetricCount : JgMetrics.BaseMetricCount;
        for (var i = 0; i < count; i++)
        {
            var component = Components[i][vector[(Metric)i]];
            component.CopyTo(destination[written..]);
            written += component.Length;
        }

        return true;
    }

    private static bool FitsExactly(JgVector vector, int length)
    {
        var needed = JgMetrics.Prefix.Length;
        var count = vector.HasMitigationStatus ? JgMetrics.MetricCount : JgMetrics.BaseMetricCount;
        for (var i = 0; i < count; i++)
        {
            needed += Components[i][vector[(Metric)i]].Length;
        }

        return needed <= length;
    }
}
