using System.Runtime.CompilerServices;
namespace Jailgrade.Cli.Commands.Standard.Internal;

/// <summary>
/// Reads lines of bytes from a stream in constant memory, for inputs of millions of lines. A UTF-8
/// byte-order mark at the very start is skipped. A line of up to <c>maxLineBytes</c> bytes (its LF
/// and a CR before it not counted) is returned whole; a longer one is reported as too long (its first
/// bytes are kept) and skipped to its end.
/// </summary>
internal sealed class LineReader(Stream stream, int maxLineBytes = 1 << 16)
{
    // Room for the longest line, its CR and its LF: a line of exactly the limit still fits.
    private readonly byte[] _buffer = new byte[maxLineBytes + 2];
    private int _start;
    private int _end;
    private bool _endOfStream;
    private bool _started;

    /// <summary>1-based number of the line last returned.</summary>
    public long LineNumber { get; private set; }

    /// <summary>
    /// The next line without its LF; false at the end of the stream. The span is valid until the next call.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TryReadLine(out ReadOnlySpan<byte> line, out bool tooLong)
    {
        tooLong = false;
        if (!_started)
        {
            SkipByteOrderMark();
        }

        while (true)
        {
            var newline = _buffer.AsSpan(_start, _end - _start).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                line = _buffer.AsSpan(_start, newline);
                _start += newline + 1;
                LineNumber++;
                tooLong = ContentLength(line) > maxLineBytes;
                line = tooLong ? line[..Kept] : line;
                return true;
            }

            if (_endOfStream)
            {
                if (_start < _end)
                {
                    line = _buffer.AsSpan(_start, _end - _start);
                    _start = _end;
                    LineNumber++;
                    tooLong = ContentLength(line) > maxLineBytes;
                    line = tooLong ? line[..Kept] : line;
                    return true;
                }

                line = default;
                return false;
            }

            if (_start == 0 && _end == _buffer.Length)
            {
                // No LF in a full buffer: keep the beginning for the error record and discard the rest.
                tooLong = true;
                line = SkipRestOfLongLine();
                LineNumber++;
                return true;
            }

            Fill();
        }
    }

    private const int Kept = 64;

    private static int ContentLength(ReadOnlySpan<byte> line) => line.Length > 0 && line[^1] == (byte)'\r' ? line.Length - 1 : line.Length;

    // A BOM is how some editors and Windows tools start UTF-8; it is not part of the first line.
    private void SkipByteOrderMark()
    {
        _started = true;
        while (_end < 3 && !_endOfStream)
        {
            Fill();
        }

        if (_buffer.AsSpan(0, _end).StartsWith("\uFEFF"u8))
        {
            _start = 3;
        }
    }

    private void Fill()
    {
        if (_start > 0)
        {
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            _end -= _start;
            _start = 0;
        }

        var read = stream.Read(_buffer, _end, _buffer.Length - _end);
        if (read == 0)
        {
            _endOfStream = true;
        }

        _end += read;
    }

    private ReadOnlySpan<byte> SkipRestOfLongLine()
    {
        var scratch = new byte[Kept];
        _buffer.AsSpan(0, Kept).CopyTo(scratch);
        _start = _end = 0;
        while (true)
        {
            Fill();
            var newline = _buffer.AsSpan(0, _end).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                _start = newline + 1;
                return scratch;
            }

            _start = _end = 0;
            if (_endOfStream)
            {
                return scratch;
            }
        }
    }
}
