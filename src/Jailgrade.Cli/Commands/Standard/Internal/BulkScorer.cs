using System.Text;
using System.Text.Json;
using Jailgrade.Standard;
using Jailgrade.Standard.Scoring;

namespace Jailgrade.Cli.Commands.Standard.Internal;

/// <summary>What a bulk run saw.</summary>
internal readonly record struct BulkResult(long Scored, long Invalid);

/// <summary>
/// Scores vectors one per line from a stream and writes one record per vector, streaming in constant
/// memory: the path behind <c>jailgrade score</c> with no arguments. CRLF and surrounding spaces are
/// accepted, blank lines skipped; an invalid line gives an error record, never a silent skip.
/// </summary>
internal static class BulkScorer
{
    private const int MaxChars = 1 << 16;

    /// <param name="input">Vectors, one per line.</param>
    /// <param name="output">Where records go.</param>
    /// <param name="json">JSON Lines rather than TSV.</param>
    /// <param name="skipBlankLines">True for files and pipes; false when each line is an argument the user typed.</param>
    /// <param name="cancellationToken">Checked every 65,536 lines.</param>
    public static BulkResult Run(Stream input, Stream output, bool json, bool skipBlankLines, CancellationToken cancellationToken)
    {
        var reader = new LineReader(input);
        var buffered = new BufferedStream(output, 1 << 16);
        using var writer = new Utf8JsonWriter(buffered, ScoreRecords.JsonOptions);
        var chars = new char[MaxChars];
        Span<byte> bytes = stackalloc byte[ScoreRecords.MaxTsvLength + 1];
        Span<char> line = stackalloc char[ScoreRecords.MaxTsvLength + 1];
        long scored = 0, invalid = 0;

        while (reader.TryReadLine(out var raw, out var tooLong))
        {
            if ((reader.LineNumber & 0xFFFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            var length = DecodeTrimmed(raw, chars);
            var text = chars.AsSpan(0, length);
            if (text.IsEmpty && !tooLong && skipBlankLines)
            {
                continue;
            }

            VectorError error;
            if (tooLong)
            {
                error = new VectorError(VectorErrorKind.TrailingJunk, 1, null, $"line longer than {MaxChars} bytes: not a vector (only its start is shown)");
            }
            else if (JgScorer.TryScore(text, out var score, out error))
            {
                scored++;
                if (json)
                {
                    ScoreRecords.WriteJson(writer, score);
                    EndJsonRecord(writer, buffered);
                }
                else
                {
                    var written = ScoreRecords.FormatTsv(score, line);
                    line[written++] = '\n';
                    for (var i = 0; i < written; i++)
                    {
                        bytes[i] = (byte)line[i];
                    }

                    buffered.Write(bytes[..written]);
                }

                continue;
            }

            invalid++;
            if (json)
            {
                ScoreRecords.WriteJsonError(writer, text, reader.LineNumber, error);
                EndJsonRecord(writer, buffered);
            }
            else
            {
                buffered.Write(Encoding.UTF8.GetBytes(ScoreRecords.FormatTsvError(text, reader.LineNumber, error) + "\n"));
            }
        }

        buffered.Flush();
        return new BulkResult(scored, invalid);
    }

    private static void EndJsonRecord(Utf8JsonWriter writer, BufferedStream output)
    {
        writer.Flush();
        writer.Reset();
        output.WriteByte((byte)'\n');
    }

    /// <summary>Decodes UTF-8 (invalid bytes become U+FFFD) and trims spaces, tabs and a trailing CR.</summary>
    private static int DecodeTrimmed(ReadOnlySpan<byte> raw, char[] chars)
    {
        var start = 0;
        var end = raw.Length;
        while (start < end && raw[start] is (byte)' ' or (byte)'\t')
        {
            start++;
        }

        while (end > start && raw[end - 1] is (byte)' ' or (byte)'\t' or (byte)'\r')
        {
            end--;
        }

        return Encoding.UTF8.GetChars(raw[start..end], chars);
    }
}
