namespace Jailgrade.Registry.Access;

/// <summary>
/// One row of an authority's scope (docs/registry.md, "Regulator scope"). An authority with no row has
/// scope <see cref="ScopeKind.All"/>, the single-authority default.
/// </summary>
public sealed class AuthorityScope
{
    public Guid AuthorityId { get; set; }

    public ScopeKind Kind { get; set; }

    /// <summary>Empty for <see cref="ScopeKind.All"/>; a lab's organization id; or an ISO 3166 alpha-2 code.</summary>
    public string Value { get; set; } = "";
}

/// <summary>What an authority's scope row covers.</summary>
public enum ScopeKind
{
    All,
    Organization,
    Jurisdiction,
}
