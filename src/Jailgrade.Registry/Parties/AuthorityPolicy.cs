namespace Jailgrade.Registry.Parties;

/// <summary>
/// The policy (id and version) that governs the involvements in an authority's scope; absent until the
/// authority is configured (docs/registry.md, "Authorities and their policy").
/// </summary>
public sealed class AuthorityPolicy
{
    /// <summary>The authority (an organization of kind authority).</summary>
    public Guid AuthorityId { get; set; }

    public required string PolicyId { get; set; }

    public required string PolicyVersion { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>Incremented by every change; the authority's ETag (<c>"v0"</c> before the first).</summary>
    public long Version { get; set; } = 1;
}

/// <summary>An organization an authority names for one of its policy's parties (<c>ai-office</c>, <c>affected-deployers</c>...).</summary>
public sealed class AuthorityParty
{
    public Guid AuthorityId { get; set; }

    public required string Party { get; set; }

    public Guid OrganizationId { get; set; }
}
