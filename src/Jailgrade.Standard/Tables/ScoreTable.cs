using System.Security.Cryptography;
using Jailgrade.Standard.Internal;
using Jailgrade.Standard.Scoring;

namespace Jailgrade.Standard.Tables;

/// <summary>
/// The complete table of all base vectors, the standard's reference test data: vectors in odometer
/// order (metrics in vector order, each metric's values least severe first, the last metric varying
/// fastest), one line per vector <c>VECTOR&lt;TAB&gt;SCORE&lt;TAB&gt;BAND</c>, LF endings, no header.
/// </summary>
public static class ScoreTable
{
    /// <summary>The longest line of the table, newline included.</summary>
    public const int MaxLineLength = JgVector.MaxLength + 20;

    /// <summary>Every base vector, in odometer order.</summary>
    public static IEnumerable<JgVector> BaseVectors()
    {
        var indices = new int[JgMetrics.BaseMetricCount];
        while (true)
        {
            yield return JgVector.FromIndices(indices);
            var position = indices.Length - 1;
            while (position >= 0 && ++indices[position] == MetricTables.ValueCounts[position])
            {
                indices[position] = 0;
                position--;
            }

            if (position < 0)
            {
                yield break;
            }
        }
    }

    /// <summary>Writes one table line for <paramref name="vector"/> (ASCII) and returns its length.</summary>
    public static int FormatLine(JgVector vector, Span<byte> destination)
    {
        Span<char> chars = stackalloc char[MaxLineLength];
        vector.TryFormat(chars, out var length);
        chars[length++] = '\t';
        var score = new Score(JgScorer.BaseTenths(vector));
        score.TryFormat(chars[length..], out var written);
        length += written;
        chars[length++] = '\t';
        var band = BandNames[(int)score.Band];
        band.CopyTo(chars[length..]);
        length += band.Length;
        chars[length++] = '\n';
        for (var i = 0; i < length; i++)
        {
            destination[i] = (byte)chars[i];
        }

        return length;
    }

    /// <summary>Writes the complete table to <paramref name="output"/>.</summary>
    public static void Write(Stream output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var buffer = new byte[1 << 16];
        var used = 0;
        foreach (var vector in BaseVectors())
        {
            if (used > buffer.Length - MaxLineLength)
            {
                output.Write(buffer, 0, used);
                used = 0;
            }

            used += FormatLine(vector, buffer.AsSpan(used));
        }

        output.Write(buffer, 0, used);
    }

    /// <summary>The SHA-256 of the complete table, lower-case hex.</summary>
    public static string Sha256()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var sink = new HashingStream(hash);
        Write(sink);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static readonly string[] BandNames = Bands.All.Select(b => b.ToString()).ToArray();

    private sealed class HashingStream(IncrementalHash hash) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => hash.AppendData(buffer, offset, count);
    }
}
