namespace Jailgrade.Policy.Eligibility;

/// <summary>A named group of countries; a policy's tiers cover every ISO 3166-1 country exactly once.</summary>
public sealed class JurisdictionTier
{
    internal JurisdictionTier(string name, IReadOnlyList<string> countries, bool isRest, string? description, SourcePosition position)
    {
        Name = name;
        Countries = countries;
        IsRest = isRest;
        Description = description;
        Position = position;
    }

    /// <summary>The tier's name as rows, ladders and JSON use it.</summary>
    public string Name { get; }

    /// <summary>Its countries (ISO 3166-1 alpha-2), sorted.</summary>
    public IReadOnlyList<string> Countries { get; }

    /// <summary>Whether the tier was written as "every country not in another tier".</summary>
    public bool IsRest { get; }

    /// <summary>An optional description.</summary>
    public string? Description { get; }

    /// <summary>Where the tier is declared.</summary>
    public SourcePosition Position { get; }
}

/// <summary>
/// The eligibility of one outcome in one tier: the access at each identity level, lowest first.
/// </summary>
public sealed class EligibilityLadder
{
    internal EligibilityLadder(JurisdictionTier tier, Outcome outcome, IReadOnlyList<AccessRule> rules, SourcePosition position)
    {
        Tier = tier;
        Outcome = outcome;
        Rules = rules;
        Position = position;
    }

    /// <summary>The tier.</summary>
    public JurisdictionTier Tier { get; }

    /// <summary>The outcome.</summary>
    public Outcome Outcome { get; }

    /// <summary>The access at each identity level, indexed by <see cref="IdentityLevel"/>.</summary>
    public IReadOnlyList<AccessRule> Rules { get; }

    /// <summary>Where the ladder is written.</summary>
    public SourcePosition Position { get; }

    /// <summary>The access at one level.</summary>
    public AccessRule this[IdentityLevel level] => Rules[(int)level];
}
