namespace Jailgrade.Registry.Organizations;

/// <summary>A party to the registry: a lab, a government authority, an auditor, a research group, or the operator.</summary>
public sealed class Organization
{
    public Guid Id { get; set; }

    /// <summary>Unique across the registry.</summary>
    public required string Name { get; set; }

    public OrganizationKind Kind { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Incremented by every change; the ETag that a change's If-Match must name.</summary>
    public long Version { get; set; } = 1;
}

/// <summary>What kind of party an organization is.</summary>
public enum OrganizationKind
{
    /// <summary>Runs the registry; its administrators manage organizations and users.</summary>
    Operator,

    /// <summary>Develops and deploys models.</summary>
    Lab,

    /// <summary>A government authority whose regulators triage cases and decide.</summary>
    Authority,

    /// <summary>An (accredited) third-party auditor.</summary>
    Auditor,

    /// <summary>A research group that reports jailbreaks.</summary>
    Research,
}
