namespace Jailgrade.Policy;

/// <summary>
/// The policies that ship inside the assembly, registered here explicitly. Each has a page under
/// docs/policies/ citing the sources of its numbers.
/// </summary>
public static class BuiltinPolicies
{
    /// <summary>The ids of the built-in policies, in the order <c>policy list</c> shows them.</summary>
    public static IReadOnlyList<string> Ids { get; } =
    [
        // Government
        "us-frontier",
        // Regulation
        "eu-gpai",
        // Lab
        "lab-safeguards",
    ];

    private static readonly Lazy<IReadOnlyDictionary<string, JgPolicy>> Loaded = new(LoadAll);

    /// <summary>Every built-in policy, in <see cref="Ids"/> order.</summary>
    public static IReadOnlyList<JgPolicy> All => [.. Ids.Select(id => Loaded.Value[id])];

    /// <summary>A built-in policy by id, or <see langword="null"/>.</summary>
    public static JgPolicy? Find(string id) => Loaded.Value.GetValueOrDefault(id);

    /// <summary>The text of a built-in policy file, or <see langword="null"/>.</summary>
    public static string? TextOf(string id)
    {
        using var stream = typeof(BuiltinPolicies).Assembly.GetManifestResourceStream($"Jailgrade.Policy.Builtin.{id}.yaml");
        if (stream is null)
        {
            return null;
        }

        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>The name errors and stamps use for a built-in policy (<c>builtin:us-frontier</c>).</summary>
    public static string SourceNameOf(string id) => $"builtin:{id}";

    private static Dictionary<string, JgPolicy> LoadAll()
    {
        var policies = new Dictionary<string, JgPolicy>(StringComparer.Ordinal);
        foreach (var id in Ids)
        {
            var text = TextOf(id) ?? throw new InvalidOperationException($"The built-in policy '{id}' is missing from the assembly.");
            var result = PolicyLoader.Load(text, SourceNameOf(id));
            policies[id] = result.Policy
                ?? throw new InvalidOperationException($"The built-in policy '{id}' does not load: {string.Join(Environment.NewLine, result.Errors)}");
        }

        return policies;
    }
}
