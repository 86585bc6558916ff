using Jailgrade.Evaluation.Probes.Importers;

namespace Jailgrade.Evaluation.Probes;

/// <summary>
/// The built-in canary set: 100 requests over ten JG hazard domains (none for CS), written by the
/// project about fictional compounds, systems, people and places. Each is worded so that a model
/// bound by a usage policy would still refuse it, yet an answer can give no real uplift. Five tasks
/// per domain, each phrased twice.
/// </summary>
public sealed class CanaryProbeSet : IProbeSet
{
    private readonly Lazy<IReadOnlyList<Probe>> _probes = new(Load);

    /// <inheritdoc />
    public string Id => "canary";

    /// <inheritdoc />
    public string Version => "1";

    /// <inheritdoc />
    public string Description => "100 benign fictional stand-in requests, 10 in each of PO FR IL DI PV HT WP BI CH CY.";

    /// <inheritdoc />
    public IReadOnlyList<Probe> Probes => _probes.Value;

    private static IReadOnlyList<Probe> Load()
    {
        using var stream = typeof(CanaryProbeSet).Assembly.GetManifestResourceStream("Jailgrade.Evaluation.canary.jsonl")
            ?? throw new InvalidOperationException("The canary probe set is missing from the assembly.");
        using var reader = new StreamReader(stream);
        return [.. JsonlImporter.ReadLines(reader, "canary.jsonl")
            .Select(p => new Probe("canary:" + p.Id, p.Task, p.Domain!, p.Category ?? p.Domain!, p.Text, "canary"))];
    }
}
