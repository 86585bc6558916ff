namespace Jailgrade.Registry.Events;

/// <summary>
/// The immutable part of an event: the database refuses to change or delete it (docs/registry.md,
/// "The record"). It commits to the event's content without holding it.
/// </summary>
public sealed class EventEnvelope
{
    /// <summary>Contiguous from 1, assigned by one writer at a time.</summary>
    public long Seq { get; set; }

    public required string Type { get; set; }

    public required string ObjectKind { get; set; }

    public Guid ObjectId { get; set; }

    /// <summary>The case the event belongs to, if any (projections filter on it).</summary>
    public Guid? CaseId { get; set; }

    /// <summary>The involvement the event belongs to; null for a case's header or no case.</summary>
    public Guid? InvolvementId { get; set; }

    /// <summary>The server's time, at millisecond precision.</summary>
    public DateTimeOffset OccurredAt { get; set; }

    /// <summary>SHA-256("jailgrade/event/v1" ‖ salt ‖ canonical event).</summary>
    public required byte[] Commitment { get; set; }
}

/// <summary>
/// The erasable part of an event: its salt and its canonical encoding. Erasure sets both to null,
/// the only change the database accepts here.
/// </summary>
public sealed class EventBody
{
    public long Seq { get; set; }

    public byte[]? Salt { get; set; }

    /// <summary>The canonical event (RFC 8785 JSON) whose commitment the envelope holds.</summary>
    public string? Canonical { get; set; }
}
