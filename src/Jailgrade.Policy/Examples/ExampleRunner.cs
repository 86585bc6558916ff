using Jailgrade.Policy.Eligibility;
using Jailgrade.Policy.Obligations;

namespace Jailgrade.Policy.Examples;

/// <summary>The result of running one example: what differed from the stated expectation, if anything.</summary>
public sealed record ExampleResult(PolicyExample Example, IReadOnlyList<string> Failures)
{
    /// <summary>Whether the example decided as stated.</summary>
    public bool Passed => Failures.Count == 0;
}

/// <summary>Runs a policy's own example cases. No clock is injected: examples state every time they use.</summary>
public static class ExampleRunner
{
    /// <summary>Decides every example and compares it with its expectation.</summary>
    public static IReadOnlyList<ExampleResult> Run(JgPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return [.. policy.Examples.Select(example => new ExampleResult(example, Check(policy, example)))];
    }

    private static List<string> Check(JgPolicy policy, PolicyExample example)
    {
        var failures = new List<string>();
        if (!policy.TryDecide(example.Request, null, out var decision, out var error))
        {
            failures.Add($"could not decide: {error}");
            return failures;
        }

        var expect = example.Expect;
        if (decision!.Outcome != expect.Outcome)
        {
            failures.Add($"outcome: expected {expect.Outcome}, got {decision.Outcome} ({decision.Rationale})");
        }

        if (expect.Row is { } row && decision.Row?.Number != row)
        {
            failures.Add($"row: expected row {row}, got {(decision.Row is null ? "the default" : $"row {decision.Row.Number}")}");
        }

        if (expect.Obligations is { } obligations)
        {
            var actual = decision.Obligations.Select(o => o.Describe()).ToList();
            var expected = obligations.Select(o => ScheduledObligation.Describe(o.Kind, o.Party, o.Due)).ToList();
            foreach (var missing in expected.Except(actual))
            {
                failures.Add($"obligation expected but not decided: {missing}");
            }

            foreach (var extra in actual.Except(expected))
            {
                failures.Add($"obligation decided but not expected: {extra}");
            }
        }

        foreach (var access in expect.Eligibility)
        {
            var ladder = decision.Eligibility.First(l => l.Tier.Name == access.Tier);
            var got = ladder[access.Level];
            if (got.Access != access.Access)
            {
                failures.Add($"eligibility {access.Tier}/{access.Level.Name()}: expected {new AccessRule(access.Access, []).AccessName}, got {got.AccessName}");
            }
        }

        foreach (var (country, tier) in expect.Countries)
        {
            var got = policy.TierOf(country);
            if (got.Name != tier)
            {
                failures.Add($"country {country}: expected tier {tier}, got {got.Name}");
            }
        }

        return failures;
    }
}
