using System.Security.Cryptography;
using System.Text;

namespace Jailgrade.Evaluation.Internal;

/// <summary>
/// Hashes that stay the same across processes, machines and .NET versions (unlike
/// <see cref="string.GetHashCode()"/>), so that decisions derived from them are repeatable.
/// </summary>
internal static class StableHash
{
    /// <summary>SHA-256 of the parts, each length-prefixed so that ("ab","c") and ("a","bc") differ.</summary>
    public static byte[] Sha256(params ReadOnlySpan<string> parts)
    {
        // One buffer and one-shot hashing: this runs several times per request.
        var size = 0;
        foreach (var part in parts)
        {
            size += 4 + Encoding.UTF8.GetMaxByteCount(part.Length);
        }

        var rented = System.Buffers.ArrayPool<byte>.Shared.Rent(size);
        try
        {
            var written = 0;
            foreach (var part in parts)
            {
                var length = Encoding.UTF8.GetBytes(part, rented.AsSpan(written + 4));
                System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(rented.AsSpan(written), length);
                written += 4 + length;
            }

            return SHA256.HashData(rented.AsSpan(0, written));
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Lower-case hex SHA-256 of the parts.</summary>
    public static string Hex(params ReadOnlySpan<string> parts) => Convert.ToHexStringLower(Sha256(parts));

    /// <summary>A 64-bit value from the parts' SHA-256.</summary>
    public static ulong UInt64(params ReadOnlySpan<string> parts) =>
        System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(Sha256(parts));

    /// <summary>A uniform draw in [0, 1) from the parts' SHA-256 (53 bits).</summary>
    public static double Unit(params ReadOnlySpan<string> parts) => (UInt64(parts) >> 11) * (1.0 / (1UL << 53));
}
