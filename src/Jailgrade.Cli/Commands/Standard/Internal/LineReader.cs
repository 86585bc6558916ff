using System.Runtime.CompilerServices;
namespace Jailgrade.Cli.Commands.Standard.Internal;

/// <summary>
/// Reads lines of bytes from a stream in constant memory, for inputs of millions of lines. A line
/// longer than the buffer is reported as too long (its first bytes are kept) and skipped to its end.
/// </summary>
internal sealed class LineReader(Stream stream, int bufferSize = 1 << 16)
{
    private readonly byte[] _buffer = new byte[bufferSize];
    private int _start;
    private int _end;
    private bool _endOfStream;

    /// <summary>1-based number of the line last returned.</summary>
    public long LineNumber { get; private set; }

    /// <summary>
    /// The next line without its LF; false at the end of the stream. The span is valid until the next call.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TryReadLine(out ReadOnlySpan<byte> line, out bool tooLong)
    {
        tooLong = false;
        while (true)
        {
            var newline = _buffer.AsSpan(_start, _end - _start).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                line = _buffer.AsSpan(_start, newline);
                _start += newline + 1;
                LineNumber++;
                return true;
            }

            if (_endOfStream)
            {
                if (_start < _end)
                {
                    line = _buffer.AsSpan(_start, _end - _start);
                    _start = _end;
                    LineNumber++;
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
        const int Kept = 64;
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
