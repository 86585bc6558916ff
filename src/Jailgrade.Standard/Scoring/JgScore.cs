using Jailgrade.Standard.Internal;

namespace Jailgrade.Standard.Scoring;

/// <summary>
/// The full result of scoring one vector: the base score and band, the three criterion sub-scores
/// (log-points; their sum is the raw score before the zero rule, tier cap and floor), the cyber-scale
/// equivalent, and the current score when the vector carries a mitigation status.
/// </summary>
public readonly record struct JgScore(
    JgVector Vector,
    Score Base,
    Score Bypass,
    Score Capability,
    Score Impact,
    Score? Current)
{
    /// <summary>The band of the base score.</summary>
    public Band Band => Base.Band;

    /// <summary>The raw sum of the sub-scores, before the zero rule, the tier cap and the floor.</summary>
    public Score Raw => new(Bypass.Tenths + Capability.Tenths + Impact.Tenths);

    /// <summary>
    /// The equivalent band of the 2026 draft industry cyber-jailbreak scale, <c>CJS-0</c> (None) to
    /// <c>CJS-4</c> (Critical), for the cyber domain only; <see langword="null"/> for other domains.
    /// </summary>
    public string? Cjs => Vector[Metric.HazardDomain] == MetricTables.CyberIndex ? CjsLabels[(int)Band] : null;

    private static readonly string[] CjsLabels = ["CJS-0", "CJS-1", "CJS-2", "CJS-3", "CJS-4"];
}
