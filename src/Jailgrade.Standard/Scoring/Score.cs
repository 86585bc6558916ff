using System.Globalization;

namespace Jailgrade.Standard.Scoring;

/// <summary>
/// A score on the 0.0-10.0 scale held exactly as an integer number of tenths, so every
/// implementation prints the same digits. Always formatted with one decimal.
/// </summary>
public readonly record struct Score(int Tenths) : IComparable<Score>, ISpanFormattable
{
    /// <summary>The score as a decimal (exact).</summary>
    public decimal Value => Tenths / 10m;

    /// <summary>The band the score falls in.</summary>
    public Band Band => Bands.Of(Tenths);

    /// <inheritdoc />
    public int CompareTo(Score other) => Tenths.CompareTo(other.Tenths);

    /// <summary>Orders scores.</summary>
    public static bool operator <(Score left, Score right) => left.Tenths < right.Tenths;

    /// <summary>Orders scores.</summary>
    public static bool operator >(Score left, Score right) => left.Tenths > right.Tenths;

    /// <summary>Orders scores.</summary>
    public static bool operator <=(Score left, Score right) => left.Tenths <= right.Tenths;

    /// <summary>Orders scores.</summary>
    public static bool operator >=(Score left, Score right) => left.Tenths >= right.Tenths;

    /// <summary>"9.0", "0.1", "10.0"; negative values (sub-score differences) as "-2.0".</summary>
    public override string ToString()
    {
        Span<char> buffer = stackalloc char[12];
        TryFormat(buffer, out var written);
        return new string(buffer[..written]);
    }

    /// <inheritdoc />
    public string ToString(string? format, IFormatProvider? formatProvider) => ToString();

    /// <summary>Writes the score with exactly one decimal, without allocating.</summary>
    public bool TryFormat(Span<char> destination, out int charsWritten)
    {
        var magnitude = Math.Abs(Tenths);
        charsWritten = 0;
        if (Tenths < 0)
        {
            if (destination.IsEmpty)
            {
                return false;
            }

            destination[charsWritten++] = '-';
        }

        if (!(magnitude / 10).TryFormat(destination[charsWritten..], out var whole, default, CultureInfo.InvariantCulture)
            || destination.Length < charsWritten + whole + 2)
        {
            charsWritten = 0;
            return false;
        }

        charsWritten += whole;
        destination[charsWritten++] = '.';
        destination[charsWritten++] = (char)('0' + (magnitude % 10));
        return true;
    }

    /// <inheritdoc />
    public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format, IFormatProvider? provider) =>
        TryFormat(destination, out charsWritten);
}
