using System.CommandLine;
using Jailgrade.Policy;
using Jailgrade.Cli.Commands.Policy.Internal;
using Jailgrade.Cli.Hosting;
using Jailgrade.Policy.Examples;

namespace Jailgrade.Cli.Commands.Policy;

/// <summary><c>jailgrade policy test [FILE...]</c>: run every example case of the named policies.</summary>
internal sealed class TestPolicyCommand(CliContext context)
{
    public static Command Create(CliContext context)
    {
        var policies = new Argument<string[]>("policy") { Description = "Policy files or built-in ids. With none, every built-in policy.", Arity = ArgumentArity.ZeroOrMore };
        var command = new VerbCommand("test", "Run each policy's example cases and check they decide as stated.", """
            Every policy ships with example cases (a vector, facts, a clock, countries) and the outcome,
            obligations and eligibility they must give. This decides each one and reports what differs.
            Exit code 3 if any example fails, 1 if a policy does not load.
            """)
        {
            policies,
        };
        command.WithExample("jailgrade policy test", "test every built-in policy")
            .WithExample("jailgrade policy test my-policy.yaml", "test one policy file");
        command.SetAction((parseResult, _) => Task.FromResult((int)new TestPolicyCommand(context).Run(parseResult.GetValue(policies) ?? [])));
        return command;
    }

    public ExitCode Run(IReadOnlyList<string> names)
    {
        var code = ExitCode.Success;
        int passed = 0, failed = 0;
        foreach (var name in names.Count == 0 ? BuiltinPolicies.Ids : names)
        {
            var (policy, loadCode) = PolicyResolver.Resolve(name, context, "policy test");
            if (policy is null)
            {
                code = loadCode;
                continue;
            }

            foreach (var result in ExampleRunner.Run(policy))
            {
                if (result.Passed)
                {
                    passed++;
                    context.Out.WriteLine($"pass  {policy.Id}: {result.Example.Name}");
                    continue;
                }

                failed++;
                context.Out.WriteLine($"FAIL  {policy.Id}: {result.Example.Name} ({policy.SourceName}:{result.Example.Position})");
                foreach (var failure in result.Failures)
                {
                    context.Out.WriteLine($"        {failure}");
                }
            }
        }

        // A tally of nothing after a policy that could not be loaded reads like a pass: say it only when examples ran.
        if (passed + failed > 0 || code == ExitCode.Success)
        {
            context.Error.WriteLine($"jailgrade policy test: {passed} passed, {failed} failed.");
        }

        return code != ExitCode.Success ? code : failed > 0 ? ExitCode.CheckFailed : ExitCode.Success;
    }
}
