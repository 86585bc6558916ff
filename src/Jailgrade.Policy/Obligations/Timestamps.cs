using System.Globalization;

namespace Jailgrade.Policy.Obligations;

/// <summary>Strict ISO 8601 timestamps with an explicit offset (<c>2026-06-12T09:00:00Z</c>), normalized to UTC.</summary>
public static class Timestamps
{
    private static readonly string[] Formats =
    [
        "yyyy-MM-dd'T'HH:mm:ssK",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK",
        "yyyy-MM-dd'T'HH:mmK",
    ];

    /// <summary>Parses a timestamp that states its offset; returns it in UTC.</summary>
    public static bool TryParse(string? text, out DateTimeOffset instant)
    {
        instant = default;
        if (string.IsNullOrEmpty(text) || !(text.EndsWith('Z') || text.LastIndexOfAny(['+', '-']) > 10))
        {
            return false;
        }

        if (!DateTimeOffset.TryParseExact(text, Formats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
        {
            return false;
        }

        instant = parsed.ToUniversalTime();
        return true;
    }

    /// <summary><c>2026-06-13T09:00:00Z</c>: the one way decisions print instants.</summary>
    public static string Format(DateTimeOffset instant) =>
        instant.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
