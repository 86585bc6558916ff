using Jailgrade.Policy.Eligibility;
using YamlDotNet.RepresentationModel;

namespace Jailgrade.Policy.Internal;

/// <summary>'jurisdictions': the country tiers, each country in exactly one (or in the 'rest' tier).</summary>
internal sealed class JurisdictionsReader(PolicyReading reading)
{
    private const string RestTier = "rest";

    private readonly Diagnostics _diagnostics = reading.Diagnostics;
    private readonly List<JurisdictionTier> _tiers = reading.Tiers;

    public void ParseJurisdictions(YamlNode? node)
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

            if (!PolicyReading.IdPattern().IsMatch(name))
            {
                _diagnostics.Add(key, PolicyErrorKind.BadValue, $"tier name '{name}' must be lower-case letters, digits and hyphens");
            }

            string? description = null;
            var countriesNode = value;
            if (value is YamlMappingNode && MappingReader.Open(value, _diagnostics, $"tier '{name}'", PolicyParser.TierKeys) is { } tierReader)
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
}
