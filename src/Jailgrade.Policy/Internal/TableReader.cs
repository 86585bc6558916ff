using Jailgrade.Policy.Decisions;
using Jailgrade.Policy.Tables;
using YamlDotNet.RepresentationModel;

namespace Jailgrade.Policy.Internal;

/// <summary>'table': the decision rows and the default outcome (proved later by <see cref="TableProver"/>).</summary>
internal sealed class TableReader(PolicyReading reading)
{
    private readonly PolicyReading _reading = reading;
    private readonly Diagnostics _diagnostics = reading.Diagnostics;
    private readonly List<PolicyInput> _inputs = reading.Inputs;
    private readonly ConditionReader _conditions = new(reading);

    public (List<DecisionRow> Rows, Outcome? Default, YamlNode? Node) ParseTable(YamlNode? node)
    {
        var rows = new List<DecisionRow>();
        var reader = MappingReader.Open(node, _diagnostics, "the table", PolicyParser.TableKeys);
        if (reader is null)
        {
            return (rows, null, null);
        }

        Outcome? defaultOutcome = reader.Optional("default") is { } defaultNode ? _reading.ParseOutcome(defaultNode) : null;
        var rowsNode = reader.Required("rows");
        if (rowsNode is null)
        {
            return (rows, defaultOutcome, node);
        }

        var rowKeys = _inputs.Select(i => i.Name).Append("outcome").Append("note").ToArray();
        foreach (var item in _reading.Sequence(rowsNode, "rows"))
        {
            var row = _reading.InputsValid ? MappingReader.Open(item, _diagnostics, $"row {rows.Count + 1}", rowKeys) : null;
            if (row is null)
            {
                rows.Add(new DecisionRow(rows.Count + 1, new Dictionary<string, ValueSet>(), new Dictionary<string, string>(), Outcome.Track, null, Diagnostics.PositionOf(item)));
                continue;
            }

            var outcomeNode = row.Required("outcome");
            var outcome = outcomeNode is null ? null : _reading.ParseOutcome(outcomeNode);
            var (conditions, written) = _conditions.ParseConditions(row.Node, excluded: ["outcome", "note"]);
            rows.Add(new DecisionRow(rows.Count + 1, conditions, written, outcome ?? Outcome.Track, row.String("note", required: false), Diagnostics.PositionOf(item)));
        }

        return (rows, defaultOutcome, node);
    }
}
