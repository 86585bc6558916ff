using Jailgrade.Policy.Decisions;
using Jailgrade.Policy.Eligibility;
using YamlDotNet.RepresentationModel;

namespace Jailgrade.Policy.Internal;

/// <summary>'eligibility': one identity ladder per outcome and tier (proved later by <see cref="LadderProver"/>).</summary>
internal sealed class EligibilityReader(PolicyReading reading)
{
    private const string AnyTier = "*";

    private readonly Diagnostics _diagnostics = reading.Diagnostics;
    private readonly List<JurisdictionTier> _tiers = reading.Tiers;

    public EligibilityLadder[][]? ParseEligibility(YamlNode? node)
    {
        var reader = MappingReader.Open(node, _diagnostics, "'eligibility'", [.. Outcomes.All.Select(o => o.ToString())]);
        if (reader is null)
        {
            return null;
        }

        var byOutcome = new EligibilityLadder[Outcomes.All.Count][];
        var tierNames = _tiers.Select(t => t.Name).Append(AnyTier).ToArray();
        foreach (var outcome in Outcomes.All)
        {
            var outcomeReader = MappingReader.Open(reader.Required(outcome.ToString()), _diagnostics, $"the eligibility of {outcome}", tierNames);
            if (outcomeReader is null)
            {
                return null;
            }

            var ladders = new EligibilityLadder?[_tiers.Count];
            var any = outcomeReader.Optional(AnyTier);
            for (var t = 0; t < _tiers.Count; t++)
            {
                var ladderNode = outcomeReader.Optional(_tiers[t].Name) ?? any;
                if (ladderNode is null)
                {
                    _diagnostics.Add(outcomeReader.Node, PolicyErrorKind.Eligibility, $"the eligibility of {outcome} does not cover tier '{_tiers[t].Name}' (name it or add '{AnyTier}')");
                    continue;
                }

                ladders[t] = ParseLadder(ladderNode, _tiers[t], outcome, outcomeReader.Optional(_tiers[t].Name) is null ? AnyTier : _tiers[t].Name);
            }

            if (ladders.Any(l => l is null))
            {
                return null;
            }

            byOutcome[(int)outcome] = ladders!;
        }

        return byOutcome;
    }

    private EligibilityLadder? ParseLadder(YamlNode node, JurisdictionTier tier, Outcome outcome, string writtenAs)
    {
        // A '*' ladder serves several tiers; its errors name it as written so that they are reported once.
        var context = $"the ladder of {outcome} in tier '{writtenAs}'";
        var reader = MappingReader.Open(node, _diagnostics, context, PolicyParser.LadderKeys);
        if (reader is null)
        {
            return null;
        }

        var rules = new AccessRule[IdentityLevels.All.Count];
        foreach (var level in IdentityLevels.All)
        {
            var ruleNode = reader.Optional(level.Name());
            if (ruleNode is null)
            {
                _diagnostics.Add(node, PolicyErrorKind.Eligibility, $"{context} needs every identity level ({string.Join(", ", IdentityLevels.Names)}); '{level.Name()}' is missing");
                return null;
            }

            if (ParseAccess(ruleNode) is not { } rule)
            {
                return null;
            }

            rules[(int)level] = rule;
        }

        return new EligibilityLadder(tier, outcome, rules, Diagnostics.PositionOf(node));
    }

    private AccessRule? ParseAccess(YamlNode node)
    {
        if (node is YamlScalarNode { Value: "allow" })
        {
            return new AccessRule(Access.Allow, []);
        }

        if (node is YamlScalarNode { Value: "deny" })
        {
            return new AccessRule(Access.Deny, []);
        }

        if (node is YamlMappingNode && MappingReader.Open(node, _diagnostics, "a conditional access", PolicyParser.AllowWithKeys) is { } reader
            && reader.Required("allow-with") is { } conditionsNode)
        {
            var conditions = MappingReader.Scalars(conditionsNode, _diagnostics, "'allow-with'").Select(s => s.Value!).ToList();
            if (conditions.Count > 0)
            {
                return new AccessRule(Access.AllowWithConditions, conditions);
            }

            _diagnostics.Add(conditionsNode, PolicyErrorKind.BadValue, "'allow-with' needs at least one condition (e.g. monitoring)");
            return null;
        }

        if (node is not YamlMappingNode)
        {
            _diagnostics.Add(node, PolicyErrorKind.BadValue, $"'{(node as YamlScalarNode)?.Value}' is not an access; use allow, deny or {{allow-with: [conditions]}}");
        }

        return null;
    }
}
