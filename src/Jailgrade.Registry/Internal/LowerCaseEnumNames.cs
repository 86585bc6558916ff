namespace Jailgrade.Registry.Internal;

/// <summary>Enum values as lower-case words (<c>Regulator</c> ↔ <c>regulator</c>), the form the database and the API use.</summary>
internal static class LowerCaseEnumNames<T>
    where T : struct, Enum
{
    private static readonly Dictionary<T, string> Names = Enum.GetValues<T>().ToDictionary(v => v, v => v.ToString().ToLowerInvariant());
    private static readonly Dictionary<string, T> Values = Names.ToDictionary(p => p.Value, p => p.Key, StringComparer.Ordinal);

    public static string Name(T value) => Names[value];

    public static T Parse(string name) =>
        Values.TryGetValue(name, out var value) ? value : throw new FormatException($"'{name}' is not a {typeof(T).Name} (expected one of {string.Join(", ", Values.Keys)})");

    public static bool TryParse(string name, out T value) => Values.TryGetValue(name, out value);

    public static IEnumerable<string> All => Names.Values;
}
