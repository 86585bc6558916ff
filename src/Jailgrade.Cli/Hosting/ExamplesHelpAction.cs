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
        if (parseResult.CommandResult.Command is RootCommand)
        {
            WriteExitCodes(parseResult.InvocationConfiguration.Output);
            return result;
        }

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

    private static void WriteExitCodes(TextWriter output)
    {
        output.WriteLine("Exit codes (docs/cli.md):");
        output.WriteLine("  0 success · 1 invalid input (reported with positions) · 2 usage error · 3 check failed");
        output.WriteLine("  4 file or endpoint unreadable · 5 incomplete, resumable · 6 uncalibrated judge · 7 nothing to grade");
        output.WriteLine("  8 corrupt evidence · 9 port in use · 10 server unreachable · 11 unauthorized · 12 not found");
        output.WriteLine("  13 stale version · 70 internal error · 130 cancelled");
        output.WriteLine();
    }
}
