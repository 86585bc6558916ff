using System.Collections.Frozen;
using Jailgrade.Policy.Decisions;
using Jailgrade.Policy.Eligibility;

namespace Jailgrade.Policy.Gate;

/// <summary>An open case bearing on a release: its id and the decision taken on it.</summary>
public sealed record GateCase(string Release, string CaseId, Decision Decision);

/// <summary>The gate's answer: the access, its conditions, and why.</summary>
public sealed record GateAnswer(Access Access, IReadOnlyList<string> Conditions, string Reason)
{
    /// <summary><c>allow</c>, <c>allow-with-conditions</c> or <c>deny</c>.</summary>
    public string AccessName => new AccessRule(Access, Conditions).AccessName;
}

/// <summary>
/// The policy decision point a deployment gateway asks per request or session (DESIGN.md, "Control
/// and verify"): may a user in this country, verified to this level, reach this release? Built once
/// from the open cases' decisions and then answered from memory: every (release, country, level)
/// answer is precomputed, so asking is two lookups. Immutable; when cases or decisions change, build
/// a new snapshot and swap it in (<see cref="GateHolder"/>).
/// </summary>
public sealed class GateSnapshot
{
    private static readonly GateAnswer Unrestricted = new(Access.Allow, [], "no open case restricts this release");

    private readonly FrozenDictionary<string, FrozenDictionary<string, GateAnswer[]>> _answers;

    private GateSnapshot(FrozenDictionary<string, FrozenDictionary<string, GateAnswer[]>> answers) => _answers = answers;

    /// <summary>A gate with no open cases: everything is allowed.</summary>
    public static GateSnapshot Empty { get; } = Build([]);

    /// <summary>
    /// Builds the gate. Where several open cases bear on one release, the most restrictive answer
    /// wins (the lowest access; with conditions, the union of the binding cases' conditions), and
    /// the reason names the cases that bind.
    /// </summary>
    public static GateSnapshot Build(IEnumerable<GateCase> openCases)
    {
        ArgumentNullException.ThrowIfNull(openCases);
        var byRelease = new Dictionary<string, FrozenDictionary<string, GateAnswer[]>>(StringComparer.Ordinal);
        foreach (var release in openCases.GroupBy(c => c.Release, StringComparer.Ordinal))
        {
            var cases = release.OrderBy(c => c.CaseId, StringComparer.Ordinal).ToList();
            var byCountry = new Dictionary<string, GateAnswer[]>(StringComparer.Ordinal);

            // An answer depends on the country only through the tier each case's policy puts it in:
            // compute each distinct combination of tiers once and share it.
            var byTiers = new Dictionary<string, GateAnswer[]>(StringComparer.Ordinal);
            foreach (var country in Countries.All)
            {
                var tiers = string.Join(',', cases.Select(c => c.Decision.TierIndexOf(country)));
                if (!byTiers.TryGetValue(tiers, out var answers))
                {
                    answers = [.. IdentityLevels.All.Select(level => Combine(cases, country, level))];
                    byTiers[tiers] = answers;
                }

                byCountry[country] = answers;
            }

            byRelease[release.Key] = byCountry.ToFrozenDictionary(StringComparer.Ordinal);
        }

        return new GateSnapshot(byRelease.ToFrozenDictionary(StringComparer.Ordinal));
    }

    /// <summary>
    /// The answer for one request. A release with no open case is allowed; an unknown country code is
    /// denied (the gate fails closed) with a reason saying so.
    /// </summary>
    public GateAnswer Ask(string release, string country, IdentityLevel level)
    {
        ArgumentNullException.ThrowIfNull(release);
        ArgumentNullException.ThrowIfNull(country);
        if (!_answers.TryGetValue(release, out var byCountry))
        {
            return Countries.IsKnown(country) ? Unrestricted : UnknownCountry(country);
        }

        return byCountry.TryGetValue(country, out var answers) ? answers[(int)level] : UnknownCountry(country);
    }

    // Lower case ('us') is as unknown as 'XX': the gateway must send what policies use. The reason
    // names the code meant so the integration gets fixed, while the answer stays a denial.
    private static GateAnswer UnknownCountry(string country)
    {
        Countries.TryCheck(country, out var error);
        return new(Access.Deny, [], $"{error}; the gate fails closed");
    }

    private static GateAnswer Combine(List<GateCase> cases, string country, IdentityLevel level)
    {
        var rules = cases.Select(c => (Case: c, Rule: c.Decision.AccessFor(country, level))).ToList();
        var access = rules.Min(r => r.Rule.Access);
        var binding = rules.Where(r => r.Rule.Access == access).ToList();
        var conditions = access == Access.AllowWithConditions
            ? binding.SelectMany(r => r.Rule.Conditions).Distinct(StringComparer.Ordinal).ToList()
            : [];
        var because = string.Join("; ", binding.Select(r =>
            $"case {r.Case.CaseId}: {r.Case.Decision.Outcome} under {r.Case.Decision.Policy.Id} {r.Case.Decision.Policy.Version}, tier {r.Case.Decision.Eligibility[r.Case.Decision.TierIndexOf(country)].Tier.Name}"));
        return new GateAnswer(access, conditions, $"{new AccessRule(access, conditions).AccessName} at level {level.Name()}: {because}");
    }
}

/// <summary>
/// Holds the current <see cref="GateSnapshot"/> for concurrent readers; writers swap in a rebuilt
/// snapshot when cases or decisions change. Reads never lock.
/// </summary>
public sealed class GateHolder
{
    private GateSnapshot _current = GateSnapshot.Empty;

    /// <summary>The snapshot answering now.</summary>
    public GateSnapshot Current => Volatile.Read(ref _current);

    /// <summary>Replaces the snapshot; readers see either the old or the new one, never a mix.</summary>
    public void Replace(GateSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        Volatile.Write(ref _current, snapshot);
    }
}
