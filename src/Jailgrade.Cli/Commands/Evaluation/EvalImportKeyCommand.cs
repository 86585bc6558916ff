using System.CommandLine;
using System.Security.Cryptography;
using Jailgrade.Cli.Commands.Evaluation.Internal;
using Jailgrade.Cli.Hosting;
using Jailgrade.Evaluation.Storage;

namespace Jailgrade.Cli.Commands.Evaluation;

/// <summary><c>jailgrade eval import-key</c>: a directory's data key, received from its owner, wrapped under your own results key.</summary>
internal sealed class EvalImportKeyCommand(CliContext context)
{
    public static Command Create(CliContext context)
    {
        var directory = new Argument<string>("dir") { Description = "The results directory the data key belongs to." };
        var keyFile = new Option<string>("--key-file")
        {
            Description = "The data key written by 'eval export-key' (mode 0600 or 0400).",
            HelpName = "file",
            Required = true,
        };
        var command = new VerbCommand("import-key", "Wrap a results directory's data key, received from its owner, under your own results key.", """
            Checks that the key opens DIR (results.db holds a check encrypted under it), then adds it to
            DIR/data-keys wrapped under your results key (JAILGRADE_KEY or ~/.config/jailgrade/results.key,
            created if you have none); results.db is only read. Afterwards 'eval report DIR --include-payloads'
            reads the payloads with your own key, and FILE can be deleted. Exit 4 when the key file is readable
            by others (with the chmod to run), is not a data key, or belongs to another directory, and when
            DIR cannot be written (copy it somewhere writable).
            """)
        {
            directory, keyFile,
        };
        command.WithExample("jailgrade eval import-key results/smoke --key-file smoke.data-key", "read a directory handed over with its data key");
        command.SetAction((parseResult, _) => Task.FromResult((int)new EvalImportKeyCommand(context).Run(parseResult.GetValue(directory)!, parseResult.GetValue(keyFile)!)));
        return command;
    }

    public ExitCode Run(string directory, string keyFile)
    {
        if (!EvaluationSupport.IsResultsDirectory(context, directory))
        {
            return ExitCode.IoError;
        }

        byte[] dataKey;
        try
        {
            dataKey = DataKeys.ParseExport(PayloadKey.ReadProtected(keyFile), keyFile);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            context.Error.WriteLine($"jailgrade: cannot read {keyFile}: {e.Message}");
            return ExitCode.IoError;
        }

        try
        {
            using var key = EvaluationSupport.Key(context, directory, create: true);
            if (key is null)
            {
                return ExitCode.IoError;
            }

            var added = DataKeys.Import(directory, dataKey, key, keyFile);
            context.Error.WriteLine(added
                ? $"Imported the data key of {directory}: {Path.Combine(directory, DataKeys.FileName)} now holds it wrapped under your results key too; 'jailgrade eval report {directory} --include-payloads' reads its payloads, and {keyFile} can be deleted."
                : $"Your results key already opens {directory}: nothing changed.");
            return ExitCode.Success;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            context.Error.WriteLine($"jailgrade: cannot write {Path.Combine(directory, DataKeys.FileName)}: {e.Message} (the results directory may be read-only; copy it somewhere writable)");
            return ExitCode.IoError;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }
}
