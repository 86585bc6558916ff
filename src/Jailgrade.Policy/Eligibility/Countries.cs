using System.Collections.Frozen;

namespace Jailgrade.Policy.Eligibility;

/// <summary>
/// The ISO 3166-1 alpha-2 country codes, embedded in the assembly so that a policy's jurisdiction
/// tiers mean the same on every machine.
/// </summary>
public static class Countries
{
    private static readonly FrozenDictionary<string, string> NamesByCode = Load();

    /// <summary>Every code, sorted.</summary>
    public static IReadOnlyList<string> All { get; } = [.. NamesByCode.Keys.Order(StringComparer.Ordinal)];

    /// <summary>Whether <paramref name="code"/> is an assigned alpha-2 code (upper case).</summary>
    public static bool IsKnown(string code) => NamesByCode.ContainsKey(code);

    /// <summary>
    /// Checks a code as written: on failure <paramref name="error"/> quotes it and, where the mistake is
    /// a familiar one, names the code meant: lower case (<c>'us': country codes are upper case: did you
    /// mean 'US'?</c>) or a code ISO 3166 does not use (<c>UK</c> for GB, <c>EL</c> for GR).
    /// </summary>
    public static bool TryCheck(string code, out string error)
    {
        ArgumentNullException.ThrowIfNull(code);
        if (IsKnown(code))
        {
            error = "";
            return true;
        }

        var upper = code.ToUpperInvariant();
        var meant = NotIso.TryGetValue(upper, out var alias) ? alias.Code : IsKnown(upper) ? upper : null;
        error = meant is null
            ? $"'{code}' is not an ISO 3166-1 alpha-2 country code (two upper-case letters, e.g. US, GB)"
            : upper == code || !IsKnown(upper)
                ? $"'{code}' is not an ISO 3166-1 alpha-2 country code: did you mean '{meant}'? ({NotIso[upper].Why})"
                : $"'{code}': country codes are upper case: did you mean '{meant}'?";
        return false;
    }

    // Codes people write that ISO 3166-1 does not assign, and the code they mean.
    private static readonly FrozenDictionary<string, (string Code, string Why)> NotIso = new Dictionary<string, (string, string)>(StringComparer.Ordinal)
    {
        ["UK"] = ("GB", "ISO 3166 has no UK; the United Kingdom is GB"),
        ["EL"] = ("GR", "EL is the EU's abbreviation for Greece; ISO 3166 has GR"),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>The country's short name, or <see langword="null"/>.</summary>
    public static string? NameOf(string code) => NamesByCode.GetValueOrDefault(code);

    private static FrozenDictionary<string, string> Load()
    {
        using var stream = typeof(Countries).Assembly.GetManifestResourceStream("Jailgrade.Policy.Jurisdictions.iso3166-1-alpha2.txt")
            ?? throw new InvalidOperationException("The embedded country list is missing from the assembly.");
        using var reader = new StreamReader(stream);
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length > 3 && line[0] != '#')
            {
                names.Add(line[..2], line[3..]);
            }
        }

        return names.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
