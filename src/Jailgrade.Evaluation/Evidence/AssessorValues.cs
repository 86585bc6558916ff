using Jailgrade.Standard;

namespace Jailgrade.Evaluation.Evidence;

/// <summary>
/// The metrics a campaign cannot measure, as the assessor supplies them:
/// <c>AC:L,AR:N,EX:N,DP:G,UP:2</c>, with per-domain values where they differ (<c>UP:CY=3,BI=2</c>).
/// <c>FD</c> may be given for when only the keyword judge ran; a measured FD is used when there is one.
/// </summary>
public sealed class AssessorValues
{
    /// <summary>The metrics an assessor may supply.</summary>
    public static IReadOnlyList<Metric> Supplied { get; } =
        [Metric.AttackComplexity, Metric.AccessRequired, Metric.CapabilityGain, Metric.Fidelity, Metric.Exploitation, Metric.DeploymentExposure];

    private readonly Dictionary<Metric, int> _general = [];
    private readonly Dictionary<(Metric, string), int> _perDomain = [];

    private AssessorValues()
    {
    }

    /// <summary>No values at all.</summary>
    public static AssessorValues None { get; } = new();

    /// <summary>Whether any value was given.</summary>
    public bool IsEmpty => _general.Count == 0 && _perDomain.Count == 0;

    /// <summary>Parses the <c>--set</c> text; on failure <paramref name="error"/> names the offending part.</summary>
    public static bool TryParse(string text, out AssessorValues values, out string error)
    {
        ArgumentNullException.ThrowIfNull(text);
        values = new AssessorValues();
        error = "";
        foreach (var part in SplitParts(text))
        {
            var colon = part.IndexOf(':', StringComparison.Ordinal);
            var definition = colon > 0 ? JgMetrics.Find(part.AsSpan(0, colon)) : null;
            if (definition is null || !Supplied.Contains(definition.Metric))
            {
                error = $"'{part}': expected METRIC:VALUE with METRIC one of {string.Join(", ", Supplied.Select(m => JgMetrics.Get(m).Abbreviation))}";
                return false;
            }

            var value = part[(colon + 1)..];
            if (!value.Contains('=', StringComparison.Ordinal))
            {
                if (!TryValue(definition, value, part, out var index, out error))
                {
                    return false;
                }

                values._general[definition.Metric] = index;
                continue;
            }

            foreach (var pair in value.Split(','))
            {
                var (domain, text2) = pair.Split('=') is [var d, var v] ? (d, v) : ("", "");
                if (JgMetrics.Get(Metric.HazardDomain).IndexOf(domain) < 0)
                {
                    error = $"'{part}': '{domain}' is not a JG hazard domain";
                    return false;
                }

                if (!TryValue(definition, text2, part, out var index, out error))
                {
                    return false;
                }

                values._perDomain[(definition.Metric, domain)] = index;
            }
        }

        return true;
    }

    /// <summary>The value index for a metric in a domain: the domain's own, else the general one.</summary>
    public int? Get(Metric metric, string domain) =>
        _perDomain.TryGetValue((metric, domain), out var own) ? own : _general.TryGetValue(metric, out var general) ? general : null;

    // "UP:CY=3,BI=2,AC:L" splits into "UP:CY=3,BI=2" and "AC:L": a comma starts a new part only before METRIC:.
    private static IEnumerable<string> SplitParts(string text)
    {
        var pieces = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var current = "";
        foreach (var piece in pieces)
        {
            if (piece.Contains(':', StringComparison.Ordinal) || current.Length == 0)
            {
                if (current.Length > 0)
                {
                    yield return current;
                }

                current = piece;
            }
            else
            {
                current += "," + piece;
            }
        }

        if (current.Length > 0)
        {
            yield return current;
        }
    }

    private static bool TryValue(MetricDefinition definition, string value, string part, out int index, out string error)
    {
        index = definition.IndexOf(value);
        error = index < 0 ? $"'{part}': '{value}' is not a value of {definition.Abbreviation} (expected one of {definition.ValueList})" : "";
        return index >= 0;
    }
}
