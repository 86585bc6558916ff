using System.CommandLine;
using Jailgrade.Cli.Hosting;
using Jailgrade.Standard;
using Jailgrade.Standard.Tables;

namespace Jailgrade.Cli.Commands.Standard;

/// <summary><c>jailgrade table</c>: the complete reference table of every base vector, or its hash.</summary>
internal sealed class TableCommand(CliContext context)
{
    public static Command Create(CliContext context)
    {
        var sha = new Option<bool>("--sha256") { Description = "Print only the SHA-256 of the table (compare with docs/standard/jg-1.0.md)." };
        var command = new VerbCommand("table", "Write the reference table of every base vector's score, or its SHA-256.", $"""
            The complete table of all {JgMetrics.BaseVectorCount:N0} base vectors: odometer order (metrics in vector order,
            values least severe first, the last metric fastest), one line per vector VECTOR<TAB>SCORE<TAB>BAND, LF
            endings, no header. An independent implementation of the standard must reproduce it byte for byte.
            """)
        {
            sha,
        };
        command.WithExample("jailgrade table --sha256", "the hash an independent implementation must match")
            .WithExample("jailgrade table > jg-1.0-table.tsv", "the whole table (about 42 MB)");
        command.SetAction((parseResult, _) => Task.FromResult((int)new TableCommand(context).Run(parseResult.GetValue(sha))));
        return command;
    }

    public ExitCode Run(bool hashOnly)
    {
        if (hashOnly)
        {
            context.Out.WriteLine(ScoreTable.Sha256());
            return ExitCode.Success;
        }

        context.Out.Flush();
        ScoreTable.Write(context.Output);
        return ExitCode.Success;
    }
}
