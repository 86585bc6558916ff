namespace Jailgrade.Registry.Accreditation;

/// <summary>
/// An authority's accreditation of an auditor organization for a scope (hazard tiers and domains) and a
/// validity period. Never deleted or edited: revocation stamps <see cref="RevokedAt"/> (docs/registry.md,
/// "Accreditation").
/// </summary>
public sealed class AuditorAccreditation
{
    public Guid Id { get; set; }

    /// <summary>The accredited organization (of kind auditor).</summary>
    public Guid AuditorId { get; set; }

    /// <summary>The authority that granted it: the organization of the regulator who did.</summary>
    public Guid AuthorityId { get; set; }

    /// <summary>The first instant it is valid (inclusive).</summary>
    public DateTimeOffset ValidFrom { get; set; }

    /// <summary>The first instant it is no longer valid (exclusive).</summary>
    public DateTimeOffset ValidUntil { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When it was revoked (the server's time); it is not valid at or after this instant.</summary>
    public DateTimeOffset? RevokedAt { get; set; }

    public string? RevokedReason { get; set; }

    /// <summary>Incremented by every change (the revocation); the ETag that a change's If-Match must name.</summary>
    public long Version { get; set; } = 1;
}

/// <summary>One item of an accreditation's scope: a hazard tier (<c>catastrophic</c>) or domain (<c>CY</c>).</summary>
public sealed class AccreditationScope
{
    public Guid AccreditationId { get; set; }

    public required string Item { get; set; }
}
