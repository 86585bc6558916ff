using System.Runtime.CompilerServices;
using System.Text.Encodings.Web;
using System.Text.Json;
using Jailgrade.Standard;
using Jailgrade.Standard.Scoring;

namespace Jailgrade.Cli.Commands.Standard.Internal;

/// <summary>The machine-readable records of <c>jailgrade score</c> (docs/cli.md, "score").</summary>
internal static class ScoreRecords
{
    /// <summary>Longest TSV success line, newline excluded: the vector and two score-and-band pairs.</summary>
    public const int MaxTsvLength = JgVector.MaxLength + 32;

    /// <summary>Compact JSON, readable escaping (output is data, never embedded in HTML).</summary>
    public static readonly JsonWriterOptions JsonOptions = new()
    {
        SkipValidation = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static readonly string[] BandNames = Bands.All.Select(b => b.ToString()).ToArray();

    /// <summary>
    /// <c>VECTOR&lt;TAB&gt;SCORE&lt;TAB&gt;BAND</c>, then <c>&lt;TAB&gt;CURRENT&lt;TAB&gt;CURRENT_BAND</c> when the
    /// vector carries MS, into <paramref name="destination"/>; returns the length.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int FormatTsv(in JgScore score, Span<char> destination)
    {
        score.Vector.TryFormat(destination, out var length);
        length += FormatTsvScore(score.Base, destination[length..]);
        if (score.Current is { } current)
        {
            length += FormatTsvScore(current, destination[length..]);
        }

        return length;
    }

    private static int FormatTsvScore(Score value, Span<char> destination)
    {
        destination[0] = '\t';
        value.TryFormat(destination[1..], out var written);
        var length = 1 + written;
        destination[length++] = '\t';
        var band = BandNames[(int)value.Band];
        band.CopyTo(destination[length..]);
        return length + band.Length;
    }

    /// <summary><c>INPUT&lt;TAB&gt;error&lt;TAB&gt;LINE:COLUMN MESSAGE</c>; tabs and control characters in the input are shown as spaces.</summary>
    public static string FormatTsvError(ReadOnlySpan<char> input, long line, in VectorError error) =>
        $"{Printable(input)}\terror\t{line}:{error.Position} {error.Message}";

    /// <summary>One score as <c>jailgrade score --json</c> writes it; the writer lives in Standard so the registry's API answers the same record.</summary>
    public static void WriteJson(Utf8JsonWriter writer, in JgScore score) => writer.WriteScoreRecord(score);

    public static void WriteJsonError(Utf8JsonWriter writer, ReadOnlySpan<char> input, long line, in VectorError error)
    {
        writer.WriteStartObject();
        writer.WriteString("input", input);
        writer.WriteNumber("line", line);
        writer.WriteStartObject("error");
        writer.WriteNumber("position", error.Position);
        if (error.Metric is { } metric)
        {
            writer.WriteString("metric", metric);
        }
        else
        {
            writer.WriteNull("metric");
        }

        writer.WriteString("kind", error.Kind.ToString());
        writer.WriteString("message", error.Message);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static string Printable(ReadOnlySpan<char> input)
    {
        Span<char> copy = input.Length <= 256 ? stackalloc char[input.Length] : new char[input.Length];
        for (var i = 0; i < input.Length; i++)
        {
            copy[i] = char.IsControl(input[i]) ? ' ' : input[i];
        }

        return new string(copy);
    }
}
