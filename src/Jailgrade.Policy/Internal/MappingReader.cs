using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Jailgrade.Policy.Internal;

/// <summary>
/// Reads one YAML mapping of the policy format: reports keys the format does not define and
/// required keys that are absent, each at its position, then hands out typed values.
/// </summary>
internal sealed class MappingReader
{
    private readonly YamlMappingNode _node;
    private readonly Diagnostics _diagnostics;
    private readonly string _context;

    private MappingReader(YamlMappingNode node, Diagnostics diagnostics, string context)
    {
        _node = node;
        _diagnostics = diagnostics;
        _context = context;
    }

    public YamlMappingNode Node => _node;

    /// <summary>
    /// A reader over <paramref name="node"/> if it is a mapping (else reports it and returns null);
    /// keys outside <paramref name="allowed"/> are reported as unknown.
    /// </summary>
    public static MappingReader? Open(YamlNode? node, Diagnostics diagnostics, string context, IReadOnlyCollection<string> allowed)
    {
        if (node is not YamlMappingNode mapping)
        {
            if (node is not null)
            {
                diagnostics.Add(node, PolicyErrorKind.BadValue, $"{context} must be a mapping of keys to values");
            }

            return null;
        }

        foreach (var key in mapping.Children.Keys)
        {
            var name = (key as YamlScalarNode)?.Value ?? "";
            if (!allowed.Contains(name))
            {
                diagnostics.Add(key, PolicyErrorKind.UnknownKey, $"unknown key '{name}' in {context} (expected one of: {string.Join(", ", allowed)})");
            }
        }

        return new MappingReader(mapping, diagnostics, context);
    }

    public YamlNode? Optional(string key) =>
        _node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    public YamlNode? Required(string key)
    {
        var value = Optional(key);
        if (value is null)
        {
            _diagnostics.Add(_node, PolicyErrorKind.MissingKey, $"{_context} needs '{key}'");
        }

        return value;
    }

    public string? String(string key, bool required)
    {
        var node = required ? Required(key) : Optional(key);
        return node is null ? null : Scalar(node, _diagnostics, $"'{key}'");
    }

    /// <summary>The text of a scalar node, or null after reporting a node of another shape.</summary>
    public static string? Scalar(YamlNode node, Diagnostics diagnostics, string what)
    {
        if (node is YamlScalarNode { Value: { } value })
        {
            return value;
        }

        diagnostics.Add(node, PolicyErrorKind.BadValue, $"{what} must be a single value");
        return null;
    }

    /// <summary>Whether a scalar is YAML's null (<c>null</c>, <c>~</c> or empty, unquoted).</summary>
    public static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any, Value: null or "" or "~" or "null" or "Null" or "NULL" };

    /// <summary>The scalars of a sequence (one scalar counts as a sequence of one).</summary>
    public static List<YamlScalarNode> Scalars(YamlNode node, Diagnostics diagnostics, string what)
    {
        var items = new List<YamlScalarNode>();
        IEnumerable<YamlNode> children = node is YamlSequenceNode sequence ? sequence.Children : [node];
        foreach (var child in children)
        {
            if (child is YamlScalarNode { Value: not null } scalar)
            {
                items.Add(scalar);
            }
            else
            {
                diagnostics.Add(child, PolicyErrorKind.BadValue, $"{what} must list single values");
            }
        }

        return items;
    }

    public static bool TryNumber(YamlNode node, Diagnostics diagnostics, string what, out double value)
    {
        value = 0;
        var text = Scalar(node, diagnostics, what);
        if (text is null)
        {
            return false;
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) || !double.IsFinite(value))
        {
            diagnostics.Add(node, PolicyErrorKind.BadValue, $"{what} must be a number, not '{text}'");
            return false;
        }

        return true;
    }
}
