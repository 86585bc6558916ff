using Jailgrade.Policy.Obligations;
using Jailgrade.Standard;
using Jailgrade.Standard.Probabilities;

namespace Jailgrade.Policy.Decisions;

/// <summary>
/// One case to decide: the JG vector (its base band, tier, EX, DP and MS feed the table), the case
/// facts by input name (<c>incident</c> → <c>death</c>), the case clock, optionally the countries the
/// release is offered in, and optionally band probabilities that replace the vector's band.
/// </summary>
public sealed record DecisionRequest(JgVector Vector)
{
    private static readonly IReadOnlyDictionary<string, string> NoFacts = new Dictionary<string, string>();

    /// <summary>Case facts by input name.</summary>
    public IReadOnlyDictionary<string, string> Facts { get; init; } = NoFacts;

    /// <summary>The case's clock.</summary>
    public CaseClock Clock { get; init; }

    /// <summary>Countries (ISO 3166-1 alpha-2) the release is offered in; null when not asked.</summary>
    public IReadOnlyList<string>? Countries { get; init; }

    /// <summary>Band probabilities; when given, the band is the highest with P(≥ band) ≥ the policy's confidence.</summary>
    public BandDistribution? BandProbabilities { get; init; }
}
