using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Jailgrade.Registry.Events;

/// <summary>
/// RFC 8785 (JCS) canonical JSON for documents that hold no fractions: members ordered by their names'
/// UTF-16 code units, no whitespace, minimal escaping with raw UTF-8, lone surrogates refused, and
/// numbers only as integers within ±(2^53−1) (so the RFC's floating-point rules never apply).
/// </summary>
public static class CanonicalJson
{
    /// <summary>The largest integer every JSON implementation holds exactly (2^53−1).</summary>
    public const long MaxSafeInteger = 9_007_199_254_740_991;

    /// <summary>The canonical UTF-8 bytes of a JSON value.</summary>
    /// <exception cref="CanonicalJsonException">A fraction, an integer out of range, or a lone surrogate.</exception>
    public static byte[] Encode(JsonNode? node) => Encoding.UTF8.GetBytes(EncodeToString(node));

    /// <summary>The canonical form as a string.</summary>
    public static string EncodeToString(JsonNode? node)
    {
        var builder = new StringBuilder();
        Write(builder, node, "$");
        return builder.ToString();
    }

    private static void Write(StringBuilder output, JsonNode? node, string path)
    {
        switch (node)
        {
            case null:
                output.Append("null");
                break;
            case JsonObject obj:
                output.Append('{');
                var first = true;
                foreach (var (name, value) in obj.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    if (!first)
                    {
                        output.Append(',');
                    }

                    first = false;
                    WriteString(output, name, path);
                    output.Append(':');
                    Write(output, value, $"{path}.{name}");
                }

                output.Append('}');
                break;
            case JsonArray array:
                output.Append('[');
                for (var i = 0; i < array.Count; i++)
                {
                    if (i > 0)
                    {
                        output.Append(',');
                    }

                    Write(output, array[i], $"{path}[{i}]");
                }

                output.Append(']');
                break;
            case JsonValue value:
                WriteValue(output, value, path);
                break;
        }
    }

    private static void WriteValue(StringBuilder output, JsonValue value, string path)
    {
        switch (value.GetValueKind())
        {
            case JsonValueKind.String:
                WriteString(output, value.GetValue<string>(), path);
                break;
            case JsonValueKind.True:
                output.Append("true");
                break;
            case JsonValueKind.False:
                output.Append("false");
                break;
            case JsonValueKind.Null:
                output.Append("null");
                break;
            case JsonValueKind.Number:
                var integer = Integer(value, path);
                if (integer is > MaxSafeInteger or < -MaxSafeInteger)
                {
                    throw new CanonicalJsonException($"{path}: {integer} is outside ±(2^53−1); canonical events hold only integers in that range");
                }

                output.Append(integer.ToString(CultureInfo.InvariantCulture));
                break;
            default:
                throw new CanonicalJsonException($"{path}: unexpected JSON value kind {value.GetValueKind()}");
        }
    }

    private static long Integer(JsonValue value, string path)
    {
        if (value.TryGetValue<long>(out var l))
        {
            return l;
        }

        if (value.TryGetValue<int>(out var i))
        {
            return i;
        }

        if (value.TryGetValue<JsonElement>(out var element) && element.TryGetInt64(out var parsed))
        {
            return parsed;
        }

        throw new CanonicalJsonException($"{path}: {value.ToJsonString()} is not an integer; canonical events hold no fractions (write tenths or basis points)");
    }

    private static void WriteString(StringBuilder output, string text, string path)
    {
        output.Append('"');
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            switch (c)
            {
                case '"': output.Append("\\\""); break;
                case '\\': output.Append("\\\\"); break;
                case '\b': output.Append("\\b"); break;
                case '\t': output.Append("\\t"); break;
                case '\n': output.Append("\\n"); break;
                case '\f': output.Append("\\f"); break;
                case '\r': output.Append("\\r"); break;
                case < ' ':
                    output.Append("\\u00").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
                    break;
                default:
                    if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                    {
                        output.Append(c).Append(text[++i]);
                    }
                    else if (char.IsSurrogate(c))
                    {
                        throw new CanonicalJsonException($"{path}: a lone surrogate (U+{(int)c:X4}) at position {i} is not text");
                    }
                    else
                    {
                        output.Append(c);
                    }

                    break;
            }
        }

        output.Append('"');
    }
}

/// <summary>A value that has no canonical form under our rules (a fraction, an integer too large, a lone surrogate).</summary>
public sealed class CanonicalJsonException(string message) : Exception(message);
