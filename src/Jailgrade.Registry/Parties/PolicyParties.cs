using Jailgrade.Registry.Cases;

namespace Jailgrade.Registry.Parties;

/// <summary>How the registry finds the organizations behind one of a policy's party names.</summary>
public enum PartyRule
{
    /// <summary>The authority the case was filed with, unless the authority configured organizations for the name.</summary>
    CaseAuthority,

    /// <summary>The case's assigned auditors that are accredited.</summary>
    AccreditedAuditors,

    /// <summary>The involvement's lab (the lab, the provider).</summary>
    InvolvementLab,

    /// <summary>A team or officer inside the involvement's lab: the lab routes it internally.</summary>
    LabInternal,

    /// <summary>The organization that reported the case.</summary>
    Reporter,

    /// <summary>The organizations the authority configured for the name.</summary>
    Configured,
}

/// <summary>One party of a policy, resolved for one involvement: its organizations, or why there are none.</summary>
public sealed record ResolvedParty(string Name, PartyRule Rule, IReadOnlyList<Guid> Organizations, string? Unresolved)
{
    /// <summary>Whether at least one organization plays the party.</summary>
    public bool IsResolved => Unresolved is null;
}

/// <summary>
/// Resolves a policy's party names to organizations for one involvement of one case (docs/registry.md,
/// "Policy parties"). Pure: the caller reads the authority's configuration, the case, its assigned
/// auditors and which of them are accredited; nothing here touches the database. A party with no
/// organization comes back unresolved with the reason, never dropped.
/// </summary>
public static class PolicyParties
{
    /// <summary>The party names the registry has a rule for. Any other name is looked up in the authority's configuration.</summary>
    public static IReadOnlyDictionary<string, PartyRule> Rules { get; } = new Dictionary<string, PartyRule>(StringComparer.Ordinal)
    {
        ["government-authority"] = PartyRule.CaseAuthority,
        ["accredited-auditor"] = PartyRule.AccreditedAuditors,
        ["lab"] = PartyRule.InvolvementLab,
        ["provider"] = PartyRule.InvolvementLab,
        ["safeguards-team"] = PartyRule.LabInternal,
        ["red-team"] = PartyRule.LabInternal,
        ["responsible-scaling-officer"] = PartyRule.LabInternal,
        ["reporter"] = PartyRule.Reporter,
        ["affected-deployers"] = PartyRule.Configured,
        ["hosting-partners"] = PartyRule.Configured,
        ["ai-office"] = PartyRule.Configured,
        ["csirt"] = PartyRule.Configured,
    };

    /// <summary>The rule for a party name: its own, or <see cref="PartyRule.Configured"/> for a name the registry does not know.</summary>
    public static PartyRule RuleOf(string party) => Rules.GetValueOrDefault(party, PartyRule.Configured);

    /// <summary>Whether an authority may name organizations for the party (the case decides the others).</summary>
    public static bool IsConfigurable(string party) => RuleOf(party) is PartyRule.Configured or PartyRule.CaseAuthority;

    /// <summary>
    /// Resolves each of <paramref name="parties"/>, in their order.
    /// </summary>
    /// <param name="parties">The policy's party names.</param>
    /// <param name="configured">The organizations the case's authority named per party (empty when none).</param>
    /// <param name="header">The case.</param>
    /// <param name="involvement">The lab's part of the case the parties are resolved for.</param>
    /// <param name="assignedAuditors">The auditor organizations assigned to the case, in assignment order.</param>
    /// <param name="accredited">Which of them are accredited (for the case's scope, by its authority, now).</param>
    public static IReadOnlyList<ResolvedParty> Resolve(
        IEnumerable<string> parties,
        IReadOnlyDictionary<string, IReadOnlyList<Guid>> configured,
        CaseHeader header,
        Involvement involvement,
        IReadOnlyList<Guid> assignedAuditors,
        Func<Guid, bool> accredited)
    {
        ArgumentNullException.ThrowIfNull(parties);
        ArgumentNullException.ThrowIfNull(configured);
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(involvement);
        ArgumentNullException.ThrowIfNull(assignedAuditors);
        ArgumentNullException.ThrowIfNull(accredited);
        if (involvement.CaseId != header.Id)
        {
            throw new ArgumentException($"involvement {involvement.Id:D} belongs to case {involvement.CaseId:D}, not {header.Id:D}", nameof(involvement));
        }

        return [.. parties.Select(name => Resolve(name, configured, header, involvement, assignedAuditors, accredited))];
    }

    private static ResolvedParty Resolve(string name, IReadOnlyDictionary<string, IReadOnlyList<Guid>> configured, CaseHeader header, Involvement involvement, IReadOnlyList<Guid> assignedAuditors, Func<Guid, bool> accredited)
    {
        var rule = RuleOf(name);
        var named = configured.GetValueOrDefault(name) ?? [];
        switch (rule)
        {
            case PartyRule.CaseAuthority:
                return new(name, rule, named.Count > 0 ? named : [header.AuthorityId], null);
            case PartyRule.InvolvementLab or PartyRule.LabInternal:
                return new(name, rule, [involvement.LabId], null);
            case PartyRule.Reporter:
                return new(name, rule, [header.ReporterId], null);
            case PartyRule.AccreditedAuditors:
                var auditors = assignedAuditors.Where(accredited).Distinct().ToList();
                return auditors.Count > 0
                    ? new(name, rule, auditors, null)
                    : new(name, rule, [], assignedAuditors.Count == 0
                        ? $"no auditor is assigned to case {header.Id:D}"
                        : $"none of the {assignedAuditors.Count} auditors assigned to case {header.Id:D} is accredited");
            default:
                return named.Count > 0
                    ? new(name, rule, [.. named.Distinct()], null)
                    : new(name, rule, [], $"no organization is configured for '{name}' by the authority {header.AuthorityId:D}");
        }
    }
}
