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
        if (parseResult.CommandResult.Command is not VerbCommand verb)
        {
            return result;
        }

        var output = parseResult.InvocationConfiguration.Output;
        if (verb.Details is { } details)
        {
            output.WriteLine("Details:");
            foreach (var line in details.Split('\n'))
            {
                output.WriteLine(line.Length == 0 ? "" : "  " + line);
            }

            output.WriteLine();
        }

        if (verb.Examples.Count > 0)
        {
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
