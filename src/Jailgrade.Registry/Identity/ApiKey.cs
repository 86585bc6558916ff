namespace Jailgrade.Registry.Identity;

/// <summary>
/// A stored API key: its public id and the SHA-256 of its secret, never the secret (SECURITY.md 1).
/// </summary>
public sealed class ApiKey
{
    /// <summary>The public id (16 lower-case hex characters), the part logs may show.</summary>
    public required string Id { get; set; }

    public Guid UserId { get; set; }

    /// <summary><c>live</c> or <c>demo</c>.</summary>
    public required string Environment { get; set; }

    public required byte[] SecretSha256 { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }

    public DateTimeOffset? LastUsedAt { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }
}
