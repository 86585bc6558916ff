namespace Jailgrade.Registry.Organizations;

/// <summary>A person or service account of one organization, with one role.</summary>
public sealed class User
{
    public Guid Id { get; set; }

    public Guid OrganizationId { get; set; }

    /// <summary>Unique within the organization.</summary>
    public required string Name { get; set; }

    public Role Role { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>What a user may do and see (docs/registry.md, "What each role sees").</summary>
public enum Role
{
    Public,
    Reporter,
    Auditor,
    Lab,
    Regulator,
    Admin,
}
