using Jailgrade.Policy.Decisions;
using Jailgrade.Policy.Obligations;
using Jailgrade.Policy.Tables;
using YamlDotNet.RepresentationModel;

namespace Jailgrade.Policy.Internal;

/// <summary>'outcomes': each outcome's summary and its obligations with their timing and conditions.</summary>
internal sealed class OutcomesReader(PolicyReading reading)
{
    private readonly PolicyReading _reading = reading;
    private readonly Diagnostics _diagnostics = reading.Diagnostics;
    private readonly List<PolicyInput> _inputs = reading.Inputs;
    private readonly ConditionReader _conditions = new(reading);

    public List<OutcomeSpec> ParseOutcomes(YamlNode? node)
    {
        var specs = Outcomes.All.Select(o => new OutcomeSpec(o, null, [])).ToList();
        if (node is null)
        {
            return specs;
        }

        var reader = MappingReader.Open(node, _diagnostics, "'outcomes'", [.. Outcomes.All.Select(o => o.ToString())]);
        if (reader is null)
        {
            return specs;
        }

        foreach (var outcome in Outcomes.All)
        {
            var spec = MappingReader.Open(reader.Optional(outcome.ToString()), _diagnostics, $"outcome {outcome}", PolicyParser.OutcomeKeys);
            if (spec is null)
            {
                continue;
            }

            var obligations = new List<ObligationSpec>();
            if (spec.Optional("obligations") is { } list)
            {
                foreach (var item in _reading.Sequence(list, "obligations"))
                {
                    if (ParseObligation(item) is { } obligation)
                    {
                        obligations.Add(obligation);
                    }
                }
            }

            specs[(int)outcome] = new OutcomeSpec(outcome, spec.String("summary", required: false), obligations);
        }

        return specs;
    }

    private ObligationSpec? ParseObligation(YamlNode node)
    {
        var reader = MappingReader.Open(node, _diagnostics, "an obligation", PolicyParser.ObligationKeys);
        if (reader is null)
        {
            return null;
        }

        var kindText = reader.String("kind", required: true);
        var kindIndex = kindText is null ? -1 : PolicyReading.IndexIn(ObligationSpec.KindNames, kindText);
        if (kindText is not null && kindIndex < 0)
        {
            _diagnostics.Add(reader.Optional("kind")!, PolicyErrorKind.BadValue, $"'{kindText}' is not an obligation kind (one of: {string.Join(", ", ObligationSpec.KindNames)})");
        }

        var party = reader.String("party", required: true);
        if (party is not null && !_reading.Parties.ContainsKey(party))
        {
            _diagnostics.Add(reader.Optional("party")!, PolicyErrorKind.UnknownReference,
                $"party '{party}' is not declared under 'parties' ({string.Join(", ", _reading.Parties.Keys)})");
        }

        var fromText = reader.String("from", required: true);
        var fromIndex = fromText is null ? -1 : PolicyReading.IndexIn(CaseClock.EventNames, fromText);
        if (fromText is not null && fromIndex < 0)
        {
            _diagnostics.Add(reader.Optional("from")!, PolicyErrorKind.BadValue, $"'{fromText}' is not a clock event (one of: {string.Join(", ", CaseClock.EventNames)})");
        }

        var within = Duration(reader, "within");
        var notBefore = Duration(reader, "not-before");
        var notAfter = Duration(reader, "not-after");
        var every = Duration(reader, "every");
        if (kindIndex < 0)
        {
            return null;
        }

        var kind = (ObligationKind)kindIndex;
        var (required, allowed) = kind switch
        {
            ObligationKind.Disclose => (new[] { "not-after" }, new[] { "not-before", "not-after" }),
            ObligationKind.Update => (["every"], ["every", "within"]),
            _ => (["within"], ["within"]),
        };
        foreach (var timing in new[] { "within", "not-before", "not-after", "every" })
        {
            var present = reader.Optional(timing);
            if (present is not null && !allowed.Contains(timing))
            {
                _diagnostics.Add(present, PolicyErrorKind.BadValue, $"'{timing}' does not apply to a {kindText} obligation (it takes {string.Join(" and ", allowed)})");
            }
            else if (present is null && required.Contains(timing))
            {
                _diagnostics.Add(node, PolicyErrorKind.MissingKey, $"a {kindText} obligation needs '{timing}'");
            }
        }

        if (notBefore is { } nb && notAfter is { } na && nb.After(DateTimeOffset.UnixEpoch) > na.After(DateTimeOffset.UnixEpoch))
        {
            _diagnostics.Add(reader.Optional("not-before")!, PolicyErrorKind.BadValue, $"the disclosure window opens ({nb}) after it closes ({na})");
        }

        var when = new Dictionary<string, ValueSet>(StringComparer.Ordinal);
        var whenWritten = new Dictionary<string, string>(StringComparer.Ordinal);
        if (reader.Optional("when") is { } whenNode && _reading.InputsValid
            && MappingReader.Open(whenNode, _diagnostics, "'when'", [.. _inputs.Select(i => i.Name)]) is { } whenReader)
        {
            (when, whenWritten) = _conditions.ParseConditions(whenReader.Node, excluded: []);
        }

        return party is null || fromIndex < 0
            ? null
            : new ObligationSpec(kind, party, (ClockEvent)fromIndex, within, notBefore, notAfter, every, when, whenWritten, reader.String("note", required: false), Diagnostics.PositionOf(node));
    }

    private IsoDuration? Duration(MappingReader reader, string key)
    {
        if (reader.Optional(key) is not { } node || MappingReader.Scalar(node, _diagnostics, $"'{key}'") is not { } text)
        {
            return null;
        }

        if (IsoDuration.TryParse(text, out var duration, out var error, out var offset))
        {
            return duration;
        }

        var position = Diagnostics.PositionOf(node);
        _diagnostics.Add(position with { Column = position.Column + offset + PolicyReading.QuoteWidth(node) }, PolicyErrorKind.BadDuration, $"'{text}' is not an ISO 8601 duration: {error}");
        return null;
    }
}
