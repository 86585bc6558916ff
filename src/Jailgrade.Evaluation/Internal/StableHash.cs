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
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> length = stackalloc byte[4];
        foreach (var part in parts)
        {
            var bytes = Encoding.UTF8.GetBytes(part);
            System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(length, bytes.Length);
            hash.AppendData(length);
            hash.AppendData(bytes);
        }

        return hash.GetHashAndReset();
    }

    /// <summary>Lower-case hex SHA-256 of the parts.</summary>
    public static string Hex(params ReadOnlySpan<string> parts) => Convert.ToHexStringLower(Sha256(parts));

    /// <summary>A 64-bit value from the parts' SHA-256.</summary>
    public static ulong UInt64(params ReadOnlySpan<string> parts) =>
        System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(Sha256(parts));

    /// <summary>A uniform draw in [0, 1) from the parts' SHA-256 (53 bits).</summary>
    public static double Unit(params ReadOnlySpan<string> parts) => (UInt64(parts) >> 11) * (1.0 / (1UL << 53));
}
