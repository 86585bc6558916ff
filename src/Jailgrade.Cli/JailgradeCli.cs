using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.Reflection;
using Jailgrade.Standard;
using System.CommandLine.Parsing;
using Jailgrade.Cli.Commands;
using Jailgrade.Cli.Commands.Standard;
using Jailgrade.Cli.Hosting;

namespace Jailgrade.Cli;

/// <summary>Builds the <c>jailgrade</c> command tree and runs it.</summary>
internal static class JailgradeCli
{
    /// <summary>
    /// Every verb, registered explicitly here and nowhere else, grouped by the part of the pipeline
    /// it belongs to. Adding a verb is one line.
    /// </summary>
    public static RootCommand Build(CliContext context)
    {
        var root = new RootCommand(
            "Jailgrade: measure, grade, decide on and track jailbreaks of AI models on the JG 1.0 standard.");

        // Demo
        root.Subcommands.Add(DemoCommand.Create(context));

        // The standard (grade)
        root.Subcommands.Add(ScoreCommand.Create(context));
        root.Subcommands.Add(ExplainCommand.Create(context));
        root.Subcommands.Add(MetricsCommand.Create(context));
        root.Subcommands.Add(TableCommand.Create(context));
        root.Subcommands.Add(CalculatorCommand.Create(context));

        // Policies (decide)
        root.Subcommands.Add(Commands.Policy.PolicyCommand.Create(context));
        root.Subcommands.Add(Commands.Policy.DecideCommand.Create(context));

        // Evaluation (measure)
        root.Subcommands.Add(Commands.Evaluation.EvalCommand.Create(context));
        root.Subcommands.Add(Commands.Evaluation.MockTargetCommand.Create(context));
        root.Subcommands.Add(Commands.Evaluation.JudgeCommand.Create(context));

        // The case registry (track)
        root.Subcommands.Add(Commands.Registry.ServeCommand.Create(context));
        root.Subcommands.Add(Commands.Registry.AdminCommand.Create(context));
        root.Subcommands.Add(Commands.Registry.UsersCommand.Create(context));
        root.Subcommands.Add(Commands.Registry.OrgCommand.Create(context));
        root.Subcommands.Add(Commands.Registry.ModelCommand.Create(context));
        root.Subcommands.Add(Commands.Registry.ReleaseCommand.Create(context));
        root.Subcommands.Add(Commands.Registry.AccreditationCommand.Create(context));
        root.Subcommands.Add(Commands.Registry.CaseCommand.Create(context));
        root.Subcommands.Add(Commands.Registry.AuthorityCommand.Create(context));

        foreach (var option in root.Options)
        {
            if (option is HelpOption { Action: HelpAction help } helpOption)
            {
                helpOption.Action = new ExamplesHelpAction(help);
            }
            else if (option is VersionOption versionOption)
            {
                versionOption.Action = new VersionAction();
            }
        }

        return root;
    }

    /// <summary>Parses and runs a command line; returns the process exit code.</summary>
    public static async Task<int> RunAsync(string[] args, CliContext context, CancellationToken cancellationToken = default)
    {
        var root = Build(context);
        var parseResult = root.Parse(args);
        var configuration = new InvocationConfiguration
        {
            Output = context.Out,
            Error = context.Error,
            EnableDefaultExceptionHandler = false,
            // Signals are Program's to turn into the cancellation token: System.CommandLine's own handler
            // returned 130 before a cancelled campaign could store its last batch and say how to resume.
            ProcessTerminationTimeout = null,
        };

        try
        {
            if (context.ClockError is { } clockError)
            {
                await context.Error.WriteLineAsync($"jailgrade: {clockError}");
                return (int)ExitCode.UsageError;
            }

            if (parseResult.Errors.Count > 0 && parseResult.Action is not HelpAction and not ExamplesHelpAction)
            {
                var path = CommandPath(parseResult);
                if (parseResult.UnmatchedTokens.Count == 0 && parseResult.CommandResult.Command.Subcommands.Count > 0
                    && parseResult.Tokens.All(t => t.Type == TokenType.Command))
                {
                    // A bare command that only groups verbs ('jailgrade', 'jailgrade eval'): show what it holds.
                    return await root.Parse([.. path.Skip(1), "--help"]).InvokeAsync(configuration, cancellationToken);
                }

                foreach (var message in UsageErrors.Describe(parseResult, string.Join(' ', path)))
                {
                    await context.Error.WriteLineAsync($"jailgrade: {message}");
                }

                await context.Error.WriteLineAsync($"Run '{string.Join(' ', path)} --help' for usage.");
                return (int)ExitCode.UsageError;
            }

            return await parseResult.InvokeAsync(configuration, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            await context.Error.WriteLineAsync("jailgrade: cancelled.");
            return (int)ExitCode.Cancelled;
        }
        catch (Jailgrade.Evaluation.Storage.CorruptEvidenceException exception)
        {
            await context.Error.WriteLineAsync($"jailgrade: corrupt evidence: {exception.Message}");
            return (int)ExitCode.CorruptEvidence;
        }
        catch (Jailgrade.Evaluation.Storage.ResultsKeyException exception)
        {
            // A wrong or missing key is the user's to fix, wherever a verb meets it: documented as exit 4.
            await context.Error.WriteLineAsync($"jailgrade: results key: {exception.Message}");
            return (int)ExitCode.IoError;
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            await context.Error.WriteLineAsync($"jailgrade: internal error: {exception.GetType().Name}: {exception.Message}");
            if (context.Environment("JAILGRADE_DEBUG") is "1" or "true")
            {
                await context.Error.WriteLineAsync(exception.ToString());
            }
            else
            {
                await context.Error.WriteLineAsync("This is a bug in jailgrade. Set JAILGRADE_DEBUG=1 for details and report them.");
            }

            return (int)ExitCode.InternalError;
        }
        finally
        {
            await context.Out.FlushAsync(CancellationToken.None);
            await context.Output.FlushAsync(CancellationToken.None);
        }
    }

    /// <summary>The version of jailgrade itself (not of whatever process hosts it).</summary>
    public static string Version { get; } = typeof(JailgradeCli).Assembly
        .GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    private sealed class VersionAction : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            parseResult.InvocationConfiguration.Output.WriteLine($"jailgrade {Version} ({JgMetrics.Standard})");
            return 0;
        }
    }

    internal static List<string> CommandPath(ParseResult parseResult)
    {
        var names = new List<string>();
        for (SymbolResult? result = parseResult.CommandResult; result is CommandResult command; result = command.Parent)
        {
            names.Add(command.Command == parseResult.RootCommandResult.Command ? "jailgrade" : command.Command.Name);
        }

        names.Reverse();
        return names;
    }
}
