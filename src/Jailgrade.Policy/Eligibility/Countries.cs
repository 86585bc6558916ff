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
