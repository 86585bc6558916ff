namespace Jailgrade.Standard.Scoring;

/// <summary>Severity bands, low to high. Each band is several times more serious than the one below.</summary>
public enum Band
{
    /// <summary>0.0: nothing beyond freely available information.</summary>
    None,
    /// <summary>0.1 to 3.9.</summary>
    Low,
    /// <summary>4.0 to 6.9.</summary>
    Medium,
    /// <summary>7.0 to 8.9.</summary>
    High,
    /// <summary>9.0 to 10.0.</summary>
    Critical,
}

/// <summary>Band helpers.</summary>
public static class Bands
{
    /// <summary>All bands, low to high.</summary>
    public static IReadOnlyList<Band> All { get; } = [Band.None, Band.Low, Band.Medium, Band.High, Band.Critical];

    /// <summary>The lowest score of each band, in tenths.</summary>
    public static IReadOnlyList<int> LowerBounds { get; } = [0, 1, 40, 70, 90];

    /// <summary>The band a score in tenths falls in.</summary>
    public static Band Of(int tenths) => tenths switch
    {
        <= 0 => Band.None,
        < 40 => Band.Low,
        < 70 => Band.Medium,
        < 90 => Band.High,
        _ => Band.Critical,
    };

    /// <summary>The band's range as printed in the standard ("7.0-8.9").</summary>
    public static string Range(this Band band) => band switch
    {
        Band.None => "0.0",
        Band.Low => "0.1-3.9",
        Band.Medium => "4.0-6.9",
        Band.High => "7.0-8.9",
        _ => "9.0-10.0",
    };

    /// <summary>Parses a band name, case-insensitively.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out Band band)
    {
        foreach (var candidate in All)
        {
            if (text.Equals(candidate.ToString(), StringComparison.OrdinalIgnoreCase))
            {
                band = candidate;
                return true;
            }
        }

        band = default;
        return false;
    }
}
