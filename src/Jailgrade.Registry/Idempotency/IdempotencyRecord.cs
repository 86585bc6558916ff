namespace Jailgrade.Registry.Idempotency;

/// <summary>
/// A caller's <c>Idempotency-Key</c> and what became of its request: in flight while
/// <see cref="Status"/> is null, then the response it got, sealed under the master key.
/// </summary>
public sealed class IdempotencyRecord
{
    /// <summary>The caller: keys are scoped to the user who sent them.</summary>
    public Guid UserId { get; set; }

    /// <summary>The key as the caller sent it (1 to 255 printable ASCII characters).</summary>
    public required string Key { get; set; }

    /// <summary>HMAC of the method, target and body under a key derived from the master key.</summary>
    public required byte[] Fingerprint { get; set; }

    /// <summary>The reservation's holder: only the request holding this token may complete it.</summary>
    public Guid Token { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>After this the key is ignored and its row removed.</summary>
    public DateTimeOffset ExpiresAt { get; set; }

    /// <summary>The response's status code; null while the request is in flight.</summary>
    public int? Status { get; set; }

    /// <summary>The response's headers and body, sealed (AES-256-GCM) under a key derived from the master key.</summary>
    public byte[]? Response { get; set; }
}
