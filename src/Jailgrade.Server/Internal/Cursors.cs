using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Jailgrade.Registry.Identity;

namespace Jailgrade.Server.Internal;

/// <summary>
/// Opaque pagination cursors (SECURITY.md 2): <c>base64url(position ‖ HMAC-SHA256(key, caller ‖ route ‖
/// filters ‖ position))</c> under a key derived from the master key for this purpose only. A cursor is
/// good for the caller, route and filters it was issued for; anything else is refused, and every page
/// re-applies the caller's predicate, so a cursor grants nothing by itself.
/// </summary>
internal sealed class Cursors(MasterKey master)
{
    public const string Purpose = "jailgrade/cursor-mac/v1";

    private const int MacBytes = 32;

    private readonly byte[] _key = master.Derive(Purpose);

    public string Encode(Guid caller, string route, string filters, ReadOnlySpan<byte> position)
    {
        var cursor = new byte[position.Length + MacBytes];
        position.CopyTo(cursor);
        Mac(caller, route, filters, position).CopyTo(cursor.AsSpan(position.Length));
        return System.Buffers.Text.Base64Url.EncodeToString(cursor);
    }

    /// <summary>The position a cursor holds, or null when it is malformed or was issued for another caller, route or filters.</summary>
    public byte[]? Decode(string cursor, Guid caller, string route, string filters)
    {
        byte[] bytes;
        try
        {
            bytes = System.Buffers.Text.Base64Url.DecodeFromChars(cursor);
        }
        catch (FormatException)
        {
            return null;
        }

        if (bytes.Length < MacBytes)
        {
            return null;
        }

        var position = bytes.AsSpan(0, bytes.Length - MacBytes);
        return CryptographicOperations.FixedTimeEquals(Mac(caller, route, filters, position), bytes.AsSpan(bytes.Length - MacBytes)) ? position.ToArray() : null;
    }

    /// <summary>A list position: (created, id).</summary>
    public static byte[] Position(DateTimeOffset createdAt, Guid id)
    {
        var position = new byte[24];
        BinaryPrimitives.WriteInt64BigEndian(position, createdAt.ToUnixTimeMilliseconds());
        id.TryWriteBytes(position.AsSpan(8), bigEndian: true, out _);
        return position;
    }

    public static (DateTimeOffset CreatedAt, Guid Id)? ReadPosition(byte[] position) =>
        position.Length == 24
            ? (DateTimeOffset.FromUnixTimeMilliseconds(BinaryPrimitives.ReadInt64BigEndian(position)), new Guid(position.AsSpan(8), bigEndian: true))
            : null;

    /// <summary>A history position: the last sequence number served.</summary>
    public static byte[] Position(long seq)
    {
        var position = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(position, seq);
        return position;
    }

    public static long? ReadSeq(byte[] position) => position.Length == 8 ? BinaryPrimitives.ReadInt64BigEndian(position) : null;

    private byte[] Mac(Guid caller, string route, string filters, ReadOnlySpan<byte> position)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _key);
        Span<byte> length = stackalloc byte[4];
        foreach (var part in new[] { Encoding.UTF8.GetBytes(caller.ToString("D")), Encoding.UTF8.GetBytes(route), Encoding.UTF8.GetBytes(filters), position.ToArray() })
        {
            BinaryPrimitives.WriteInt32BigEndian(length, part.Length);
            hmac.AppendData(length);
            hmac.AppendData(part);
        }

        return hmac.GetHashAndReset();
    }
}
