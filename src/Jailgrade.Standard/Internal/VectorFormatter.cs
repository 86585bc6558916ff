namespace Jailgrade.Standard.Internal;

internal static class VectorFormatter
{
    public static bool TryFormat(JgVector vector, Span<char> destination, out int written)
    {
        written = 0;
        if (!Append(destination, ref written, JgMetrics.Prefix))
        {
            return false;
        }

        var count = vector.HasMitigationStatus ? JgMetrics.MetricCount : JgMetrics.BaseMetricCount;
        for (var i = 0; i < count; i++)
        {
            var metric = (Metric)i;
            if (!Append(destination, ref written, "/")
                || !Append(destination, ref written, MetricTables.MetricCodes[i])
                || !Append(destination, ref written, ":")
                || !Append(destination, ref written, MetricTables.ValueCodes[i][vector[metric]]))
            {
                return false;
            }
        }

        return true;
    }

    private static bool Append(Span<char> destination, ref int written, ReadOnlySpan<char> text)
    {
        if (!text.TryCopyTo(destination[written..]))
        {
            return false;
        }

        written += text.Length;
        return true;
    }
}
