using Jailgrade.Policy.Tables;

namespace Jailgrade.Policy.Obligations;

/// <summary>Kinds of obligation an outcome carries.</summary>
public enum ObligationKind
{
    /// <summary>Tell a party (authority, auditor, deployers) about the case.</summary>
    Notify,
    /// <summary>Deploy a fix.</summary>
    Mitigate,
    /// <summary>Verify the fix (by the lab or an accredited auditor).</summary>
    Verify,
    /// <summary>Disclose publicly, within a window: not before, not after.</summary>
    Disclose,
    /// <summary>Recurring status updates until the case is resolved.</summary>
    Update,
    /// <summary>A final report, typically relative to resolution.</summary>
    Report,
}

/// <summary>
/// One obligation as the policy states it: what, for or by whom, from which clock event, and when.
/// Exactly one timing shape applies: <see cref="Within"/> (a deadline), a disclosure window
/// (<see cref="NotBefore"/>/<see cref="NotAfter"/>) or a recurrence (<see cref="Every"/>).
/// </summary>
public sealed class ObligationSpec
{
    internal ObligationSpec(ObligationKind kind, string party, ClockEvent from, IsoDuration? within, IsoDuration? notBefore, IsoDuration? notAfter, IsoDuration? every, IReadOnlyDictionary<string, ValueSet> when, IReadOnlyDictionary<string, string> whenWritten, string? note, SourcePosition position)
    {
        Kind = kind;
        Party = party;
        From = from;
        Within = within;
        NotBefore = notBefore;
        NotAfter = notAfter;
        Every = every;
        When = when;
        WhenWritten = whenWritten;
        Note = note;
        Position = position;
    }

    /// <summary>The kind of obligation.</summary>
    public ObligationKind Kind { get; }

    /// <summary>
    /// One of the policy's declared parties: the one told (notify, update, report), the one acting
    /// (mitigate, verify) or the one publishing (disclose).
    /// </summary>
    public string Party { get; }

    /// <summary>The clock event the obligation runs from.</summary>
    public ClockEvent From { get; }

    /// <summary>The deadline after <see cref="From"/>; for updates, the first update (default: <see cref="Every"/>).</summary>
    public IsoDuration? Within { get; }

    /// <summary>For disclosure: the earliest time after <see cref="From"/> (the embargo).</summary>
    public IsoDuration? NotBefore { get; }

    /// <summary>For disclosure: the latest time after <see cref="From"/>.</summary>
    public IsoDuration? NotAfter { get; }

    /// <summary>For updates: the interval between updates, until the case is resolved.</summary>
    public IsoDuration? Every { get; }

    /// <summary>The inputs the obligation is conditioned on; empty when it always applies.</summary>
    public IReadOnlyDictionary<string, ValueSet> When { get; }

    /// <summary>The condition as written, by input name.</summary>
    public IReadOnlyDictionary<string, string> WhenWritten { get; }

    /// <summary>An optional note (what the obligation is for, its source).</summary>
    public string? Note { get; }

    /// <summary>Where the obligation is declared.</summary>
    public SourcePosition Position { get; }

    /// <summary>The kind as written in policies and JSON (<c>notify</c>).</summary>
    public string KindName => KindNames[(int)Kind];

    /// <summary>Kind names as written in policies, by kind.</summary>
    public static IReadOnlyList<string> KindNames { get; } = ["notify", "mitigate", "verify", "disclose", "update", "report"];
}

/// <summary>
/// An obligation of one decision with its absolute times. <see cref="Due"/> is <see langword="null"/>
/// while the clock event it runs from is not known.
/// </summary>
/// <param name="Spec">The obligation as stated in the policy.</param>
/// <param name="Due">The deadline: the due time, the end of a disclosure window, or the first update.</param>
/// <param name="NotBefore">For disclosure: the start of the window.</param>
/// <param name="Until">For updates: when they stop (the resolution), if known.</param>
public readonly record struct ScheduledObligation(ObligationSpec Spec, DateTimeOffset? Due, DateTimeOffset? NotBefore, DateTimeOffset? Until)
{
    /// <summary>
    /// Whether the deadline had passed when the decision was taken (<see cref="Due"/> before the
    /// clock's <c>decided</c>); never while either is unknown.
    /// </summary>
    public bool Overdue { get; init; }

    /// <summary>Schedules an obligation on a case's clock, marking it overdue when it fell due before the decision.</summary>
    public static ScheduledObligation Schedule(ObligationSpec spec, CaseClock clock)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var start = clock[spec.From];
        if (start is not { } origin)
        {
            return new ScheduledObligation(spec, null, null, null);
        }

        var scheduled = spec.Kind switch
        {
            ObligationKind.Disclose => new ScheduledObligation(spec, spec.NotAfter?.After(origin), spec.NotBefore?.After(origin), null),
            ObligationKind.Update => new ScheduledObligation(spec, (spec.Within ?? spec.Every)?.After(origin), null, clock.Resolved),
            _ => new ScheduledObligation(spec, spec.Within?.After(origin), null, null),
        };
        return scheduled with { Overdue = scheduled.Due < clock.Decided };
    }

    /// <summary>
    /// <c>notify government-authority due 2026-06-13T09:00:00Z</c>, or <c>due not yet (clock event
    /// unknown)</c> as <c>decide</c> says it while the event it runs from is not known.
    /// </summary>
    public string Describe() => Describe(Spec.KindName, Spec.Party, Due);

    /// <summary>The same one-line form from parts, for expectations written by hand.</summary>
    public static string Describe(string kind, string party, DateTimeOffset? due) =>
        $"{kind} {party} due {(due is { } instant ? Timestamps.Format(instant) : NotYetDue)}";

    /// <summary>What stands for a due time whose clock event is not known.</summary>
    public const string NotYetDue = "not yet (clock event unknown)";
}
