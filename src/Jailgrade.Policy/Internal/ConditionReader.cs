using Jailgrade.Policy.Tables;
using YamlDotNet.RepresentationModel;

namespace Jailgrade.Policy.Internal;

/// <summary>Conditions over inputs, as rows and obligations' 'when' write them: a value, a list, <c>*</c> or a range.</summary>
internal sealed class ConditionReader(PolicyReading reading)
{
    private readonly Diagnostics _diagnostics = reading.Diagnostics;
    private readonly List<PolicyInput> _inputs = reading.Inputs;

    /// <summary>Conditions of a row or a <c>when</c>: each key an input, each value a condition over it.</summary>
    public (Dictionary<string, ValueSet> Sets, Dictionary<string, string> Written) ParseConditions(YamlMappingNode node, string[] excluded)
    {
        var sets = new Dictionary<string, ValueSet>(StringComparer.Ordinal);
        var written = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in node.Children)
        {
            var name = (key as YamlScalarNode)?.Value;
            var input = _inputs.FirstOrDefault(i => i.Name == name);
            if (name is null || excluded.Contains(name) || input is null)
            {
                continue;
            }

            if (ParseCondition(input, value) is { } set)
            {
                sets[name] = set;
                written[name] = value is YamlSequenceNode sequence
                    ? string.Join('|', sequence.Children.OfType<YamlScalarNode>().Select(s => s.Value))
                    : ((YamlScalarNode)value).Value!;
            }
        }

        return (sets, written);
    }

    /// <summary>
    /// One condition: a value, a list of values, <c>*</c>, or over ordered inputs a range
    /// (<c>&gt;=High</c>, <c>&gt;Low</c>, <c>&lt;=Medium</c>, <c>&lt;High</c>, <c>Low..High</c>).
    /// </summary>
    private ValueSet? ParseCondition(PolicyInput input, YamlNode node)
    {
        if (node is YamlSequenceNode)
        {
            var union = new ValueSet(0);
            foreach (var item in MappingReader.Scalars(node, _diagnostics, $"a condition on '{input.Name}'"))
            {
                if (ValueIndex(input, item, item.Value!) is not { } index)
                {
                    return null;
                }

                union = union.Union(ValueSet.Of(index));
            }

            return union.Bits == 0 ? Empty(input, node) : union;
        }

        var text = MappingReader.Scalar(node, _diagnostics, $"a condition on '{input.Name}'");
        if (text is null)
        {
            return null;
        }

        var last = input.Values.Count - 1;
        if (text == "*")
        {
            return ValueSet.All(input.Values.Count);
        }

        var range = text.IndexOf("..", StringComparison.Ordinal);
        var isRange = range > 0 || text.StartsWith('<') || text.StartsWith('>');
        if (isRange && !input.Ordered)
        {
            _diagnostics.Add(node, PolicyErrorKind.BadValue, $"'{text}' is a range, but '{input.Name}' is unordered; list the values instead");
            return null;
        }

        if (range > 0)
        {
            var low = ValueIndex(input, node, text[..range].Trim());
            var high = ValueIndex(input, node, text[(range + 2)..].Trim());
            return low is null || high is null ? null : low <= high ? ValueSet.Range(low.Value, high.Value) : Empty(input, node);
        }

        (int Skip, Func<int, ValueSet> Make)? comparison = text switch
        {
            _ when text.StartsWith(">=", StringComparison.Ordinal) => (2, i => ValueSet.Range(i, last)),
            _ when text.StartsWith("<=", StringComparison.Ordinal) => (2, i => ValueSet.Range(0, i)),
            _ when text.StartsWith('>') => (1, i => i < last ? ValueSet.Range(i + 1, last) : new ValueSet(0)),
            _ when text.StartsWith('<') => (1, i => i > 0 ? ValueSet.Range(0, i - 1) : new ValueSet(0)),
            _ => null,
        };
        if (comparison is { } c)
        {
            if (ValueIndex(input, node, text[c.Skip..].Trim()) is not { } bound)
            {
                return null;
            }

            var set = c.Make(bound);
            return set.Bits == 0 ? Empty(input, node) : set;
        }

        return ValueIndex(input, node, text) is { } single ? ValueSet.Of(single) : null;
    }

    private ValueSet? Empty(PolicyInput input, YamlNode node)
    {
        _diagnostics.Add(node, PolicyErrorKind.BadValue, $"the condition on '{input.Name}' matches no value");
        return null;
    }

    public int? ValueIndex(PolicyInput input, YamlNode node, string value)
    {
        var index = input.IndexOf(value);
        if (index >= 0)
        {
            return index;
        }

        _diagnostics.Add(node, PolicyErrorKind.UnknownReference, $"'{value}' is not a value of '{input.Name}' (one of: {string.Join(", ", input.Values)})");
        return null;
    }
}
