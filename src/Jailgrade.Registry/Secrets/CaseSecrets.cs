using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Jailgrade.Registry.Identity;

namespace Jailgrade.Registry.Secrets;

/// <summary>
/// Per-case encryption (SECURITY.md 4; docs/registry.md, "Technique detail"): a random 32-byte data key
/// per case, wrapped with AES-256-GCM under a key derived from the master key, and fields sealed with
/// AES-256-GCM under the data key. Associated data binds every ciphertext to its case, evidence,
/// result key and field, so one moved elsewhere fails to decrypt.
/// </summary>
public static class CaseSecrets
{
    /// <summary>The HKDF purpose of the key that wraps case data keys.</summary>
    public const string WrapPurpose = "jailgrade/case-data-key-wrap/v1";

    /// <summary>The first byte of every sealed field.</summary>
    public const byte FormatVersion = 1;

    private const string WrapDomain = "jailgrade/case-data-key/v1";
    private const int NonceBytes = 12;
    private const int TagBytes = 16;
    private const int HeaderBytes = 1 + 4 + NonceBytes + TagBytes;

    /// <summary>A new data key for a case, and its wrapped form to store.</summary>
    public static (CaseKey Stored, byte[] DataKey) NewKey(MasterKey master, Guid caseId, int keyVersion, DateTimeOffset now)
    {
        var dataKey = RandomNumberGenerator.GetBytes(32);
        return (new CaseKey { CaseId = caseId, KeyVersion = keyVersion, MasterKeyId = master.Id, Wrapped = Wrap(master, caseId, keyVersion, dataKey), CreatedAt = now }, dataKey);
    }

    /// <summary>
    /// Wraps a stored data key again, under <paramref name="to"/> (a master key rotation): the data key
    /// and everything sealed under it stay as they are; the wrapping stays bound to its case and version.
    /// </summary>
    /// <exception cref="CaseSecretException">It does not unwrap under <paramref name="from"/>.</exception>
    public static void Rewrap(MasterKey from, MasterKey to, CaseKey stored)
    {
        var dataKey = Unwrap(from, stored);
        stored.Wrapped = Wrap(to, stored.CaseId, stored.KeyVersion, dataKey);
        stored.MasterKeyId = to.Id;
        CryptographicOperations.ZeroMemory(dataKey);
    }

    /// <summary>The data key a stored key wraps.</summary>
    /// <exception cref="CaseSecretException">The key was wrapped by another master key, for another case or version, or altered.</exception>
    public static byte[] Unwrap(MasterKey master, CaseKey stored)
    {
        if (stored.MasterKeyId != master.Id)
        {
            throw new CaseSecretException($"the data key of case {stored.CaseId:D} was wrapped by master key {stored.MasterKeyId}, not {master.Id}");
        }

        if (stored.Wrapped.Length != NonceBytes + TagBytes + 32)
        {
            throw new CaseSecretException($"the wrapped data key of case {stored.CaseId:D} has {stored.Wrapped.Length} bytes; expected {NonceBytes + TagBytes + 32}");
        }

        var dataKey = new byte[32];
        try
        {
            using var aes = new AesGcm(master.Derive(WrapPurpose), TagBytes);
            aes.Decrypt(stored.Wrapped.AsSpan(0, NonceBytes), stored.Wrapped.AsSpan(NonceBytes + TagBytes), stored.Wrapped.AsSpan(NonceBytes, TagBytes), dataKey,
                WrapAssociatedData(stored.CaseId, stored.KeyVersion, stored.MasterKeyId));
        }
        catch (AuthenticationTagMismatchException)
        {
            throw new CaseSecretException($"the data key of case {stored.CaseId:D} does not unwrap: it belongs to another case or version, or was altered");
        }

        return dataKey;
    }

    /// <summary><c>version ‖ key version ‖ nonce ‖ tag ‖ ciphertext</c> of a field's text.</summary>
    public static byte[] Seal(byte[] dataKey, int keyVersion, FieldAddress address, string plaintext)
    {
        var text = Encoding.UTF8.GetBytes(plaintext);
        var sealedBytes = new byte[HeaderBytes + text.Length];
        sealedBytes[0] = FormatVersion;
        BinaryPrimitives.WriteInt32BigEndian(sealedBytes.AsSpan(1, 4), keyVersion);
        var nonce = sealedBytes.AsSpan(5, NonceBytes);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(dataKey, TagBytes);
        aes.Encrypt(nonce, text, sealedBytes.AsSpan(HeaderBytes), sealedBytes.AsSpan(5 + NonceBytes, TagBytes), address.AssociatedData(FormatVersion));
        return sealedBytes;
    }

    /// <summary>The key version a sealed field names (to pick its data key).</summary>
    public static int KeyVersionOf(byte[] sealedBytes) =>
        sealedBytes.Length >= HeaderBytes && sealedBytes[0] == FormatVersion
            ? BinaryPrimitives.ReadInt32BigEndian(sealedBytes.AsSpan(1, 4))
            : throw new CaseSecretException($"a sealed field must start with format version {FormatVersion} and hold at least {HeaderBytes} bytes");

    /// <summary>The text of a sealed field.</summary>
    /// <exception cref="CaseSecretException">It was sealed for another case, evidence, result key or field, under another key, or altered.</exception>
    public static string Open(byte[] dataKey, FieldAddress address, byte[] sealedBytes)
    {
        KeyVersionOf(sealedBytes);
        var text = new byte[sealedBytes.Length - HeaderBytes];
        try
        {
            using var aes = new AesGcm(dataKey, TagBytes);
            aes.Decrypt(sealedBytes.AsSpan(5, NonceBytes), sealedBytes.AsSpan(HeaderBytes), sealedBytes.AsSpan(5 + NonceBytes, TagBytes), text, address.AssociatedData(sealedBytes[0]));
        }
        catch (AuthenticationTagMismatchException)
        {
            throw new CaseSecretException($"the {address.Field} of case {address.CaseId:D} does not decrypt: it was sealed for another case, row or field, or altered");
        }

        return Encoding.UTF8.GetString(text);
    }

    private static byte[] Wrap(MasterKey master, Guid caseId, int keyVersion, byte[] dataKey)
    {
        var wrapped = new byte[NonceBytes + TagBytes + dataKey.Length];
        RandomNumberGenerator.Fill(wrapped.AsSpan(0, NonceBytes));
        using var aes = new AesGcm(master.Derive(WrapPurpose), TagBytes);
        aes.Encrypt(wrapped.AsSpan(0, NonceBytes), dataKey, wrapped.AsSpan(NonceBytes + TagBytes), wrapped.AsSpan(NonceBytes, TagBytes), WrapAssociatedData(caseId, keyVersion, master.Id));
        return wrapped;
    }

    private static byte[] WrapAssociatedData(Guid caseId, int keyVersion, string masterKeyId) =>
        LengthPrefixed(WrapDomain, caseId.ToString("D"), keyVersion.ToString(System.Globalization.CultureInfo.InvariantCulture), masterKeyId);

    internal static byte[] LengthPrefixed(params string[] items)
    {
        using var buffer = new MemoryStream();
        Span<byte> length = stackalloc byte[4];
        foreach (var item in items)
        {
            var bytes = Encoding.UTF8.GetBytes(item);
            BinaryPrimitives.WriteInt32BigEndian(length, bytes.Length);
            buffer.Write(length);
            buffer.Write(bytes);
        }

        return buffer.ToArray();
    }
}

/// <summary>Where a sealed field lives: its case, evidence and result key (empty when none) and field name.</summary>
public sealed record FieldAddress(Guid CaseId, Guid? EvidenceId, string? ResultKey, string Field)
{
    /// <summary>The technique detail of a case.</summary>
    public static FieldAddress Technique(Guid caseId) => new(caseId, null, null, "technique");

    internal byte[] AssociatedData(byte formatVersion) => CaseSecrets.LengthPrefixed(
        formatVersion.ToString(System.Globalization.CultureInfo.InvariantCulture),
        CaseId.ToString("D"),
        EvidenceId?.ToString("D") ?? "",
        ResultKey ?? "",
        Field);
}

/// <summary>A sealed field or wrapped key that does not open where it is (the message says which).</summary>
public sealed class CaseSecretException(string message) : Exception(message);
