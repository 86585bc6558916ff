using System.CommandLine;
using System.Globalization;
using Jailgrade.Cli.Hosting;

namespace Jailgrade.Cli.Remote;

/// <summary>
/// The options every verb that talks to a registry server shares: where it is, whose key, how long to
/// wait, and JSON instead of a table. <see cref="RunAsync"/> connects and turns every refusal into its
/// documented exit code.
/// </summary>
internal sealed class RemoteOptions
{
    public const string ServerVariable = "JAILGRADE_SERVER";

    public Option<string?> Server { get; } = new("--server")
    {
        Description = $"The registry's base URL ({ServerVariable}; default {ServerAddress.Default}). Plain http only to loopback.",
        HelpName = "url",
    };

    public Option<string?> KeyFile { get; } = new("--key-file")
    {
        Description = $"File holding your API key, mode 600 (without it, the key in {ClientKey.Variable}).",
        HelpName = "path",
    };

    public Option<double> Timeout { get; } = new("--timeout")
    {
        Description = "Seconds to wait for each answer.",
        HelpName = "seconds",
        DefaultValueFactory = _ => 30,
    };

    public Option<bool> Json { get; } = new("--json") { Description = "Print the server's JSON instead of a table (terminal) or TSV (pipe)." };

    /// <summary>Adds the shared options to a verb and returns it.</summary>
    public VerbCommand AddTo(VerbCommand command)
    {
        command.Options.Add(Server);
        command.Options.Add(KeyFile);
        command.Options.Add(Timeout);
        command.Options.Add(Json);
        return command;
    }

    /// <summary>
    /// Runs a remote verb: checks the server address and reads the key before any connection, then
    /// hands the client to the work; a refusal is printed as <c>jailgrade VERB: message</c> and exits
    /// with its code.
    /// </summary>
    public async Task<int> RunAsync(CliContext context, ParseResult parseResult, string verb, Func<RegistryClient, Task<int>> work)
    {
        try
        {
            var seconds = parseResult.GetValue(Timeout);
            if (!(seconds > 0 && seconds <= 3600))
            {
                throw new RemoteException(ExitCode.UsageError, $"--timeout {seconds.ToString(CultureInfo.InvariantCulture)}: expected seconds above 0, at most 3600");
            }

            var server = ServerAddress.Parse(parseResult.GetValue(Server) ?? (context.Environment(ServerVariable) is { Length: > 0 } configured ? configured : ServerAddress.Default));
            var key = ClientKey.Read(parseResult.GetValue(KeyFile), context.Environment);
            using var client = new RegistryClient(server, key, TimeSpan.FromSeconds(seconds), context.Delay);
            return await work(client);
        }
        catch (RemoteException e)
        {
            await context.Error.WriteLineAsync($"jailgrade {verb}: {e.Message}");
            return (int)e.Code;
        }
        catch (IOException e) when (e is not EndOfStreamException)
        {
            await context.Error.WriteLineAsync($"jailgrade {verb}: {e.Message}");
            return (int)ExitCode.IoError;
        }
        catch (UnauthorizedAccessException e)
        {
            await context.Error.WriteLineAsync($"jailgrade {verb}: {e.Message}");
            return (int)ExitCode.IoError;
        }
    }

    /// <summary>An id on the command line: a UUID, or a usage error naming the option.</summary>
    public static Guid Id(string text, string what) =>
        Guid.TryParse(text, out var id)
            ? id
            : throw new RemoteException(ExitCode.UsageError, $"{what} '{TerminalText.Escape(text)}': expected an id such as 0b5c2f7e-7a1d-4c3e-9f6b-2d8e4a1c5b90");

    /// <summary>The values of a repeatable option, each of which may also list several separated by commas.</summary>
    public static List<string> Values(string[]? given) =>
        [.. (given ?? []).SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))];
}
