using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Jailgrade.Policy.Internal;

/// <summary>Collects a file's errors so that one load reports all of them, not just the first.</summary>
internal sealed class Diagnostics(string source)
{
    private readonly List<PolicyError> _errors = [];

    public string Source { get; } = source;

    public IReadOnlyList<PolicyError> Errors => _errors;

    public bool HasErrors => _errors.Count > 0;

    public void Add(SourcePosition position, PolicyErrorKind kind, string message)
    {
        // A YAML alias repeats its anchor's node, and with it the node's errors: report each once.
        var error = new PolicyError(Source, position.Line, position.Column, kind, message);
        if (!_errors.Contains(error))
        {
            _errors.Add(error);
        }
    }

    public void Add(YamlNode node, PolicyErrorKind kind, string message) => Add(PositionOf(node), kind, message);

    public static SourcePosition PositionOf(YamlNode node) => PositionOf(node.Start);

    public static SourcePosition PositionOf(Mark mark) => new((int)mark.Line, (int)mark.Column);
}
