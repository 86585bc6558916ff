using System.Globalization;
using Jailgrade.Policy.Consensus;
using YamlDotNet.RepresentationModel;

namespace Jailgrade.Policy.Internal;

/// <summary>The policy's header: id, version, title, summary, sources and confidence, then its parties and consensus rule.</summary>
internal sealed class HeaderReader(PolicyReading reading)
{
    private readonly PolicyReading _reading = reading;
    private readonly Diagnostics _diagnostics = reading.Diagnostics;

    public PolicyHeader? ParseHeader(MappingReader reader, string sha256)
    {
        var id = reader.String("policy", required: true);
        if (id is not null && !PolicyReading.IdPattern().IsMatch(id))
        {
            _diagnostics.Add(reader.Optional("policy")!, PolicyErrorKind.BadValue, $"policy id '{id}' must be lower-case letters, digits and hyphens");
        }

        var version = reader.String("version", required: true);
        var title = reader.String("title", required: true);
        var summary = reader.String("summary", required: false);

        var sources = new List<PolicySource>();
        if (reader.Optional("sources") is { } sourcesNode)
        {
            foreach (var item in _reading.Sequence(sourcesNode, "sources"))
            {
                if (MappingReader.Open(item, _diagnostics, "a source", PolicyParser.SourceKeys) is { } source)
                {
                    var sourceId = source.String("id", required: true);
                    var sourceTitle = source.String("title", required: true);
                    if (sourceId is not null && sourceTitle is not null)
                    {
                        sources.Add(new PolicySource(sourceId, sourceTitle, source.String("url", required: false), source.String("note", required: false)));
                    }
                }
            }
        }

        var confidence = 0.5;
        if (reader.Optional("confidence") is { } confidenceNode && MappingReader.TryNumber(confidenceNode, _diagnostics, "'confidence'", out confidence)
            && confidence is <= 0 or > 1)
        {
            _diagnostics.Add(confidenceNode, PolicyErrorKind.BadValue, $"confidence {confidence.ToString(CultureInfo.InvariantCulture)} must be above 0 and at most 1");
        }

        _reading.Parties = ParseParties(reader.Required("parties"));
        var consensus = ParseConsensus(reader.Optional("consensus"));
        return id is null || version is null || title is null
            ? null
            : new PolicyHeader(_diagnostics.Source, sha256, id, version, title, summary, sources, _reading.Parties, confidence, consensus);
    }

    private ConsensusRule ParseConsensus(YamlNode? node)
    {
        var reader = MappingReader.Open(node, _diagnostics, "'consensus'", PolicyParser.ConsensusKeys);
        if (reader is null)
        {
            return ConsensusRule.Default;
        }

        var party = reader.String("deciding-party", required: false);
        if (party is not null && !_reading.Parties.ContainsKey(party))
        {
            _diagnostics.Add(reader.Optional("deciding-party")!, PolicyErrorKind.UnknownReference, $"party '{party}' is not declared under 'parties' ({string.Join(", ", _reading.Parties.Keys)})");
        }

        var otherwise = reader.String("otherwise", required: false) ?? "highest";
        if (otherwise is not ("highest" or "lowest"))
        {
            _diagnostics.Add(reader.Optional("otherwise")!, PolicyErrorKind.BadValue, $"'otherwise' is highest or lowest, not '{otherwise}'");
        }

        return new ConsensusRule(party, otherwise == "lowest" ? ConsensusFallback.Lowest : ConsensusFallback.Highest);
    }

    private Dictionary<string, string> ParseParties(YamlNode? node)
    {
        var parties = new Dictionary<string, string>(StringComparer.Ordinal);
        if (node is null)
        {
            return parties;
        }

        if (node is not YamlMappingNode mapping)
        {
            _diagnostics.Add(node, PolicyErrorKind.BadValue, "'parties' must map each party's name to its description");
            return parties;
        }

        foreach (var (key, value) in mapping.Children)
        {
            var name = MappingReader.Scalar(key, _diagnostics, "a party name");
            var description = MappingReader.Scalar(value, _diagnostics, $"the description of party '{name}'");
            if (name is not null && description is not null)
            {
                if (!PolicyReading.IdPattern().IsMatch(name))
                {
                    _diagnostics.Add(key, PolicyErrorKind.BadValue, $"party name '{name}' must be lower-case letters, digits and hyphens");
                }

                parties[name] = description;
            }
        }

        return parties;
    }
}
