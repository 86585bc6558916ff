namespace Jailgrade.Policy.Decisions;

/// <summary>One case whose decision differs between two policies.</summary>
/// <param name="Id">The case's id.</param>
/// <param name="Before">The decision under the first policy.</param>
/// <param name="After">The decision under the second policy.</param>
/// <param name="Changes">What changed, one line each (outcome, obligations added or dropped, eligibility).</param>
public sealed record DecisionChange(string Id, Decision Before, Decision After, IReadOnlyList<string> Changes);

/// <summary>What-if analysis: which decisions change between two policies over the same cases.</summary>
public static class PolicyDiff
{
    /// <summary>
    /// Decides every case under both policies and returns the ones whose outcome, obligations or
    /// eligibility differ. A case one policy cannot decide (a fact it lacks) is reported in
    /// <c>errors</c>. No clock is injected: cases state the times they use.
    /// </summary>
    public static (List<DecisionChange> Changes, List<string> Errors) Compare(JgPolicy before, JgPolicy after, IEnumerable<DecisionCase> cases)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        ArgumentNullException.ThrowIfNull(cases);
        var changes = new List<DecisionChange>();
        var errors = new List<string>();
        foreach (var (id, request) in cases)
        {
            if (!before.TryDecide(request, null, out var a, out var errorA))
            {
                errors.Add($"{id}: {before.Id}: {errorA}");
                continue;
            }

            if (!after.TryDecide(request, null, out var b, out var errorB))
            {
                errors.Add($"{id}: {after.Id}: {errorB}");
                continue;
            }

            var lines = Differences(a!, b!);
            if (lines.Count > 0)
            {
                changes.Add(new DecisionChange(id, a!, b!, lines));
            }
        }

        return (changes, errors);
    }

    private static List<string> Differences(Decision a, Decision b)
    {
        var lines = new List<string>();
        if (a.Outcome != b.Outcome)
        {
            lines.Add($"outcome {a.Outcome} → {b.Outcome}");
        }

        var before = a.Obligations.Select(o => o.Describe()).ToList();
        var after = b.Obligations.Select(o => o.Describe()).ToList();
        lines.AddRange(before.Except(after).Select(o => $"- {o}"));
        lines.AddRange(after.Except(before).Select(o => $"+ {o}"));
        foreach (var ladder in b.Eligibility)
        {
            var old = a.Eligibility.FirstOrDefault(l => l.Tier.Name == ladder.Tier.Name);
            var was = old is null ? "(no such tier)" : string.Join(' ', old.Rules.Select(r => r.AccessName));
            var now = string.Join(' ', ladder.Rules.Select(r => r.AccessName));
            if (was != now)
            {
                lines.Add($"eligibility {ladder.Tier.Name}: {was} → {now}");
            }
        }

        foreach (var gone in a.Eligibility.Where(old => b.Eligibility.All(l => l.Tier.Name != old.Tier.Name)))
        {
            lines.Add($"eligibility {gone.Tier.Name}: {string.Join(' ', gone.Rules.Select(r => r.AccessName))} → (no such tier)");
        }

        return lines;
    }
}
