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

    /// <summary>The event names as written in policies, by event.</summary>
    public static IReadOnlyList<string> EventNames { get; } = ["discovered", "reported", "decided", "resolved"];
}
