using Jailgrade.Standard;
using Jailgrade.Standard.Scoring;

namespace Jailgrade.Policy.Consensus;

/// <summary>One party's assessment of a case: who assessed it and the vector they gave.</summary>
public sealed record PartyAssessment(string Party, JgVector Vector);

/// <summary>Which assessment stands, and why.</summary>
public sealed record ConsensusResult(PartyAssessment Standing, string Reason);

/// <summary>Which grade stands when no deciding party has assessed the case.</summary>
public enum ConsensusFallback
{
    /// <summary>The highest base score stands until the dispute is resolved (precautionary).</summary>
    Highest,
    /// <summary>The lowest base score stands until the dispute is resolved.</summary>
    Lowest,
}

/// <summary>
/// How a policy forms a consensus from several parties' assessments of one case (DESIGN.md,
/// "Disputes"): the deciding party's assessment stands when there is one (e.g. an accredited
/// auditor's); otherwise the highest (or lowest) base score stands, ties going to the higher
/// (or lower) hazard tier, then to the assessment listed first.
/// </summary>
public sealed class ConsensusRule(string? decidingParty, ConsensusFallback otherwise)
{
    /// <summary>The rule when a policy states none: no deciding party, the highest grade stands.</summary>
    public static ConsensusRule Default { get; } = new(null, ConsensusFallback.Highest);

    /// <summary>The party whose assessment decides when present, or <see langword="null"/>.</summary>
    public string? DecidingParty { get; } = decidingParty;

    /// <summary>Which grade stands otherwise.</summary>
    public ConsensusFallback Otherwise { get; } = otherwise;

    /// <summary>The assessment that stands. Throws <see cref="ArgumentException"/> when there is none.</summary>
    public ConsensusResult Resolve(IReadOnlyList<PartyAssessment> assessments)
    {
        ArgumentNullException.ThrowIfNull(assessments);
        if (assessments.Count == 0)
        {
            throw new ArgumentException("A consensus needs at least one assessment.", nameof(assessments));
        }

        // The deciding party's latest assessment stands.
        if (DecidingParty is { } party && assessments.LastOrDefault(a => a.Party == party) is { } deciding)
        {
            return new ConsensusResult(deciding, $"{party}'s assessment decides under this policy");
        }

        var sign = Otherwise == ConsensusFallback.Highest ? 1 : -1;
        var standing = assessments[0];
        foreach (var candidate in assessments.Skip(1))
        {
            var byScore = JgScorer.BaseTenths(candidate.Vector).CompareTo(JgScorer.BaseTenths(standing.Vector));
            var byTier = candidate.Vector.Tier.CompareTo(standing.Vector.Tier);
            if (sign * byScore > 0 || (byScore == 0 && sign * byTier > 0))
            {
                standing = candidate;
            }
        }

        var which = Otherwise == ConsensusFallback.Highest ? "highest" : "lowest";
        var reason = assessments.Count == 1
            ? $"only {standing.Party} has assessed the case"
            : $"no {(DecidingParty is null ? "deciding party" : DecidingParty)} assessment; the {which} grade ({standing.Party}, {JgScorer.Score(standing.Vector).Base}) stands until the dispute is resolved";
        return new ConsensusResult(standing, reason);
    }
}
