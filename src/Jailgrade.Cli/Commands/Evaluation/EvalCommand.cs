using System.CommandLine;
using Jailgrade.Cli.Hosting;

namespace Jailgrade.Cli.Commands.Evaluation;

/// <summary><c>jailgrade eval</c>: run campaigns, report on them, grade their evidence.</summary>
internal static class EvalCommand
{
    public static Command Create(CliContext context) =>
        new("eval", "Measure a jailbreak: run campaigns, report success rates, grade the evidence.")
        {
            EvalRunCommand.Create(context),
            EvalReportCommand.Create(context),
            EvalGradeCommand.Create(context),
            EvalExportKeyCommand.Create(context),
            EvalImportKeyCommand.Create(context),
        };
}
