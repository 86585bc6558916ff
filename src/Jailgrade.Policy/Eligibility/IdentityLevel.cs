namespace Jailgrade.Policy.Eligibility;

/// <summary>How well a user's identity is established, lowest first.</summary>
public enum IdentityLevel
{
    /// <summary>Anonymous or unverified.</summary>
    None,
    /// <summary>A basic check (email, payment method).</summary>
    Basic,
    /// <summary>Identity verified (government ID, organization).</summary>
    Verified,
    /// <summary>Vetted: verified and approved for sensitive use.</summary>
    Vetted,
}

/// <summary>Whether access is granted, least first.</summary>
public enum Access
{
    /// <summary>No access.</summary>
    Deny,
    /// <summary>Access under stated conditions (e.g. monitoring).</summary>
    AllowWithConditions,
    /// <summary>Access.</summary>
    Allow,
}

/// <summary>The access granted at one identity level, with its conditions when conditional.</summary>
public sealed record AccessRule(Access Access, IReadOnlyList<string> Conditions)
{
    /// <summary>The access as written in JSON and policies (<c>allow</c>, <c>allow-with-conditions</c>, <c>deny</c>).</summary>
    public string AccessName => Access switch
    {
        Access.Allow => "allow",
        Access.AllowWithConditions => "allow-with-conditions",
        _ => "deny",
    };
}

/// <summary>Identity level helpers.</summary>
public static class IdentityLevels
{
    /// <summary>All levels, lowest first.</summary>
    public static IReadOnlyList<IdentityLevel> All { get; } = [IdentityLevel.None, IdentityLevel.Basic, IdentityLevel.Verified, IdentityLevel.Vetted];

    /// <summary>The level names as written in policies and JSON, by level.</summary>
    public static IReadOnlyList<string> Names { get; } = ["none", "basic", "verified", "vetted"];

    /// <summary>The level's name (<c>verified</c>).</summary>
    public static string Name(this IdentityLevel level) => Names[(int)level];

    /// <summary>Parses a level name (<c>vetted</c>).</summary>
    public static bool TryParse(string? text, out IdentityLevel level)
    {
        for (var i = 0; i < Names.Count; i++)
        {
            if (string.Equals(Names[i], text, StringComparison.Ordinal))
            {
                level = (IdentityLevel)i;
                return true;
            }
        }

        level = default;
        return false;
    }
}
