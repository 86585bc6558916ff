using System.CommandLine;
using Jailgrade.Policy;
using Jailgrade.Cli.Hosting;

namespace Jailgrade.Cli.Commands.Policy;

/// <summary><c>jailgrade policy validate FILE...</c>: load each policy and prove its table and ladders.</summary>
internal sealed class ValidatePolicyCommand(CliContext context)
{
    public static Command Create(CliContext context)
    {
        var files = new Argument<string[]>("file") { Description = "Policy files (YAML) to validate.", Arity = ArgumentArity.OneOrMore };
        var command = new VerbCommand("validate", "Load policy files and prove their tables complete and monotone.", """
            Checks every key and value, durations, country codes and references, then proves the decision
            table complete (each combination of input values decided by exactly one row or the default) and
            monotone (a higher ordered input never gives a lower outcome), and the eligibility ladders
            monotone. Each error is printed as FILE:LINE:COLUMN: error KIND: MESSAGE. Exit code 1 if any
            file has errors. Run 'jailgrade policy test' to check the policy's examples too.
            """)
        {
            files,
        };
        command.WithExample("jailgrade policy validate my-policy.yaml", "prove one policy");
        command.SetAction((parseResult, _) => Task.FromResult((int)new ValidatePolicyCommand(context).Run(parseResult.GetValue(files) ?? [])));
        return command;
    }

    public ExitCode Run(IReadOnlyList<string> files)
    {
        var code = ExitCode.Success;
        foreach (var file in files)
        {
            var result = PolicyLoader.LoadFile(file);
            foreach (var error in result.Errors)
            {
                context.Error.WriteLine(error.ToString());
            }

            if (result.Policy is { } policy)
            {
                context.Out.WriteLine($"{file}: ok: {policy.Id} {policy.Version}, {policy.Rows.Count} rows deciding {policy.CombinationCount} combinations, {policy.Examples.Count} examples, sha256 {policy.Stamp.Sha256}");
            }
            else
            {
                context.Out.WriteLine($"{file}: {result.Errors.Count} error{(result.Errors.Count == 1 ? "" : "s")}");
                code = result.Errors.Any(e => e.Kind == PolicyErrorKind.Unreadable) ? ExitCode.IoError : ExitCode.InvalidInput;
            }
        }

        return code;
    }
}
