using System.Globalization;

namespace Jailgrade.Evaluation.Storage;

/// <summary>
/// One unit of work, as plain data: which target, attack, probe and sample. Its <see cref="Key"/> is
/// idempotent — running an item twice stores one result — so any process may run any subset of a
/// campaign's items (a pool of workers fed by a broker, or a resume after a crash).
/// </summary>
public sealed record WorkItem(string Target, string Attack, string Probe, int Sample)
{
    /// <summary>The result key: <c>target|attack|probe|sample</c>.</summary>
    public string Key => string.Create(CultureInfo.InvariantCulture, $"{Target}|{Attack}|{Probe}|{Sample}");
}
