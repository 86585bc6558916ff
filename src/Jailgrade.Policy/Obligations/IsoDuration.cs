using System.Globalization;

namespace Jailgrade.Policy.Obligations;

/// <summary>
/// An ISO 8601 duration in the subset policies use: <c>PnYnMnWnDTnHnMnS</c> with non-negative integer
/// components, at least one present. Applied in UTC calendar time: years and months move the
/// calendar date (clamped to the month's last day), days are 24-hour UTC days.
/// </summary>
public readonly record struct IsoDuration(int Years, int Months, int Days, long Seconds)
{
    /// <summary>
    /// The longest duration a policy may state: its years and months together at most this many years,
    /// and its weeks, days, hours, minutes and seconds together at most as many 365.25-day years.
    /// </summary>
    public const int MaxYears = 100;

    private const long MaxFixedSeconds = MaxYears * 36_525L * 864;

    /// <summary>The duration as written canonically (<c>P1Y2M10DT2H30M</c>; weeks are shown as days).</summary>
    public override string ToString()
    {
        var text = new System.Text.StringBuilder("P");
        Append(text, Years, 'Y');
        Append(text, Months, 'M');
        Append(text, Days, 'D');
        if (Seconds > 0)
        {
            text.Append('T');
            Append(text, Seconds / 3600, 'H');
            Append(text, Seconds / 60 % 60, 'M');
            Append(text, Seconds % 60, 'S');
        }

        return text.Length == 1 ? "PT0S" : text.ToString();
    }

    /// <summary>The instant this duration after <paramref name="start"/>, in UTC.</summary>
    public DateTimeOffset After(DateTimeOffset start)
    {
        var utc = start.ToUniversalTime();
        if (Years != 0 || Months != 0)
        {
            utc = utc.AddYears(Years).AddMonths(Months);
        }

        // Days are 24-hour UTC days: one tick addition, no calendar lookups on the hot path.
        return utc.AddTicks((Days * 86_400L + Seconds) * TimeSpan.TicksPerSecond);
    }

    /// <summary>
    /// Parses a duration. On failure <paramref name="error"/> says what is wrong and
    /// <paramref name="offset"/> is the 0-based character where it was found. Never throws.
    /// </summary>
    public static bool TryParse(string? text, out IsoDuration duration, out string error, out int offset)
    {
        duration = default;
        error = "";
        offset = 0;
        if (string.IsNullOrEmpty(text) || text[0] != 'P')
        {
            error = "a duration starts with 'P' (e.g. PT24H, P5D, P4W)";
            return false;
        }

        const string DateDesignators = "YMWD";
        const string TimeDesignators = "HMS";
        long years = 0, months = 0, weeks = 0, days = 0, seconds = 0;
        var inTime = false;
        var lastRank = -1;
        var components = 0;
        var i = 1;
        while (i < text.Length)
        {
            if (text[i] == 'T' && !inTime)
            {
                inTime = true;
                lastRank = -1;
                if (i == text.Length - 1)
                {
                    offset = i;
                    error = "'T' must be followed by hours, minutes or seconds";
                    return false;
                }

                i++;
                continue;
            }

            var start = i;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                i++;
            }

            if (i == start)
            {
                offset = i;
                error = text[i] is '-' or '.' or ','
                    ? "components must be non-negative whole numbers"
                    : $"expected a number at '{text[i..]}'";
                return false;
            }

            if (i == text.Length)
            {
                offset = start;
                error = $"the number '{text[start..]}' has no unit";
                return false;
            }

            var designators = inTime ? TimeDesignators : DateDesignators;
            var rank = designators.IndexOf(text[i], StringComparison.Ordinal);
            if (rank < 0)
            {
                offset = i;
                error = text[i] is '.' or ','
                    ? "fractional components are not allowed"
                    : $"'{text[i]}' is not a {(inTime ? "time" : "date")} unit here (use {designators}{(inTime ? "" : ", and T before hours")})";
                return false;
            }

            if (rank <= lastRank)
            {
                offset = i;
                error = $"'{text[i]}' is repeated or out of order";
                return false;
            }

            if (!long.TryParse(text.AsSpan(start, i - start), NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value > 1_000_000)
            {
                offset = start;
                error = "the number is too large";
                return false;
            }

            lastRank = rank;
            components++;
            switch (inTime ? rank + 4 : rank)
            {
                case 0: years = value; break;
                case 1: months = value; break;
                case 2: weeks = value; break;
                case 3: days = value; break;
                case 4: seconds += value * 3600; break;
                case 5: seconds += value * 60; break;
                default: seconds += value; break;
            }

            i++;
        }

        if (components == 0)
        {
            offset = 0;
            error = "a duration needs at least one component (e.g. P5D)";
            return false;
        }

        if (years * 12 + months > MaxYears * 12 || (weeks * 7 + days) * 86_400 + seconds > MaxFixedSeconds)
        {
            offset = 0;
            error = $"longer than the longest duration a policy may state ({MaxYears} years)";
            return false;
        }

        duration = new IsoDuration((int)years, (int)months, (int)(weeks * 7 + days), seconds);
        return true;
    }

    private static void Append(System.Text.StringBuilder text, long value, char unit)
    {
        if (value > 0)
        {
            text.Append(value.ToString(CultureInfo.InvariantCulture)).Append(unit);
        }
    }
}
