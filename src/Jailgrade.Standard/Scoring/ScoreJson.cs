using System.Text.Json;

namespace Jailgrade.Standard.Scoring;

/// <summary>Writing scores into JSON the one way the project promises: a number with exactly one decimal.</summary>
public static class ScoreJson
{
    /// <summary>Writes <c>"name": 9.0</c> (never <c>9</c>), without allocating.</summary>
    public static void WriteScore(this Utf8JsonWriter writer, string name, Score score)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WritePropertyName(name);
        writer.WriteScoreValue(score);
    }

    /// <summary>Writes the score as a JSON number with exactly one decimal (in an array, or after a property name).</summary>
    public static void WriteScoreValue(this Utf8JsonWriter writer, Score score)
    {
        ArgumentNullException.ThrowIfNull(writer);
        Span<char> chars = stackalloc char[12];
        Span<byte> digits = stackalloc byte[12];
        score.TryFormat(chars, out var length);
        for (var i = 0; i < length; i++)
        {
            digits[i] = (byte)chars[i];
        }

        writer.WriteRawValue(digits[..length], skipInputValidation: true);
    }
}
