using Jailgrade.Yaml;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Jailgrade.Policy.Internal;

/// <summary>Collects a file's errors so that one load reports all of them, not just the first.</summary>
internal sealed class Diagnostics(string source)
{
    // Kept beyond what is reported so that sorting by position still finds the first ones; past
    // this many, errors are only counted (a file of a million unknown keys stays small in memory).
    private const int MaxKept = 100 * YamlLimits.MaxReportedErrors;

    private readonly List<PolicyError> _errors = [];
    private readonly HashSet<PolicyError> _seen = [];
    private int _dropped;

    public string Source { get; } = source;

    public IReadOnlyList<PolicyError> Errors => _errors;

    public bool HasErrors => _errors.Count > 0;

    public void Add(SourcePosition position, PolicyErrorKind kind, string message)
    {
        // A YAML alias repeats its anchor's node, and with it the node's errors: report each once.
        var error = new PolicyError(Source, position.Line, position.Column, kind, message);
        if (_errors.Count >= MaxKept)
        {
            _dropped += _seen.Contains(error) ? 0 : 1;
        }
        else if (_seen.Add(error))
        {
            _errors.Add(error);
        }
    }

    /// <summary>
    /// The errors in file order, at most <see cref="YamlLimits.MaxReportedErrors"/>; when there are
    /// more, a last line at the first one left out says how many.
    /// </summary>
    public List<PolicyError> Reported() =>
        YamlLimits.Report(_errors, e => (e.Line, e.Column), _dropped, (e, message) => e with { Message = message });

    public void Add(YamlNode node, PolicyErrorKind kind, string message) => Add(PositionOf(node), kind, message);

    public static SourcePosition PositionOf(YamlNode node) => PositionOf(node.Start);

    public static SourcePosition PositionOf(Mark mark) => new((int)mark.Line, (int)mark.Column);
}
