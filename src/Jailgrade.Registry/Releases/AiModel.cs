namespace Jailgrade.Registry.Releases;

/// <summary>A model, owned by the lab that develops it.</summary>
public sealed class AiModel
{
    public Guid Id { get; set; }

    public Guid LabId { get; set; }

    /// <summary>Unique within the lab.</summary>
    public required string Name { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Incremented by every change; the ETag that a change's If-Match must name.</summary>
    public long Revision { get; set; } = 1;
}

/// <summary>One version or snapshot of a model as deployed.</summary>
public sealed class Release
{
    public Guid Id { get; set; }

    public Guid ModelId { get; set; }

    /// <summary>The version or snapshot id, unique within the model.</summary>
    public required string Version { get; set; }

    /// <summary>Deployment exposure, the JG <c>DP</c> value: <c>I</c>, <c>L</c>, <c>G</c> or <c>O</c>.</summary>
    public required string Exposure { get; set; }

    /// <summary>ISO 3166-1 alpha-2 codes where it is offered, comma-separated and upper case; empty when unknown.</summary>
    public required string Regions { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Incremented by every change (exposure, regions); the ETag that a change's If-Match must name.</summary>
    public long Revision { get; set; } = 1;
}
