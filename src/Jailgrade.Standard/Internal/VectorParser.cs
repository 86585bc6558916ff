using System.Runtime.CompilerServices;
namespace Jailgrade.Standard.Internal;

/// <summary>
/// The JG 1.0 grammar, hand-written for speed: no allocation on success, and on failure one structured
/// error naming the first problem. It never throws, whatever the input.
/// </summary>
internal static class VectorParser
{
    private const int LastMandatory = JgMetrics.BaseMetricCount - 1;

    public static bool TryParse(ReadOnlySpan<char> text, out ulong packed, out VectorError error)
    {
        error = default;
        return TryParseCanonical(text, out packed) || TryParseWithDiagnostics(text, out packed, out error);
    }

    /// <summary>
    /// The fast path: a vector written exactly in canonical form (fixed order, each metric once), the
    /// only form a valid vector can take. Anything else falls through to the diagnosing parser.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool TryParseCanonical(ReadOnlySpan<char> text, out ulong packed)
    {
        packed = 0;
        if (text.Length < MinLength || !text.StartsWith(CanonicalPrefix))
        {
            return false;
        }

        var position = CanonicalPrefix.Length;
        for (var metric = 0; metric < JgMetrics.MetricCount; metric++)
        {
            if (metric == JgMetrics.BaseMetricCount && position == text.Length + 1)
            {
                return true;
            }

            // Each component is "XY:" followed by a one- or two-character value, then '/' or the end.
            if (position + 3 >= text.Length
                || text[position] != MetricTables.MetricCodes[metric][0]
                || text[position + 1] != MetricTables.MetricCodes[metric][1]
                || text[position + 2] != ':')
            {
                return false;
            }

            var value = position + 3;
            var end = value + 1;
            while (end < text.Length && text[end] != '/')
            {
                end++;
            }

            var index = MetricTables.ValueIndex(metric, text[value..end]);
            if (index < 0)
            {
                return false;
            }

            var stored = metric == (int)Metric.MitigationStatus
                ? (index == MetricTables.MitigationUndefinedIndex ? 0 : index + 1)
                : index;
            packed |= (ulong)stored << (4 * metric);
            position = end + 1;
        }

        return position == text.Length + 1;
    }

    private const string CanonicalPrefix = JgMetrics.Prefix + "/";

    private const int MinLength = 57;

    private static bool TryParseWithDiagnostics(ReadOnlySpan<char> text, out ulong packed, out VectorError error)
    {
        packed = 0;
        error = default;
        if (text.IsEmpty)
        {
            return Fail(out error, VectorErrorKind.Empty, 1, null, $"empty input: expected a vector starting with '{JgMetrics.Prefix}/'");
        }

        if (!text.StartsWith("JG:", StringComparison.Ordinal))
        {
            var slash = text.IndexOf('/');
            var head = slash < 0 ? text : text[..slash];
            return Fail(out error, VectorErrorKind.UnknownPrefix, 1, null, $"unknown prefix {Quote(head)}: expected '{JgMetrics.Prefix}/' (case-sensitive)");
        }

        var afterPrefix = text[3..];
        var versionEnd = afterPrefix.IndexOf('/');
        var version = versionEnd < 0 ? afterPrefix : afterPrefix[..versionEnd];
        if (!version.SequenceEqual("1.0"))
        {
            return Fail(out error, VectorErrorKind.UnknownVersion, 4, null, $"unknown version {Quote(version)}: expected 1.0");
        }

        Span<int> columns = stackalloc int[JgMetrics.MetricCount];
        var next = 0;
        var position = 3 + version.Length;
        while (position < text.Length)
        {
            // text[position] is '/'.
            var start = position + 1;
            var length = text[start..].IndexOf('/');
            var end = length < 0 ? text.Length : start + length;
            var component = text[start..end];
            var column = start + 1;
            var isLast = end == text.Length;

            if (component.IsEmpty)
            {
                return isLast
                    ? Fail(out error, VectorErrorKind.TrailingJunk, column - 1, null, $"trailing '/': expected {Expected(next)} after it")
                    : Fail(out error, VectorErrorKind.TrailingJunk, column, null, $"empty component '//': expected {Expected(next)}");
            }

            var colon = component.IndexOf(':');
            var name = colon < 0 ? component : component[..colon];
            var metric = MetricTables.MetricIndex(name);
            if (metric < 0)
            {
                if (colon < 0 && next > LastMandatory)
                {
                    return Fail(out error, VectorErrorKind.TrailingJunk, column, null, $"unexpected {Quote(component)}: expected {Expected(next)}");
                }

                return Fail(out error, VectorErrorKind.UnknownMetric, column, name.ToString(), $"unknown metric {Quote(name)}: expected {Expected(next)} (metric codes are case-sensitive)");
            }

            var code = MetricTables.MetricCodes[metric];
            if (metric < next)
            {
                return Fail(out error, VectorErrorKind.Duplicate, column, code, $"{code} appears twice (first at column {columns[metric]}): each metric may appear once");
            }

            if (metric > next)
            {
                var expected = MetricTables.MetricCodes[next];
                return AppearsLater(text, end, expected)
                    ? Fail(out error, VectorErrorKind.WrongOrder, column, code, $"{code} is out of order: expected {expected} here (order: {Order})")
                    : Fail(out error, VectorErrorKind.MissingMetric, column, expected, $"{expected} is missing: expected {expected} before {code}");
            }

            if (colon < 0)
            {
                return Fail(out error, VectorErrorKind.BadValue, column + name.Length, code, $"{code} has no value: expected '{code}:' followed by one of {JgMetrics.Get((Metric)metric).ValueList}");
            }

            var value = component[(colon + 1)..];
            var valueColumn = column + colon + 1;
            var index = MetricTables.ValueIndex(metric, value);
            if (index < 0)
            {
                // Junk glued to the last value of a complete vector ("DP:G junk") is trailing junk;
                // anywhere else an unknown value is a bad value, whatever it starts with.
                return isLast && metric >= LastMandatory && ValidPrefix(metric, value) is var prefix and > 0
                    ? Fail(out error, VectorErrorKind.TrailingJunk, valueColumn + prefix, null, $"unexpected {Quote(value[prefix..])} after {code}:{value[..prefix]}: expected the end of the vector or '/'")
                    : Fail(out error, VectorErrorKind.BadValue, valueColumn, code, $"bad value {Quote(value)} for {code}: expected one of {JgMetrics.Get((Metric)metric).ValueList}");
            }

            var stored = metric == (int)Metric.MitigationStatus
                ? (index == MetricTables.MitigationUndefinedIndex ? 0 : index + 1)
                : index;
            packed |= (ulong)stored << (4 * metric);
            columns[metric] = column;
            next = metric + 1;
            position = end;
        }

        if (next <= LastMandatory)
        {
            var missing = MetricTables.MetricCodes[next];
            return Fail(out error, VectorErrorKind.MissingMetric, text.Length + 1, missing, $"{missing} is missing: the vector ends where {missing} was expected");
        }

        return true;
    }

    private static string Order => string.Join(", ", MetricTables.MetricCodes[..JgMetrics.BaseMetricCount]) + ", then optional MS";

    private static string Expected(int next) => next switch
    {
        < JgMetrics.BaseMetricCount => $"'{MetricTables.MetricCodes[next]}:'",
        JgMetrics.BaseMetricCount => "'MS:' or the end of the vector",
        _ => "the end of the vector",
    };

    private static bool AppearsLater(ReadOnlySpan<char> text, int from, string code)
    {
        while (from < text.Length)
        {
            var start = from + 1;
            var length = text[start..].IndexOf('/');
            var end = length < 0 ? text.Length : start + length;
            var component = text[start..end];
            var colon = component.IndexOf(':');
            if ((colon < 0 ? component : component[..colon]).SequenceEqual(code))
            {
                return true;
            }

            from = end;
        }

        return false;
    }

    /// <summary>Length of the longest value code the text starts with, or 0.</summary>
    private static int ValidPrefix(int metric, ReadOnlySpan<char> value)
    {
        var best = 0;
        foreach (var code in MetricTables.ValueCodes[metric])
        {
            if (code.Length < value.Length && value.StartsWith(code) && code.Length > best)
            {
                best = code.Length;
            }
        }

        return best;
    }

    private static string Quote(ReadOnlySpan<char> text)
    {
        const int Max = 24;
        var shown = (text.Length > Max ? string.Concat(text[..Max], "…") : text.ToString()).ToCharArray();
        for (var i = 0; i < shown.Length; i++)
        {
            // Messages end up in TSV records and terminals: no tabs, newlines or escape sequences.
            if (char.IsControl(shown[i]))
            {
                shown[i] = '?';
            }
        }

        return $"'{new string(shown)}'";
    }

    private static bool Fail(out VectorError error, VectorErrorKind kind, int position, string? metric, string message)
    {
        error = new VectorError(kind, position, metric, message);
        return false;
    }
}
