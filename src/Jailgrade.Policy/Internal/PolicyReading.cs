using System.Text.RegularExpressions;
using Jailgrade.Policy.Decisions;
using Jailgrade.Policy.Eligibility;
using Jailgrade.Policy.Tables;
using YamlDotNet.RepresentationModel;

namespace Jailgrade.Policy.Internal;

/// <summary>
/// What the readers of a policy's parts share: the diagnostics, what earlier parts declared (inputs,
/// parties, tiers) for later parts to refer to, and the small readers every part uses.
/// </summary>
internal sealed partial class PolicyReading(Diagnostics diagnostics)
{
    private readonly Diagnostics _diagnostics = diagnostics;

    public Diagnostics Diagnostics => _diagnostics;

    /// <summary>The inputs declared under 'inputs', in order.</summary>
    public List<PolicyInput> Inputs { get; } = [];

    /// <summary>Whether 'inputs' read without an error: rows and conditions are only read against valid inputs.</summary>
    public bool InputsValid { get; set; } = true;

    /// <summary>The parties declared under 'parties', by name.</summary>
    public Dictionary<string, string> Parties { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The tiers declared under 'jurisdictions', in order.</summary>
    public List<JurisdictionTier> Tiers { get; } = [];

    [GeneratedRegex("^[a-z0-9][a-z0-9-]*$")]
    public static partial Regex IdPattern();

    public Outcome? ParseOutcome(YamlNode node)
    {
        var text = MappingReader.Scalar(node, _diagnostics, "an outcome");
        if (text is not null && Outcomes.TryParse(text, out var outcome))
        {
            return outcome;
        }

        if (text is not null)
        {
            _diagnostics.Add(node, PolicyErrorKind.BadValue, $"'{text}' is not an outcome (one of: {string.Join(", ", Outcomes.All)})");
        }

        return null;
    }

    public IEnumerable<YamlNode> Sequence(YamlNode node, string what)
    {
        if (node is YamlSequenceNode sequence)
        {
            return sequence.Children;
        }

        _diagnostics.Add(node, PolicyErrorKind.BadValue, $"'{what}' must be a list");
        return [];
    }

    public bool TryBoolean(YamlNode node, string what, out bool value)
    {
        value = false;
        var text = MappingReader.Scalar(node, _diagnostics, what);
        if (text is "true" or "false")
        {
            value = text == "true";
            return true;
        }

        if (text is not null)
        {
            _diagnostics.Add(node, PolicyErrorKind.BadValue, $"{what} must be true or false, not '{text}'");
        }

        return false;
    }

    public static int IndexIn(IReadOnlyList<string> names, string text)
    {
        for (var i = 0; i < names.Count; i++)
        {
            if (names[i] == text)
            {
                return i;
            }
        }

        return -1;
    }

    public static int QuoteWidth(YamlNode node) =>
        node is YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.SingleQuoted or YamlDotNet.Core.ScalarStyle.DoubleQuoted } ? 1 : 0;
}
