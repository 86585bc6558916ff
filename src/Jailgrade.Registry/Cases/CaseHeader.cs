namespace Jailgrade.Registry.Cases;

/// <summary>
/// The shared header of a case: what every party of the case sees. Each lab's part is an
/// <see cref="Involvement"/>; the case's status is derived from them.
/// </summary>
public sealed class CaseHeader
{
    public Guid Id { get; set; }

    public required string Title { get; set; }

    /// <summary>The organization that reported the jailbreak.</summary>
    public Guid ReporterId { get; set; }

    /// <summary>The authority the case was filed with (its regulators see it before triage).</summary>
    public Guid AuthorityId { get; set; }

    /// <summary>A case fact that policies read (e.g. <c>death</c> for <c>eu-gpai</c>); null until known.</summary>
    public string? IncidentType { get; set; }

    /// <summary>When the reporter says the jailbreak was discovered (asserted, not verified).</summary>
    public DateTimeOffset? DiscoveredAt { get; set; }

    /// <summary>When the reporter says it was reported (asserted, not verified).</summary>
    public DateTimeOffset ReportedAt { get; set; }

    /// <summary>Whether the reporter gave <see cref="ReportedAt"/> (otherwise it is the server's time of filing).</summary>
    public bool ReportedAtAsserted { get; set; }

    /// <summary>When the server recorded the case.</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary><see cref="CaseResolution.Rejected"/> or <see cref="CaseResolution.Duplicate"/> ends the whole case.</summary>
    public CaseResolution? Resolution { get; set; }

    /// <summary>The case this one duplicates, when <see cref="Resolution"/> is <see cref="CaseResolution.Duplicate"/>.</summary>
    public Guid? DuplicateOfId { get; set; }

    /// <summary>The lab as the reporter named it (free text, before releases are linked).</summary>
    public string LabAsReported { get; set; } = "";

    /// <summary>The model as the reporter named it (free text).</summary>
    public string ModelAsReported { get; set; } = "";

    /// <summary>The technique detail, encrypted under the case's data key (<see cref="Secrets.CaseSecrets"/>).</summary>
    public byte[]? Technique { get; set; }

    /// <summary>The random salt of the header's state digest.</summary>
    public byte[] StateSalt { get; set; } = [];

    /// <summary>Incremented by every change to the header; part of its ETag.</summary>
    public long Version { get; set; }

    /// <summary>The seq of the header's last event (one without an involvement); kept by <see cref="Events.EventLog"/>.</summary>
    public long LastSeq { get; set; }
}

/// <summary>How a whole case ended without going through the involvement lifecycle.</summary>
public enum CaseResolution
{
    Rejected,
    Duplicate,
}

/// <summary>One lab's part of a case: its releases, status, clock and version.</summary>
public sealed class Involvement : IListOrdered
{
    public Guid Id { get; set; }

    public Guid CaseId { get; set; }

    public Guid LabId { get; set; }

    public InvolvementStatus Status { get; set; }

    /// <summary>When a user of the lab acknowledged the case (an event that user authors); null until then.</summary>
    public DateTimeOffset? AcknowledgedAt { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>
    /// The case's <see cref="CaseHeader.CreatedAt"/>, copied: a lab's list walks its involvements in the
    /// case list's order (lab, case created, case id) and stops at a page (Visibility.ReportedOr).
    /// </summary>
    public DateTimeOffset CaseCreatedAt { get; set; }

    /// <summary>The random salt of the involvement's state digest.</summary>
    public byte[] StateSalt { get; set; } = [];

    /// <summary>Incremented by every change to the involvement; part of its ETag.</summary>
    public long Version { get; set; }

    /// <summary>The seq of the involvement's last event; kept by <see cref="Events.EventLog"/>.</summary>
    public long LastSeq { get; set; }
}

/// <summary>A release linked to an involvement.</summary>
public sealed class InvolvementRelease
{
    public Guid InvolvementId { get; set; }

    public Guid ReleaseId { get; set; }
}

/// <summary>An auditor organization assigned to a case at triage: it sees the whole case.</summary>
public sealed class CaseAuditor : IListOrdered
{
    public Guid CaseId { get; set; }

    public Guid AuditorId { get; set; }

    /// <summary>The case's <see cref="CaseHeader.CreatedAt"/>, copied: an auditor's list walks its assignments in list order.</summary>
    public DateTimeOffset CaseCreatedAt { get; set; }
}

/// <summary>
/// The organization whose user caused a case event, so lists can answer "what did party X change
/// since T" in SQL without reading the (erasable) event bodies.
/// </summary>
public sealed class CaseEventActor
{
    public long Seq { get; set; }

    public Guid OrganizationId { get; set; }
}

/// <summary>The lifecycle of an involvement (docs/registry.md, "Lifecycle of an involvement").</summary>
public enum InvolvementStatus
{
    Reported,
    Triaged,
    Assessed,
    Decided,
    Mitigating,
    Verifying,
    Closed,
    Reopened,
}

/// <summary>A row that names a case and copies its created_at, so a list can walk the row's index in the case list's order.</summary>
public interface IListOrdered
{
    Guid CaseId { get; }

    DateTimeOffset CaseCreatedAt { get; }
}
