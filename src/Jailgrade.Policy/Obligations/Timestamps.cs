using System.Globalization;

namespace Jailgrade.Policy.Obligations;

/// <summary>
/// Strict ISO 8601 timestamps with an explicit offset (<c>2026-06-12T09:00:00Z</c>), or a date alone
/// (<c>2026-06-12</c>, taken as 00:00 UTC: officials often record only the day), normalized to UTC,
/// from <see cref="Earliest"/> to <see cref="Latest"/> (docs/policy.md, "Limits"): with durations of
/// at most <see cref="IsoDuration.MaxYears"/> years every due date stays representable.
/// </summary>
public static class Timestamps
{
    /// <summary>The earliest instant a case's clock may hold: 1970-01-01T00:00:00Z.</summary>
    public static readonly DateTimeOffset Earliest = new(1970, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>The latest instant a case's clock may hold: 2999-12-31T23:59:59Z.</summary>
    public static readonly DateTimeOffset Latest = new(2999, 12, 31, 23, 59, 59, TimeSpan.Zero);

    private const string DateFormat = "yyyy-MM-dd";

    private static readonly string[] Formats =
    [
        "yyyy-MM-dd'T'HH:mm:ssK",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK",
        "yyyy-MM-dd'T'HH:mmK",
    ];

    /// <summary>Parses a timestamp that states its offset (or a date, 00:00 UTC) and lies in the supported range; returns it in UTC.</summary>
    public static bool TryParse(string? text, out DateTimeOffset instant) => TryParse(text, out instant, out _);

    /// <summary>
    /// Parses a timestamp that states its offset, or a date alone taken as 00:00 UTC, and lies in the
    /// supported range; returns it in UTC. A time without an offset stays an error: its zone is unknown.
    /// On failure <paramref name="error"/> says why, quoting the text.
    /// </summary>
    public static bool TryParse(string? text, out DateTimeOffset instant, out string error)
    {
        instant = default;
        if (!TryParseDate(text, out var parsed) && !TryParseWithOffset(text, out parsed))
        {
            error = $"'{text}' is not a timestamp with an offset (e.g. 2026-06-12T09:00:00Z) or a date (2026-06-12, taken as 00:00 UTC)";
            return false;
        }

        if (!IsInRange(parsed))
        {
            error = $"'{text}' is {OutOfRange}";
            return false;
        }

        instant = parsed.ToUniversalTime();
        error = "";
        return true;
    }

    private static bool TryParseDate(string? text, out DateTimeOffset instant)
    {
        instant = default;
        return text?.Length == DateFormat.Length
            && DateTimeOffset.TryParseExact(text, DateFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out instant);
    }

    // The offset must be written: a time without one would silently take the machine's zone.
    private static bool TryParseWithOffset(string? text, out DateTimeOffset instant)
    {
        instant = default;
        return !string.IsNullOrEmpty(text) && (text.EndsWith('Z') || text.LastIndexOfAny(['+', '-']) > 10)
            && DateTimeOffset.TryParseExact(text, Formats, CultureInfo.InvariantCulture, DateTimeStyles.None, out instant);
    }

    /// <summary>Whether <paramref name="instant"/> lies from <see cref="Earliest"/> to <see cref="Latest"/>.</summary>
    public static bool IsInRange(DateTimeOffset instant) => instant >= Earliest && instant <= Latest;

    /// <summary>What an instant outside the range is, for messages.</summary>
    public static string OutOfRange => $"outside the supported range {Format(Earliest)} to {Format(Latest)}";

    /// <summary><c>2026-06-13T09:00:00Z</c>: the one way decisions print instants.</summary>
    public static string Format(DateTimeOffset instant) =>
        instant.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
