namespace Jailgrade.Registry.Secrets;

/// <summary>A case's data key, wrapped under the master key's data-key-wrapping key (SECURITY.md 4).</summary>
public sealed class CaseKey
{
    public Guid CaseId { get; set; }

    public int KeyVersion { get; set; }

    /// <summary>The id of the master key that wrapped it.</summary>
    public required string MasterKeyId { get; set; }

    /// <summary><c>nonce ‖ tag ‖ wrapped key</c>.</summary>
    public required byte[] Wrapped { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}
