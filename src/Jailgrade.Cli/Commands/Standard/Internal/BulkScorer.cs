using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Jailgrade.Standard;
using Jailgrade.Standard.Scoring;

namespace Jailgrade.Cli.Commands.Standard.Internal;

/// <summary>What a bulk run saw.</summary>
internal readonly record struct BulkResult(long Scored, long Invalid);

/// <summary>
/// Scores vectors and writes one record per vector (TSV or JSON Lines), streaming in constant memory:
/// the path behind <c>jailgrade score</c>. An invalid vector gives an error record, never a silent skip.
/// </summary>
internal sealed class BulkScorer : IDisposable
{
    private const int MaxChars = 1 << 16;

    private readonly BufferedStream _output;
    private readonly Utf8JsonWriter _json;
    private readonly bool _asJson;
    private readonly byte[] _bytes = new byte[ScoreRecords.MaxTsvLength + 1];
    private readonly char[] _line = new char[ScoreRecords.MaxTsvLength + 1];
    private long _scored;
    private long _invalid;

    public BulkScorer(Stream output, bool json)
    {
        _output = new BufferedStream(output, 1 << 16);
        _json = new Utf8JsonWriter(_output, ScoreRecords.JsonOptions);
        _asJson = json;
    }

    public BulkResult Result => new(_scored, _invalid);

    /// <summary>
    /// Scores lines from <paramref name="input"/>: CRLF and surrounding spaces accepted, blank lines skipped,
    /// the cancellation token checked every 65,536 lines.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void ScoreLines(Stream input, CancellationToken cancellationToken)
    {
        var reader = new LineReader(input);
        var chars = new char[MaxChars];
        while (reader.TryReadLine(out var raw, out var tooLong))
        {
            if ((reader.LineNumber & 0xFFFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            var text = chars.AsSpan(0, DecodeTrimmed(raw, chars));
            if (tooLong)
            {
                WriteError(text, reader.LineNumber, new VectorError(VectorErrorKind.TrailingJunk, 1, null,
                    $"line longer than {MaxChars} bytes: not a vector (only its first 64 bytes are shown)"));
            }
            else if (!text.IsEmpty)
            {
                Score(text, reader.LineNumber);
            }
        }
    }

    /// <summary>Scores one vector; <paramref name="line"/> is what error records cite.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Score(ReadOnlySpan<char> text, long line)
    {
        if (!JgScorer.TryScore(text, out var score, out var error))
        {
            WriteError(text, line, error);
            return;
        }

        _scored++;
        if (_asJson)
        {
            ScoreRecords.WriteJson(_json, score);
            EndJsonRecord();
            return;
        }

        var written = ScoreRecords.FormatTsv(score, _line);
        _line[written++] = '\n';
        for (var i = 0; i < written; i++)
        {
            _bytes[i] = (byte)_line[i];
        }

        _output.Write(_bytes, 0, written);
    }

    public void Dispose()
    {
        _json.Dispose();
        _output.Flush();
    }

    private void WriteError(ReadOnlySpan<char> text, long line, in VectorError error)
    {
        _invalid++;
        if (_asJson)
        {
            ScoreRecords.WriteJsonError(_json, text, line, error);
            EndJsonRecord();
        }
        else
        {
            _output.Write(Encoding.UTF8.GetBytes(ScoreRecords.FormatTsvError(text, line, error) + "\n"));
        }
    }

    private void EndJsonRecord()
    {
        _json.Flush();
        _json.Reset();
        _output.WriteByte((byte)'\n');
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
