namespace Jailgrade.Policy.Obligations;

/// <summary>The events of a case that obligations run from.</summary>
public enum ClockEvent
{
    /// <summary>When the jailbreak was discovered.</summary>
    Discovered,
    /// <summary>When it was reported to the party the policy binds.</summary>
    Reported,
    /// <summary>When the decision was taken.</summary>
    Decided,
    /// <summary>When the case was resolved (fix verified or case closed).</summary>
    Resolved,
}

/// <summary>
/// A case's clock: the UTC instants of the events known so far. An obligation whose event is not
/// known has no due time yet.
/// </summary>
public readonly record struct CaseClock(DateTimeOffset? Discovered = null, DateTimeOffset? Reported = null, DateTimeOffset? Decided = null, DateTimeOffset? Resolved = null)
{
    /// <summary>The instant of an event, or <see langword="null"/> when not known.</summary>
    public DateTimeOffset? this[ClockEvent clockEvent] => clockEvent switch
    {
        ClockEvent.Discovered => Discovered,
        ClockEvent.Reported => Reported,
        ClockEvent.Decided => Decided,
        _ => Resolved,
    };

    // What must come no later than what: a case is discovered before it is reported, and decided or
    // resolved no earlier than either. Deciding after the resolution is allowed (a case decided again).
    private static readonly (ClockEvent Earlier, ClockEvent Later)[] Order =
    [
        (ClockEvent.Discovered, ClockEvent.Reported),
        (ClockEvent.Reported, ClockEvent.Decided),
        (ClockEvent.Reported, ClockEvent.Resolved),
        (ClockEvent.Discovered, ClockEvent.Decided),
        (ClockEvent.Discovered, ClockEvent.Resolved),
    ];

    /// <summary>
    /// Whether the known events are in a possible order; on failure <paramref name="error"/> names the
    /// two events and their times (<c>decided 2026-06-11T09:00:00Z is before reported 2026-06-12T09:00:00Z</c>).
    /// </summary>
    public bool IsPossible(out string error) => IsPossible(decidedIsNow: false, out error);

    // decidedIsNow: the decided time came from the injected clock, not the case; the message says so.
    internal bool IsPossible(bool decidedIsNow, out string error)
    {
        foreach (var (earlier, later) in Order)
        {
            if (this[earlier] is { } first && this[later] is { } second && second < first)
            {
                var (a, b) = (Describe(earlier, first, decidedIsNow), Describe(later, second, decidedIsNow));
                error = earlier == ClockEvent.Discovered ? $"impossible clock: {a} is after {b}" : $"impossible clock: {b} is before {a}";
                return false;
            }
        }

        error = "";
        return true;
    }

    private static string Describe(ClockEvent clockEvent, DateTimeOffset instant, bool decidedIsNow) =>
        $"{EventNames[(int)clockEvent]} {Timestamps.Format(instant)}{(decidedIsNow && clockEvent == ClockEvent.Decided ? " (now: no decided time was given)" : "")}";

    /// <summary>The event names as written in policies, by event.</summary>
    public static IReadOnlyList<string> EventNames { get; } = ["discovered", "reported", "decided", "resolved"];
}
