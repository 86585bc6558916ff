using Jailgrade.Policy.Examples;

namespace Jailgrade.Policy.Tests.Builtin;

public class BuiltinPolicyTests
{
    public static TheoryData<string> Ids => [.. BuiltinPolicies.Ids];

    [Theory]
    [MemberData(nameof(Ids))]
    public void Load_BuiltinPolicy_LoadsWithoutErrors(string id)
    {
        var result = PolicyLoader.Load(BuiltinPolicies.TextOf(id)!, BuiltinPolicies.SourceNameOf(id));

        result.Errors.ShouldBeEmpty(string.Join("\n", result.Errors));
        result.Policy!.Id.ShouldBe(id);
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void Examples_BuiltinPolicy_EveryExampleDecidesAsStated(string id)
    {
        var policy = BuiltinPolicies.Find(id)!;

        var results = ExampleRunner.Run(policy);

        results.Count.ShouldBeGreaterThanOrEqualTo(5, "every built-in policy ships with enough examples to pin its table");
        var failures = results.Where(r => !r.Passed).Select(r => $"{r.Example.Name}: {string.Join("; ", r.Failures)}");
        failures.ShouldBeEmpty();
    }
}
