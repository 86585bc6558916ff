using System.CommandLine;
using System.Security.Cryptography;
using Jailgrade.Cli.Commands.Evaluation.Internal;
using Jailgrade.Cli.Hosting;
using Jailgrade.Evaluation.Storage;

namespace Jailgrade.Cli.Commands.Evaluation;

/// <summary><c>jailgrade eval export-key</c>: one results directory's data key, to hand that directory (and no other) to an auditor.</summary>
internal sealed class EvalExportKeyCommand(CliContext context)
{
    public static Command Create(CliContext context)
    {
        var directory = new Argument<string>("dir") { Description = "A results directory written by 'eval run'." };
        var keyOut = new Option<string>("--key-out")
        {
            Description = "A new file for the data key (mode 0600; never overwritten), or - to print it, only on a terminal.",
            HelpName = "file",
            Required = true,
        };
        var command = new VerbCommand("export-key", "Write one results directory's data key to a new file, to hand that directory alone to an auditor.", """
            Each results directory has its own random data key, wrapped under your results key (JAILGRADE_KEY or
            ~/.config/jailgrade/results.key) in DIR/data-keys. The exported key opens this directory's prompts
            and responses and no other's. The receiver runs 'jailgrade eval import-key DIR --key-file FILE'.
            The file is created readable by you only and an existing file is never overwritten. '--key-out -'
            prints the key only when standard output is a terminal (exit 2 otherwise). Exit 4 when your key
            does not open the directory, or the directory predates data keys.
            """)
        {
            directory, keyOut,
        };
        command.WithExample("jailgrade eval export-key results/smoke --key-out smoke.data-key", "the data key, for an auditor");
        command.SetAction((parseResult, _) => Task.FromResult((int)new EvalExportKeyCommand(context).Run(parseResult.GetValue(directory)!, parseResult.GetValue(keyOut)!)));
        return command;
    }

    public ExitCode Run(string directory, string keyOut)
    {
        var toTerminal = keyOut == "-";
        if (toTerminal && !context.OutputIsTerminal)
        {
            context.Error.WriteLine("jailgrade: --key-out -: standard output is not a terminal; a data key piped or redirected lands where others or logs may keep it. Use --key-out FILE (a new file readable by you only).");
            return ExitCode.UsageError;
        }

        if (!toTerminal && File.Exists(keyOut))
        {
            context.Error.WriteLine($"jailgrade: {keyOut} exists: export-key writes a new file and never overwrites one.");
            return ExitCode.IoError;
        }

        if (!EvaluationSupport.IsResultsDirectory(context, directory))
        {
            return ExitCode.IoError;
        }

        using var key = EvaluationSupport.Key(context, directory, create: false);
        if (key is null)
        {
            return ExitCode.IoError;
        }

        var dataKey = DataKeys.Export(directory, key);
        try
        {
            if (toTerminal)
            {
                context.Out.Write(DataKeys.FormatExport(dataKey));
                return ExitCode.Success;
            }

            PayloadKey.WriteNew(keyOut, DataKeys.FormatExport(dataKey));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            context.Error.WriteLine($"jailgrade: cannot write {keyOut}: {e.Message}");
            return ExitCode.IoError;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }

        context.Error.WriteLine($"Wrote the data key of {directory} to {keyOut} (readable by you only). It opens this directory's payloads and no other's.");
        context.Error.WriteLine($"  Hand it over out of band; the receiver runs: jailgrade eval import-key {directory} --key-file {keyOut}");
        return ExitCode.Success;
    }
}
