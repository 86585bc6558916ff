using Jailgrade.Registry.Internal;

namespace Jailgrade.Registry.Cases;

/// <summary>Who may make a transition (docs/registry.md, "Lifecycle of an involvement").</summary>
public enum TransitionParty
{
    /// <summary>A user of the involvement's own lab.</summary>
    Lab,

    /// <summary>A regulator of the case's authority, or an auditor assigned to the case.</summary>
    Overseer,

    /// <summary>A regulator of the case's authority.</summary>
    Regulator,
}

/// <summary>
/// The transitions an involvement may make by <c>POST .../transition</c>. <c>triaged</c> is entered by
/// triage, <c>assessed</c> and <c>decided</c> only by the operations that file an assessment or a
/// decision (the next part), so none of them is a target here.
/// </summary>
public static class Lifecycle
{
    public static IReadOnlyList<(InvolvementStatus From, InvolvementStatus To, TransitionParty By)> Transitions { get; } =
    [
        (InvolvementStatus.Triaged, InvolvementStatus.Mitigating, TransitionParty.Lab),
        (InvolvementStatus.Assessed, InvolvementStatus.Mitigating, TransitionParty.Lab),
        (InvolvementStatus.Decided, InvolvementStatus.Mitigating, TransitionParty.Lab),
        (InvolvementStatus.Reopened, InvolvementStatus.Mitigating, TransitionParty.Lab),
        (InvolvementStatus.Mitigating, InvolvementStatus.Verifying, TransitionParty.Lab),
        (InvolvementStatus.Verifying, InvolvementStatus.Closed, TransitionParty.Overseer),
        (InvolvementStatus.Verifying, InvolvementStatus.Mitigating, TransitionParty.Overseer),
        (InvolvementStatus.Closed, InvolvementStatus.Reopened, TransitionParty.Overseer),
        (InvolvementStatus.Reopened, InvolvementStatus.Triaged, TransitionParty.Regulator),
    ];

    /// <summary>
    /// The order a case's status is derived in: the least advanced involvement the caller sees names it
    /// (a reopened one pulls the case back to the front).
    /// </summary>
    public static IReadOnlyList<InvolvementStatus> DerivationOrder { get; } =
    [
        InvolvementStatus.Reported,
        InvolvementStatus.Reopened,
        InvolvementStatus.Triaged,
        InvolvementStatus.Assessed,
        InvolvementStatus.Decided,
        InvolvementStatus.Mitigating,
        InvolvementStatus.Verifying,
        InvolvementStatus.Closed,
    ];

    /// <summary>The states reachable from <paramref name="from"/> by a transition, in lifecycle order.</summary>
    public static IReadOnlyList<InvolvementStatus> AllowedFrom(InvolvementStatus from) =>
        [.. Transitions.Where(t => t.From == from).Select(t => t.To).Distinct().Order()];

    /// <summary>Who may move an involvement from one state to another; null when the transition does not exist.</summary>
    public static TransitionParty? Party(InvolvementStatus from, InvolvementStatus to) =>
        Transitions.Where(t => t.From == from && t.To == to).Select(t => (TransitionParty?)t.By).FirstOrDefault();

    /// <summary>The derived status among some involvement statuses: the least advanced, or <c>reported</c> for none.</summary>
    public static InvolvementStatus Derive(IEnumerable<InvolvementStatus> statuses) =>
        statuses.DefaultIfEmpty(InvolvementStatus.Reported).MinBy(Rank);

    public static int Rank(InvolvementStatus status) => DerivationOrder.ToList().IndexOf(status);

    public static string Name(InvolvementStatus status) => LowerCaseEnumNames<InvolvementStatus>.Name(status);
}
