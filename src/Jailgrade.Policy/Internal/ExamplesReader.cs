using System.Globalization;
using Jailgrade.Policy.Decisions;
using Jailgrade.Policy.Eligibility;
using Jailgrade.Policy.Examples;
using Jailgrade.Policy.Obligations;
using Jailgrade.Policy.Tables;
using Jailgrade.Standard;
using Jailgrade.Standard.Probabilities;
using Jailgrade.Standard.Scoring;
using YamlDotNet.RepresentationModel;

namespace Jailgrade.Policy.Internal;

/// <summary>'examples': cases with the decision each must get, run by <c>jailgrade policy test</c>.</summary>
internal sealed class ExamplesReader(PolicyReading reading)
{
    private readonly PolicyReading _reading = reading;
    private readonly Diagnostics _diagnostics = reading.Diagnostics;
    private readonly List<PolicyInput> _inputs = reading.Inputs;
    private readonly List<JurisdictionTier> _tiers = reading.Tiers;
    private readonly ConditionReader _conditions = new(reading);

    public List<PolicyExample> ParseExamples(YamlNode? node)
    {
        var examples = new List<PolicyExample>();
        if (node is null)
        {
            return examples;
        }

        foreach (var item in _reading.Sequence(node, "examples"))
        {
            if (ParseExample(item) is { } example)
            {
                examples.Add(example);
            }
        }

        return examples;
    }

    private PolicyExample? ParseExample(YamlNode node)
    {
        var reader = MappingReader.Open(node, _diagnostics, "an example", PolicyParser.ExampleKeys);
        if (reader is null)
        {
            return null;
        }

        var name = reader.String("name", required: true);
        var vectorText = reader.String("vector", required: true);
        JgVector vector = default;
        if (vectorText is not null && !JgVector.TryParse(vectorText, out vector, out var vectorError))
        {
            var position = Diagnostics.PositionOf(reader.Optional("vector")!);
            _diagnostics.Add(position with { Column = position.Column + vectorError.Position - 1 + PolicyReading.QuoteWidth(reader.Optional("vector")!) }, PolicyErrorKind.BadValue, $"bad vector: {vectorError.Message}");
            vectorText = null;
        }

        var facts = new Dictionary<string, string>(StringComparer.Ordinal);
        var factNames = _inputs.Where(i => i.Source == InputSource.Fact).Select(i => i.Name).ToArray();
        if (_reading.InputsValid && MappingReader.Open(reader.Optional("facts"), _diagnostics, "'facts'", factNames) is { } factsReader)
        {
            foreach (var (key, value) in factsReader.Node.Children)
            {
                var input = _inputs.FirstOrDefault(i => i.Name == ((YamlScalarNode)key).Value);
                if (input is not null && MappingReader.Scalar(value, _diagnostics, $"fact '{input.Name}'") is { } fact && _conditions.ValueIndex(input, value, fact) is not null)
                {
                    facts[input.Name] = fact;
                }
            }
        }

        var clock = ParseClock(reader.Optional("clock"));
        var countries = reader.Optional("countries") is { } countriesNode ? ParseCountryList(countriesNode) : null;
        var probabilities = reader.Optional("band-probabilities") is { } probabilitiesNode ? ParseBandProbabilities(probabilitiesNode) : null;
        var expect = ParseExpectation(reader.Required("expect"));
        if (name is null || vectorText is null || expect is null)
        {
            return null;
        }

        var request = new DecisionRequest(vector) { Facts = facts, Clock = clock, Countries = countries, BandProbabilities = probabilities };
        return new PolicyExample(name, request, expect, Diagnostics.PositionOf(node));
    }

    private CaseClock ParseClock(YamlNode? node)
    {
        var reader = MappingReader.Open(node, _diagnostics, "'clock'", [.. CaseClock.EventNames]);
        if (reader is null)
        {
            return default;
        }

        var instants = CaseClock.EventNames.Select(e => reader.Optional(e) is { } n ? Instant(n) : null).ToArray();
        return new CaseClock(instants[0], instants[1], instants[2], instants[3]);
    }

    private DateTimeOffset? Instant(YamlNode node)
    {
        var text = MappingReader.Scalar(node, _diagnostics, "a timestamp");
        if (text is null)
        {
            return null;
        }

        if (Timestamps.TryParse(text, out var instant, out var error))
        {
            return instant;
        }

        _diagnostics.Add(node, PolicyErrorKind.BadValue, error);
        return null;
    }

    private List<string> ParseCountryList(YamlNode node)
    {
        var countries = new List<string>();
        foreach (var code in MappingReader.Scalars(node, _diagnostics, "'countries'"))
        {
            if (Eligibility.Countries.TryCheck(code.Value!, out var error))
            {
                countries.Add(code.Value!);
            }
            else
            {
                _diagnostics.Add(code, PolicyErrorKind.UnknownCountry, error);
            }
        }

        return countries;
    }

    private BandDistribution? ParseBandProbabilities(YamlNode node)
    {
        var reader = MappingReader.Open(node, _diagnostics, "'band-probabilities'", [.. Bands.All.Select(b => b.ToString())]);
        if (reader is null)
        {
            return null;
        }

        var pairs = new List<KeyValuePair<Band, double>>();
        foreach (var band in Bands.All)
        {
            if (reader.Optional(band.ToString()) is { } value && MappingReader.TryNumber(value, _diagnostics, $"P({band})", out var probability))
            {
                pairs.Add(new(band, probability));
            }
        }

        if (BandDistribution.TryCreate(pairs, out var result, out var error))
        {
            return result;
        }

        _diagnostics.Add(node, PolicyErrorKind.BadValue, error);
        return null;
    }

    private ExampleExpectation? ParseExpectation(YamlNode? node)
    {
        var reader = MappingReader.Open(node, _diagnostics, "'expect'", PolicyParser.ExpectKeys);
        var outcomeNode = reader?.Required("outcome");
        if (reader is null || outcomeNode is null || _reading.ParseOutcome(outcomeNode) is not { } outcome)
        {
            return null;
        }

        int? row = null;
        if (reader.Optional("row") is { } rowNode && MappingReader.TryNumber(rowNode, _diagnostics, "'row'", out var rowNumber))
        {
            if (rowNumber is >= 1 and <= short.MaxValue && rowNumber == Math.Floor(rowNumber))
            {
                row = (int)rowNumber;
            }
            else
            {
                _diagnostics.Add(rowNode, PolicyErrorKind.BadValue, $"'row' is a row number (1, 2, …), not {rowNumber.ToString(CultureInfo.InvariantCulture)}");
            }
        }

        List<ExpectedObligation>? obligations = null;
        if (reader.Optional("obligations") is { } obligationsNode)
        {
            obligations = [];
            foreach (var item in _reading.Sequence(obligationsNode, "expected obligations"))
            {
                var obligation = MappingReader.Open(item, _diagnostics, "an expected obligation", PolicyParser.ExpectedObligationKeys);
                var kind = obligation?.String("kind", required: true);
                var party = obligation?.String("party", required: true);
                var dueNode = obligation?.Required("due");
                if (kind is null || party is null || dueNode is null)
                {
                    continue;
                }

                if (PolicyReading.IndexIn(ObligationSpec.KindNames, kind) < 0)
                {
                    _diagnostics.Add(obligation!.Optional("kind")!, PolicyErrorKind.BadValue, $"'{kind}' is not an obligation kind (one of: {string.Join(", ", ObligationSpec.KindNames)})");
                }

                if (!_reading.Parties.ContainsKey(party))
                {
                    _diagnostics.Add(obligation!.Optional("party")!, PolicyErrorKind.UnknownReference, $"party '{party}' is not declared under 'parties' ({string.Join(", ", _reading.Parties.Keys)})");
                }

                obligations.Add(new ExpectedObligation(kind, party, MappingReader.IsNull(dueNode) ? null : Instant(dueNode), Diagnostics.PositionOf(item)));
            }
        }

        var access = new List<ExpectedAccess>();
        if (MappingReader.Open(reader.Optional("eligibility"), _diagnostics, "expected eligibility", [.. _tiers.Select(t => t.Name)]) is { } eligibility)
        {
            foreach (var (tierKey, levelsNode) in eligibility.Node.Children)
            {
                var tier = ((YamlScalarNode)tierKey).Value!;
                if (MappingReader.Open(levelsNode, _diagnostics, $"expected eligibility in '{tier}'", PolicyParser.LadderKeys) is not { } levels)
                {
                    continue;
                }

                foreach (var (levelKey, accessNode) in levels.Node.Children)
                {
                    var accessText = MappingReader.Scalar(accessNode, _diagnostics, "an access");
                    var accessIndex = accessText is null ? -1 : PolicyReading.IndexIn(["deny", "allow-with-conditions", "allow"], accessText);
                    if (IdentityLevels.TryParse(((YamlScalarNode)levelKey).Value, out var level) && accessIndex >= 0)
                    {
                        access.Add(new ExpectedAccess(tier, level, (Access)accessIndex, Diagnostics.PositionOf(accessNode)));
                    }
                    else if (accessText is not null && accessIndex < 0)
                    {
                        _diagnostics.Add(accessNode, PolicyErrorKind.BadValue, $"'{accessText}' is not an access (allow, allow-with-conditions, deny)");
                    }
                }
            }
        }

        var countries = new Dictionary<string, string>(StringComparer.Ordinal);
        if (reader.Optional("countries") is YamlMappingNode countriesNode)
        {
            foreach (var (codeNode, tierNode) in countriesNode.Children)
            {
                var code = ((YamlScalarNode)codeNode).Value!;
                var tier = MappingReader.Scalar(tierNode, _diagnostics, "a tier");
                if (!Eligibility.Countries.TryCheck(code, out var countryError))
                {
                    _diagnostics.Add(codeNode, PolicyErrorKind.UnknownCountry, countryError);
                }
                else if (tier is not null && _tiers.All(t => t.Name != tier))
                {
                    _diagnostics.Add(tierNode, PolicyErrorKind.UnknownReference, $"'{tier}' is not a tier of this policy ({string.Join(", ", _tiers.Select(t => t.Name))})");
                }
                else if (tier is not null)
                {
                    countries[code] = tier;
                }
            }
        }
        else if (reader.Optional("countries") is { } other)
        {
            _diagnostics.Add(other, PolicyErrorKind.BadValue, "expected 'countries' must map country codes to tier names");
        }

        return new ExampleExpectation(outcome, row, obligations, access, countries);
    }
}
