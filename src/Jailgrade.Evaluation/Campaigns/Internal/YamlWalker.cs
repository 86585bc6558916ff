using System.Globalization;
using Jailgrade.Yaml;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Jailgrade.Evaluation.Campaigns.Internal;

/// <summary>
/// Reads typed values out of a YAML node tree, collecting every problem with its line and column
/// instead of stopping at the first.
/// </summary>
internal sealed class YamlWalker(string file)
{
    // Kept beyond what is reported so that sorting by position still finds the first ones; past
    // this many, errors are only counted (a file of a million unknown keys stays small in memory).
    private const int MaxKept = 100 * YamlLimits.MaxReportedErrors;
    private int _dropped;

    public List<CampaignError> Errors { get; } = [];

    public void Error(YamlNode node, string message) => Error(node.Start, message);

    public void Error(Mark mark, string message)
    {
        if (Errors.Count < MaxKept)
        {
            Errors.Add(new CampaignError(file, (int)mark.Line, (int)mark.Column, message));
        }
        else
        {
            _dropped++;
        }
    }

    /// <summary>
    /// The errors in file order, at most <see cref="YamlLimits.MaxReportedErrors"/>; when there are
    /// more, a last one at the first left out says how many.
    /// </summary>
    public List<CampaignError> Reported() =>
        YamlLimits.Report(Errors, e => (e.Line, e.Column), _dropped, (e, message) => e with { Message = message });

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

    /// <summary>
    /// The items of list <paramref name="key"/>; more than <paramref name="max"/> items, or none when
    /// <paramref name="nonEmpty"/>, is an error at the list.
    /// </summary>
    public IReadOnlyList<YamlNode> Sequence(YamlMappingNode map, string key, string where, bool required, int max = int.MaxValue, bool nonEmpty = false)
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

        if (node is not YamlSequenceNode sequence)
        {
            Error(node, $"'{key}' in {where} must be a list");
            return [];
        }

        if (sequence.Children.Count > max)
        {
            Error(node, $"'{key}' in {where} has {YamlLimits.Format(sequence.Children.Count)} entries; at most {YamlLimits.Format(max)} are allowed");
            return [];
        }

        if (nonEmpty && sequence.Children.Count == 0)
        {
            Error(node, $"'{key}' in {where} is empty; it needs at least one entry");
        }

        return [.. sequence.Children];
    }

    /// <summary>The single values of list <paramref name="key"/>; a nested list or mapping is an error at its place.</summary>
    public List<string> Strings(YamlMappingNode map, string key, string where)
    {
        var values = new List<string>();
        foreach (var item in Sequence(map, key, where, required: false))
        {
            if (item is YamlScalarNode { Value: { Length: > 0 } value })
            {
                values.Add(value);
            }
            else
            {
                Error(item, $"'{key}' in {where} must list single values, not {Describe(item)}");
            }
        }

        return values;
    }

    public string? String(YamlMappingNode map, string key, string where, bool required = false) =>
        Scalar(map, key, where, required, "a non-empty string");

    // The text of a single value; anything else is reported with what was expected instead.
    private string? Scalar(YamlMappingNode map, string key, string where, bool required, string expected)
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

        Error(node, node is YamlScalarNode
            ? $"'{key}' in {where} must be {expected}"
            : $"'{key}' in {where} must be {expected}, not {Describe(node)}");
        return null;
    }

    private static string Describe(YamlNode node) => node switch
    {
        YamlSequenceNode => "a list",
        YamlMappingNode => "a mapping",
        _ => "an empty value",
    };

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
        var text = Scalar(map, key, where, required, $"an integer from {min} to {max}");
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
        var text = Scalar(map, key, where, required, "a non-negative integer");
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
        var text = Scalar(map, key, where, required: false, "a number");
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
        var text = Scalar(map, key, where, required: false, "true or false");
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
