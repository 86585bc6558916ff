using Jailgrade.Policy.Tables;
using YamlDotNet.RepresentationModel;

namespace Jailgrade.Policy.Internal;

/// <summary>'inputs': the standard metrics and the declared case facts the table decides on.</summary>
internal sealed class InputsReader(PolicyReading reading)
{
    private readonly PolicyReading _reading = reading;
    private readonly Diagnostics _diagnostics = reading.Diagnostics;
    private readonly List<PolicyInput> _inputs = reading.Inputs;

    public void ParseInputs(YamlNode? node)
    {
        if (node is null)
        {
            _reading.InputsValid = false;
            return;
        }

        var errorsBefore = _diagnostics.Errors.Count;
        foreach (var item in _reading.Sequence(node, "inputs"))
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

        _reading.InputsValid = _diagnostics.Errors.Count == errorsBefore;
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
        var reader = MappingReader.Open(item, _diagnostics, "an input", PolicyParser.InputKeys);
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

        if (!PolicyReading.IdPattern().IsMatch(name) || name == "outcome" || name == "note")
        {
            _diagnostics.Add(reader.Optional("name")!, PolicyErrorKind.BadValue, $"input name '{name}' must be lower-case letters, digits and hyphens, and not 'outcome' or 'note'");
            return null;
        }

        var orderedNode = reader.Required("ordered");
        var ordered = false;
        if (orderedNode is not null && !_reading.TryBoolean(orderedNode, "'ordered'", out ordered))
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
}
