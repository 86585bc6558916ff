using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace Jailgrade.Cli.Hosting;

/// <summary>The standard help, at a fixed width so golden files are stable, followed by the verb's examples.</summary>
internal sealed class ExamplesHelpAction(HelpAction inner) : SynchronousCommandLineAction
{
    public const int Width = 100;

    public override int Invoke(ParseResult parseResult)
    {
        inner.MaxWidth = Width;
        var result = inner.Invoke(parseResult);
        if (parseResult.CommandResult.Command is VerbCommand { Examples.Count: > 0 } verb)
        {
            var output = parseResult.InvocationConfiguration.Output;
            output.WriteLine("Examples:");
            foreach (var (commandLine, comment) in verb.Examples)
            {
                output.WriteLine($"  # {comment}");
                output.WriteLine($"  {commandLine}");
                output.WriteLine();
            }
        }

        return result;
    }
}
