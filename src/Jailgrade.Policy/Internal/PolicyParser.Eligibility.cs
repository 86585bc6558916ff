using Jailgrade.Policy.Eligibility;
using YamlDotNet.RepresentationModel;

namespace Jailgrade.Policy.Internal;

/// <summary>Jurisdiction tiers and eligibility ladders.</summary>
internal sealed partial class PolicyParser
{
    private void ParseJurisdictions(YamlNode? node)
    {
        if (node is null)
        {
            return;
        }

        if (node is not YamlMappingNode mapping || mapping.Children.Count == 0)
        {
            _diagnostics.Add(node, PolicyErrorKind.BadValue, "'jurisdictions' must map tier names to country lists (or 'rest')");
            return;
        }

        var seen = new Dictionary<string, (string Tier, YamlNode Node)>(StringComparer.Ordinal);
        JurisdictionTier? rest = null;
        foreach (var (key, value) in mapping.Children)
        {
            var name = MappingReader.Scalar(key, _diagnostics, "a tier name");
            if (name is null)
            {
                continue;
            }

            if (!IdPattern().IsMatch(name))
            {
                _diagnostics.Add(key, PolicyErrorKind.BadValue, $"tier name '{name}' must be lower-case letters, digits and hyphens");
            }

            string? description = null;
            var countriesNode = value;
            if (value is YamlMappingNode && MappingReader.Open(value, _diagnostics, $"tier '{name}'", TierKeys) is { } tierReader)
            {
                description = tierReader.String("description", required: false);
                countriesNode = tierReader.Required("countries");
            }

            if (countriesNode is YamlScalarNode { Value: RestTier })
            {
                if (rest is not null)
                {
                    _diagnostics.Add(countriesNode, PolicyErrorKind.CountryCoverage, $"only one tier can be '{RestTier}'; '{rest.Name}' already is");
                    continue;
                }

                rest = new JurisdictionTier(name, [], true, description, Diagnostics.PositionOf(key));
                _tiers.Add(rest);
                continue;
            }

            var countries = new List<string>();
            foreach (var code in countriesNode is null ? [] : MappingReader.Scalars(countriesNode, _diagnostics, $"the countries of tier '{name}'"))
            {
                var country = code.Value!;
                if (!Eligibility.Countries.TryCheck(country, out var countryError))
                {
                    _diagnostics.Add(code, PolicyErrorKind.UnknownCountry, $"{countryError} (tier '{name}')");
                }
                else if (seen.TryGetValue(country, out var first))
                {
                    var at = Diagnostics.PositionOf(first.Node);
                    _diagnostics.Add(code, PolicyErrorKind.CountryCoverage, $"{country} is listed in tier '{name}' and already in tier '{first.Tier}' at {at.Line}:{at.Column}; each country belongs to one tier");
                }
                else
                {
                    seen[country] = (name, code);
                    countries.Add(country);
                }
            }

            countries.Sort(StringComparer.Ordinal);
            _tiers.Add(new JurisdictionTier(name, countries, false, description, Diagnostics.PositionOf(key)));
        }

        var missing = Eligibility.Countries.All.Where(c => !seen.ContainsKey(c)).ToList();
        if (rest is not null)
        {
            _tiers[_tiers.IndexOf(rest)] = new JurisdictionTier(rest.Name, missing, true, rest.Description, rest.Position);
        }
        else if (missing.Count > 0)
        {
            _diagnostics.Add(node, PolicyErrorKind.CountryCoverage,
                $"{missing.Count} countries are in no tier ({string.Join(", ", missing.Take(20))}{(missing.Count > 20 ? ", …" : "")}); list them or make one tier '{RestTier}'");
        }
    }

    private EligibilityLadder[][]? ParseEligibility(YamlNode? node)
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
        var reader = MappingReader.Open(node, _diagnostics, context, LadderKeys);
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

        if (node is YamlMappingNode && MappingReader.Open(node, _diagnostics, "a conditional access", AllowWithKeys) is { } reader
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
