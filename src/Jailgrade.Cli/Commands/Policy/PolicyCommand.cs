using System.CommandLine;
using Jailgrade.Policy;
using Jailgrade.Cli.Hosting;

namespace Jailgrade.Cli.Commands.Policy;

/// <summary><c>jailgrade policy</c>: the verbs that check, run and show policies.</summary>
internal static class PolicyCommand
{
    public static Command Create(CliContext context) =>
        new("policy", "Validate, test, list, show and compare decision policies (thresholds as data).")
        {
            ValidatePolicyCommand.Create(context),
            TestPolicyCommand.Create(context),
            ListPolicyCommand.Create(context),
            ShowPolicyCommand.Create(context),
            DiffPolicyCommand.Create(context),
        };
}
