using Jailgrade.Policy.Decisions;
using Jailgrade.Policy.Eligibility;

namespace Jailgrade.Policy.Examples;

/// <summary>An example case a policy ships with: the case and how it must decide.</summary>
public sealed class PolicyExample
{
    internal PolicyExample(string name, DecisionRequest request, ExampleExpectation expect, SourcePosition position)
    {
        Name = name;
        Request = request;
        Expect = expect;
        Position = position;
    }

    /// <summary>A short name that says what the case is.</summary>
    public string Name { get; }

    /// <summary>The case.</summary>
    public DecisionRequest Request { get; }

    /// <summary>What it must decide.</summary>
    public ExampleExpectation Expect { get; }

    /// <summary>Where the example starts.</summary>
    public SourcePosition Position { get; }
}

/// <summary>
/// What an example must decide: the outcome always; optionally the row, the complete set of
/// obligations with their due times, some eligibility entries and country tiers.
/// </summary>
public sealed record ExampleExpectation(
    Outcome Outcome,
    int? Row,
    IReadOnlyList<ExpectedObligation>? Obligations,
    IReadOnlyList<ExpectedAccess> Eligibility,
    IReadOnlyDictionary<string, string> Countries);

/// <summary>An obligation an example expects: kind, party and due time (null when not yet due).</summary>
public sealed record ExpectedObligation(string Kind, string Party, DateTimeOffset? Due, SourcePosition Position);

/// <summary>The access an example expects in one tier at one identity level.</summary>
public sealed record ExpectedAccess(string Tier, IdentityLevel Level, Access Access, SourcePosition Position);
