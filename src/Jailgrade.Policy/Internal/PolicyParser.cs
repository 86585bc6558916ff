using System.Globalization;
using System.Text.RegularExpressions;
using Jailgrade.Policy.Consensus;
using Jailgrade.Policy.Decisions;
using Jailgrade.Policy.Eligibility;
using Jailgrade.Policy.Examples;
using Jailgrade.Policy.Obligations;
using Jailgrade.Policy.Tables;
using Jailgrade.Standard;
using Jailgrade.Standard.Scoring;
using YamlDotNet.RepresentationModel;

namespace Jailgrade.Policy.Internal;

/// <summary>
/// Turns a policy's YAML tree into the model, reporting every error it can find with its position,
/// then hands the table to <see cref="TableProver"/> and the ladders to <see cref="LadderProver"/>.
/// </summary>
internal sealed partial class PolicyParser(Diagnostics diagnostics)
{
    internal static readonly string[] RootKeys = ["policy", "version", "title", "summary", "sources", "confidence", "consensus", "parties", "inputs", "table", "outcomes", "jurisdictions", "eligibility", "examples"];
    internal static readonly string[] ConsensusKeys = ["deciding-party", "otherwise"];
    internal static readonly string[] SourceKeys = ["id", "title", "url", "note"];
    internal static readonly string[] InputKeys = ["name", "ordered", "values", "default", "description"];
    internal static readonly string[] TableKeys = ["default", "rows"];
    internal static readonly string[] OutcomeKeys = ["summary", "obligations"];
    internal static readonly string[] ObligationKeys = ["kind", "party", "from", "within", "not-before", "not-after", "every", "when", "note"];
    internal static readonly string[] TierKeys = ["description", "countries"];
    internal static readonly string[] ExampleKeys = ["name", "vector", "band-probabilities", "facts", "clock", "countries", "expect"];
    internal static readonly string[] ExpectKeys = ["outcome", "row", "obligations", "eligibility", "countries"];
    internal static readonly string[] ExpectedObligationKeys = ["kind", "party", "due"];
    private static readonly string[] LadderKeys = [.. IdentityLevels.Names];
    private static readonly string[] AllowWithKeys = ["allow-with"];
    private const string RestTier = "rest";
    private const string AnyTier = "*";

    private readonly Diagnostics _diagnostics = diagnostics;
    private readonly List<PolicyInput> _inputs = [];
    private readonly List<JurisdictionTier> _tiers = [];
    private Dictionary<string, string> _parties = new(StringComparer.Ordinal);
    private bool _inputsValid = true;

    [GeneratedRegex("^[a-z0-9][a-z0-9-]*$")]
    private static partial Regex IdPattern();

    public JgPolicy? Parse(YamlNode root, string sha256)
    {
        var reader = MappingReader.Open(root, _diagnostics, "the policy", RootKeys);
        if (reader is null)
        {
            return null;
        }

        var header = ParseHeader(reader, sha256);
        var errors = _diagnostics.Errors.Count;
        ParseInputs(reader.Required("inputs"));
        var (rows, defaultOutcome, tableNode) = ParseTable(reader.Required("table"));
        var tableParsed = _diagnostics.Errors.Count == errors && tableNode is not null;
        var outcomes = ParseOutcomes(reader.Optional("outcomes"));
        errors = _diagnostics.Errors.Count;
        ParseJurisdictions(reader.Required("jurisdictions"));
        var eligibility = ParseEligibility(reader.Required("eligibility"));
        var laddersParsed = _diagnostics.Errors.Count == errors && eligibility is not null;
        var examples = ParseExamples(reader.Optional("examples"));

        // Prove whatever parsed cleanly, even when another part of the file has errors, so that
        // one run reports everything wrong with the file.
        var table = tableParsed ? TableProver.Prove(_inputs, rows, defaultOutcome, tableNode!, outcomes, _diagnostics) : null;
        if (laddersParsed)
        {
            LadderProver.Prove(eligibility!, _diagnostics);
        }

        if (_diagnostics.HasErrors || header is null || table is null || eligibility is null)
        {
            return null;
        }

        return new JgPolicy(header, _inputs, rows, defaultOutcome, outcomes, _tiers, eligibility, table) { Examples = examples };
    }

    private PolicyHeader? ParseHeader(MappingReader reader, string sha256)
    {
        var id = reader.String("policy", required: true);
        if (id is not null && !IdPattern().IsMatch(id))
        {
            _diagnostics.Add(reader.Optional("policy")!, PolicyErrorKind.BadValue, $"policy id '{id}' must be lower-case letters, digits and hyphens");
        }

        var version = reader.String("version", required: true);
        var title = reader.String("title", required: true);
        var summary = reader.String("summary", required: false);

        var sources = new List<PolicySource>();
        if (reader.Optional("sources") is { } sourcesNode)
        {
            foreach (var item in Sequence(sourcesNode, "sources"))
            {
                if (MappingReader.Open(item, _diagnostics, "a source", SourceKeys) is { } source)
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

        _parties = ParseParties(reader.Required("parties"));
        var consensus = ParseConsensus(reader.Optional("consensus"));
        return id is null || version is null || title is null
            ? null
            : new PolicyHeader(_diagnostics.Source, sha256, id, version, title, summary, sources, _parties, confidence, consensus);
    }

    private ConsensusRule ParseConsensus(YamlNode? node)
    {
        var reader = MappingReader.Open(node, _diagnostics, "'consensus'", ConsensusKeys);
        if (reader is null)
        {
            return ConsensusRule.Default;
        }

        var party = reader.String("deciding-party", required: false);
        if (party is not null && !_parties.ContainsKey(party))
        {
            _diagnostics.Add(reader.Optional("deciding-party")!, PolicyErrorKind.UnknownReference, $"party '{party}' is not declared under 'parties' ({string.Join(", ", _parties.Keys)})");
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
                if (!IdPattern().IsMatch(name))
                {
                    _diagnostics.Add(key, PolicyErrorKind.BadValue, $"party name '{name}' must be lower-case letters, digits and hyphens");
                }

                parties[name] = description;
            }
        }

        return parties;
    }

    private void ParseInputs(YamlNode? node)
    {
        if (node is null)
        {
            _inputsValid = false;
            return;
        }

        var errorsBefore = _diagnostics.Errors.Count;
        foreach (var item in Sequence(node, "inputs"))
        {
            var input = item is YamlScalarNode scalar ? StandardInput(scalar, scalar.Value!, null) : DeclaredInput(item);
            if (input is null)
            {
                continue;
            }

            if (_inputs.Any(i => i.Name == input.Name))
            {
                _diagnostics.Add(item, PolicyErrorKind.BadValue, $"input '{input.Name}' is declared twice");
                continue;
            }

            _inputs.Add(input);
        }

        if (_inputs.Count == 0 && _diagnostics.Errors.Count == errorsBefore)
        {
            _diagnostics.Add(node, PolicyErrorKind.BadValue, "a table needs at least one input");
        }

        _inputsValid = _diagnostics.Errors.Count == errorsBefore;
    }

    private PolicyInput? StandardInput(YamlNode node, string name, YamlNode? valuesNode)
    {
        if (!PolicyInput.Standard.TryGetValue(name, out var standard))
        {
            _diagnostics.Add(node, PolicyErrorKind.UnknownReference,
                $"'{name}' is not a standard input ({string.Join(", ", PolicyInput.Standard.Keys)}); declare a case fact as a mapping with name, ordered and values");
            return null;
        }

        if (valuesNode is not null)
        {
            var written = MappingReader.Scalars(valuesNode, _diagnostics, $"the values of '{name}'").Select(s => s.Value!).ToList();
            if (!written.SequenceEqual(standard.Values))
            {
                _diagnostics.Add(valuesNode, PolicyErrorKind.BadValue,
                    $"the values of standard input '{name}' are fixed by JG 1.0 as [{string.Join(", ", standard.Values)}], low to high; found [{string.Join(", ", written)}]");
            }
        }

        return new PolicyInput(name, standard.Source, true, standard.Values, null, Diagnostics.PositionOf(node));
    }

    private PolicyInput? DeclaredInput(YamlNode item)
    {
        var reader = MappingReader.Open(item, _diagnostics, "an input", InputKeys);
        var name = reader?.String("name", required: true);
        if (reader is null || name is null)
        {
            return null;
        }

        if (PolicyInput.Standard.ContainsKey(name))
        {
            foreach (var key in new[] { "ordered", "default" })
            {
                if (reader.Optional(key) is { } extra)
                {
                    _diagnostics.Add(extra, PolicyErrorKind.BadValue, $"'{key}' cannot be set on standard input '{name}'");
                }
            }

            return StandardInput(reader.Node, name, reader.Optional("values"));
        }

        if (!IdPattern().IsMatch(name) || name == "outcome" || name == "note")
        {
            _diagnostics.Add(reader.Optional("name")!, PolicyErrorKind.BadValue, $"input name '{name}' must be lower-case letters, digits and hyphens, and not 'outcome' or 'note'");
            return null;
        }

        var orderedNode = reader.Required("ordered");
        var ordered = false;
        if (orderedNode is not null && !TryBoolean(orderedNode, "'ordered'", out ordered))
        {
            return null;
        }

        var valuesNode = reader.Required("values");
        if (valuesNode is null || orderedNode is null)
        {
            return null;
        }

        var values = new List<string>();
        foreach (var value in MappingReader.Scalars(valuesNode, _diagnostics, $"the values of '{name}'"))
        {
            if (values.Contains(value.Value!))
            {
                _diagnostics.Add(value, PolicyErrorKind.BadValue, $"value '{value.Value}' of '{name}' is listed twice");
            }
            else if (value.Value is "*" || value.Value!.StartsWith('<') || value.Value.StartsWith('>') || value.Value.Contains("..", StringComparison.Ordinal))
            {
                _diagnostics.Add(value, PolicyErrorKind.BadValue, $"value '{value.Value}' of '{name}' would read as a condition; choose another name");
            }
            else
            {
                values.Add(value.Value);
            }
        }

        if (values.Count is 0 or > ValueSet.MaxValues)
        {
            _diagnostics.Add(valuesNode, PolicyErrorKind.BadValue, $"'{name}' needs between 1 and {ValueSet.MaxValues} values");
            return null;
        }

        var defaultValue = reader.String("default", required: false);
        if (defaultValue is not null && !values.Contains(defaultValue))
        {
            _diagnostics.Add(reader.Optional("default")!, PolicyErrorKind.UnknownReference, $"default '{defaultValue}' is not a value of '{name}' ({string.Join(", ", values)})");
        }

        return new PolicyInput(name, InputSource.Fact, ordered, values, defaultValue, Diagnostics.PositionOf(item));
    }

    private (List<DecisionRow> Rows, Outcome? Default, YamlNode? Node) ParseTable(YamlNode? node)
    {
        var rows = new List<DecisionRow>();
        var reader = MappingReader.Open(node, _diagnostics, "the table", TableKeys);
        if (reader is null)
        {
            return (rows, null, null);
        }

        Outcome? defaultOutcome = reader.Optional("default") is { } defaultNode ? ParseOutcome(defaultNode) : null;
        var rowsNode = reader.Required("rows");
        if (rowsNode is null)
        {
            return (rows, defaultOutcome, node);
        }

        var rowKeys = _inputs.Select(i => i.Name).Append("outcome").Append("note").ToArray();
        foreach (var item in Sequence(rowsNode, "rows"))
        {
            var row = _inputsValid ? MappingReader.Open(item, _diagnostics, $"row {rows.Count + 1}", rowKeys) : null;
            if (row is null)
            {
                rows.Add(new DecisionRow(rows.Count + 1, new Dictionary<string, ValueSet>(), new Dictionary<string, string>(), Outcome.Track, null, Diagnostics.PositionOf(item)));
                continue;
            }

            var outcomeNode = row.Required("outcome");
            var outcome = outcomeNode is null ? null : ParseOutcome(outcomeNode);
            var (conditions, written) = ParseConditions(row.Node, excluded: ["outcome", "note"]);
            rows.Add(new DecisionRow(rows.Count + 1, conditions, written, outcome ?? Outcome.Track, row.String("note", required: false), Diagnostics.PositionOf(item)));
        }

        return (rows, defaultOutcome, node);
    }

    /// <summary>Conditions of a row or a <c>when</c>: each key an input, each value a condition over it.</summary>
    private (Dictionary<string, ValueSet> Sets, Dictionary<string, string> Written) ParseConditions(YamlMappingNode node, string[] excluded)
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

    private int? ValueIndex(PolicyInput input, YamlNode node, string value)
    {
        var index = input.IndexOf(value);
        if (index >= 0)
        {
            return index;
        }

        _diagnostics.Add(node, PolicyErrorKind.UnknownReference, $"'{value}' is not a value of '{input.Name}' (one of: {string.Join(", ", input.Values)})");
        return null;
    }

    private Outcome? ParseOutcome(YamlNode node)
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

    private List<OutcomeSpec> ParseOutcomes(YamlNode? node)
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
            var spec = MappingReader.Open(reader.Optional(outcome.ToString()), _diagnostics, $"outcome {outcome}", OutcomeKeys);
            if (spec is null)
            {
                continue;
            }

            var obligations = new List<ObligationSpec>();
            if (spec.Optional("obligations") is { } list)
            {
                foreach (var item in Sequence(list, "obligations"))
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
        var reader = MappingReader.Open(node, _diagnostics, "an obligation", ObligationKeys);
        if (reader is null)
        {
            return null;
        }

        var kindText = reader.String("kind", required: true);
        var kindIndex = kindText is null ? -1 : IndexIn(ObligationSpec.KindNames, kindText);
        if (kindText is not null && kindIndex < 0)
        {
            _diagnostics.Add(reader.Optional("kind")!, PolicyErrorKind.BadValue, $"'{kindText}' is not an obligation kind (one of: {string.Join(", ", ObligationSpec.KindNames)})");
        }

        var party = reader.String("party", required: true);
        if (party is not null && !_parties.ContainsKey(party))
        {
            _diagnostics.Add(reader.Optional("party")!, PolicyErrorKind.UnknownReference,
                $"party '{party}' is not declared under 'parties' ({string.Join(", ", _parties.Keys)})");
        }

        var fromText = reader.String("from", required: true);
        var fromIndex = fromText is null ? -1 : IndexIn(CaseClock.EventNames, fromText);
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
        if (reader.Optional("when") is { } whenNode && _inputsValid
            && MappingReader.Open(whenNode, _diagnostics, "'when'", [.. _inputs.Select(i => i.Name)]) is { } whenReader)
        {
            (when, whenWritten) = ParseConditions(whenReader.Node, excluded: []);
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
        _diagnostics.Add(position with { Column = position.Column + offset + QuoteWidth(node) }, PolicyErrorKind.BadDuration, $"'{text}' is not an ISO 8601 duration: {error}");
        return null;
    }

    private IEnumerable<YamlNode> Sequence(YamlNode node, string what)
    {
        if (node is YamlSequenceNode sequence)
        {
            return sequence.Children;
        }

        _diagnostics.Add(node, PolicyErrorKind.BadValue, $"'{what}' must be a list");
        return [];
    }

    private bool TryBoolean(YamlNode node, string what, out bool value)
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

    private static int IndexIn(IReadOnlyList<string> names, string text)
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

    private static int QuoteWidth(YamlNode node) =>
        node is YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.SingleQuoted or YamlDotNet.Core.ScalarStyle.DoubleQuoted } ? 1 : 0;
}
