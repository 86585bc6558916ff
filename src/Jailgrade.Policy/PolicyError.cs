namespace Jailgrade.Policy;

/// <summary>What is wrong in a policy file. Each kind is an error: a policy with any of them does not load.</summary>
public enum PolicyErrorKind
{
    /// <summary>The file is not well-formed YAML.</summary>
    Syntax,
    /// <summary>A key the format does not define.</summary>
    UnknownKey,
    /// <summary>A required key is absent.</summary>
    MissingKey,
    /// <summary>A value of the wrong shape or outside its allowed set.</summary>
    BadValue,
    /// <summary>A duration that is not an ISO 8601 duration the format accepts.</summary>
    BadDuration,
    /// <summary>A code that is not an ISO 3166-1 alpha-2 country.</summary>
    UnknownCountry,
    /// <summary>Jurisdiction tiers that list a country twice or leave one out.</summary>
    CountryCoverage,
    /// <summary>A reference to a tier, input, party or value that the policy does not declare.</summary>
    UnknownReference,
    /// <summary>Two rows decide the same combination of inputs.</summary>
    Overlap,
    /// <summary>Combinations that no row decides and no default covers.</summary>
    Incomplete,
    /// <summary>A higher input gives a lower outcome.</summary>
    NotMonotone,
    /// <summary>An eligibility ladder that is missing a level or gives less to a higher level or more to a higher outcome.</summary>
    Eligibility,
    /// <summary>The file could not be read at all (missing, a directory, no permission): no position in it applies.</summary>
    Unreadable,
}

/// <summary>One error in a policy file, with the position of the offending node.</summary>
public sealed record PolicyError(string Source, int Line, int Column, PolicyErrorKind Kind, string Message)
{
    /// <summary>
    /// <c>file:line:column: error Kind: message</c>, the shape editors and CI logs link; <c>file: error
    /// Kind: message</c> when the problem is the whole file (line 0).
    /// </summary>
    public override string ToString() => Line == 0 ? $"{Source}: error {Kind}: {Message}" : $"{Source}:{Line}:{Column}: error {Kind}: {Message}";
}
