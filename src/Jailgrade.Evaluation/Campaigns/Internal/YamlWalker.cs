using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Jailgrade.Evaluation.Campaigns.Internal;

/// <summary>
/// Reads typed values out of a YAML node tree, collecting every problem with its line and column
/// instead of stopping at the first.
/// </summary>
internal sealed class YamlWalker(string file)
{
    public List<CampaignError> Errors { get; } = [];

    public void Error(YamlNode node, string message) => Error(node.Start, message);

    public void Error(Mark mark, string message) => Errors.Add(new CampaignError(file, (int)mark.Line, (int)mark.Column, message));

    /// <summary>Reports every key of <paramref name="map"/> not in <paramref name="allowed"/>.</summary>
    public void CheckKeys(YamlMappingNode map, string where, params string[] allowed)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var key in map.Children.Keys)
        {
            var name = (key as YamlScalarNode)?.Value ?? "";
            if (!seen.Add(name))
            {
                Error(key, $"duplicate key '{name}' in {where}");
            }
            else if (!allowed.Contains(name, StringComparer.Ordinal))
            {
                Error(key, $"unknown key '{name}' in {where} (expected one of: {string.Join(", ", allowed)})");
            }
        }
    }

    public static YamlNode? Get(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    public YamlMappingNode? Map(YamlNode? node, string what)
    {
        if (node is null)
        {
            return null;
        }

        if (node is YamlMappingNode map)
        {
            return map;
        }

        Error(node, $"{what} must be a mapping of keys to values");
        return null;
    }

    public IReadOnlyList<YamlNode> Sequence(YamlMappingNode map, string key, string where, bool required)
    {
        var node = Get(map, key);
        if (node is null)
        {
            if (required)
            {
                Error(map, $"missing key '{key}' in {where}");
            }

            return [];
        }

        if (node is YamlSequenceNode sequence)
        {
            return [.. sequence.Children];
        }

        Error(node, $"'{key}' in {where} must be a list");
        return [];
    }

    public string? String(YamlMappingNode map, string key, string where, bool required = false)
    {
        var node = Get(map, key);
        if (node is null)
        {
            if (required)
            {
                Error(map, $"missing key '{key}' in {where}");
            }

            return null;
        }

        if (node is YamlScalarNode { Value: { Length: > 0 } value })
        {
            return value;
        }

        Error(node, $"'{key}' in {where} must be a non-empty string");
        return null;
    }

    public string? OneOf(YamlMappingNode map, string key, string where, IReadOnlyCollection<string> allowed, bool required = false)
    {
        var value = String(map, key, where, required);
        if (value is not null && !allowed.Contains(value))
        {
            Error(Get(map, key)!, $"bad value '{value}' for '{key}' in {where} (expected one of: {string.Join(", ", allowed)})");
            return null;
        }

        return value;
    }

    public long? Integer(YamlMappingNode map, string key, string where, long min, long max, bool required = false)
    {
        var text = String(map, key, where, required);
        if (text is null)
        {
            return null;
        }

        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
        {
            return value;
        }

        Error(Get(map, key)!, $"bad value '{text}' for '{key}' in {where} (expected an integer from {min} to {max})");
        return null;
    }

    public ulong? Unsigned(YamlMappingNode map, string key, string where, bool required = false)
    {
        var text = String(map, key, where, required);
        if (text is null)
        {
            return null;
        }

        if (ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        Error(Get(map, key)!, $"bad value '{text}' for '{key}' in {where} (expected a non-negative integer)");
        return null;
    }

    public double? Number(YamlMappingNode map, string key, string where, double min, double max, bool minExclusive = false)
    {
        var text = String(map, key, where);
        if (text is null)
        {
            return null;
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            && double.IsFinite(value) && (minExclusive ? value > min : value >= min) && value <= max)
        {
            return value;
        }

        var range = minExclusive ? $"above {Format(min)} and at most {Format(max)}" : $"from {Format(min)} to {Format(max)}";
        Error(Get(map, key)!, $"bad value '{text}' for '{key}' in {where} (expected a number {range})");
        return null;
    }

    public bool? Boolean(YamlMappingNode map, string key, string where)
    {
        var text = String(map, key, where);
        return text switch
        {
            null => null,
            "true" => true,
            "false" => false,
            _ => Fail(),
        };

        bool? Fail()
        {
            Error(Get(map, key)!, $"bad value '{text}' for '{key}' in {where} (expected true or false)");
            return null;
        }
    }

    public Dictionary<string, string> StringMap(YamlMappingNode map, string key, string where)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (Map(Get(map, key), $"'{key}' in {where}") is not { } inner)
        {
            return result;
        }

        foreach (var (k, v) in inner.Children)
        {
            if (k is YamlScalarNode { Value: { Length: > 0 } name } && v is YamlScalarNode { Value: { } value })
            {
                result[name] = value;
            }
            else
            {
                Error(k, $"'{key}' in {where} must map names to single values");
            }
        }

        return result;
    }

    private static string Format(double value) => value.ToString(CultureInfo.InvariantCulture);
}
