using System.CommandLine;
using Jailgrade.Policy;
using Jailgrade.Cli.Hosting;

namespace Jailgrade.Cli.Commands.Policy;

/// <summary><c>jailgrade policy list</c>: the built-in policies.</summary>
internal sealed class ListPolicyCommand(CliContext context)
{
    public static Command Create(CliContext context)
    {
        var command = new VerbCommand("list", "List the built-in policies: id, version, table size and title.");
        command.WithExample("jailgrade policy list", "see which policies ship with jailgrade");
        command.SetAction((_, _) => Task.FromResult((int)new ListPolicyCommand(context).Run()));
        return command;
    }

    public ExitCode Run()
    {
        foreach (var policy in BuiltinPolicies.All)
        {
            context.Out.WriteLine($"{policy.Id,-16} {policy.Version,-7} {policy.Rows.Count,3} rows  {policy.Examples.Count,3} examples  {policy.Title}");
        }

        return ExitCode.Success;
    }
}
