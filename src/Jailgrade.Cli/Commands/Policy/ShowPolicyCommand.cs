using System.CommandLine;
using Jailgrade.Policy;
using Jailgrade.Cli.Commands.Policy.Internal;
using Jailgrade.Cli.Hosting;
using Jailgrade.Policy.Rendering;

namespace Jailgrade.Cli.Commands.Policy;

/// <summary><c>jailgrade policy show ID|FILE</c>: the policy rendered readably.</summary>
internal sealed class ShowPolicyCommand(CliContext context)
{
    public static Command Create(CliContext context)
    {
        var policy = new Argument<string>("policy") { Description = "A built-in policy id or a policy file." };
        var format = new Option<string>("--format") { Description = "md (Markdown tables) or yaml (the policy file itself).", HelpName = "md|yaml", DefaultValueFactory = _ => "md" };
        format.AcceptOnlyFromAmong("md", "yaml");
        var command = new VerbCommand("show", "Show a policy: its decision table, obligations, tiers and eligibility.")
        {
            policy, format,
        };
        command.WithExample("jailgrade policy show us-frontier", "the table and obligations as Markdown")
            .WithExample("jailgrade policy show eu-gpai --format yaml > eu-gpai.yaml", "copy a built-in policy to adapt it");
        command.SetAction((parseResult, _) => Task.FromResult((int)new ShowPolicyCommand(context).Run(parseResult.GetValue(policy)!, parseResult.GetValue(format)!)));
        return command;
    }

    public ExitCode Run(string name, string format)
    {
        if (format == "yaml")
        {
            var text = BuiltinPolicies.TextOf(name) ?? (File.Exists(name) ? File.ReadAllText(name) : null);
            if (text is null)
            {
                context.Error.WriteLine($"jailgrade policy show: '{name}' is neither a built-in policy ({string.Join(", ", BuiltinPolicies.Ids)}) nor a file.");
                return ExitCode.IoError;
            }

            context.Out.Write(text);
            return ExitCode.Success;
        }

        var (policy, code) = PolicyResolver.Resolve(name, context, "policy show");
        if (policy is null)
        {
            return code;
        }

        context.Out.Write(PolicyMarkdown.Render(policy));
        return ExitCode.Success;
    }
}
