using System.Text;
using Jailgrade.Cli.Hosting;

namespace Jailgrade.Cli.Tests.TestSupport;

/// <summary>The outcome of one in-process run of the command line.</summary>
internal sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public string[] Lines => Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}

/// <summary>Runs <c>jailgrade</c> in-process over memory streams, as a pipe would (not a terminal).</summary>
internal static class CliRun
{
    public static Task<CliResult> RunAsync(params string[] args) => RunAsync([], terminal: false, args);

    public static Task<CliResult> RunWithInputAsync(string stdin, params string[] args) =>
        RunAsync(Encoding.UTF8.GetBytes(stdin), terminal: false, args);

    public static Task<CliResult> RunAsync(byte[] stdin, bool terminal, params string[] args) =>
        RunAsync(stdin, terminal, _ => null, args);

    public static Task<CliResult> RunAsync(byte[] stdin, bool terminal, Func<string, string?> environment, params string[] args) =>
        RunAsync(stdin, terminal, environment, null, args);

    /// <summary>Runs with <paramref name="delay"/> in place of real waits before retries (null: the real ones).</summary>
    public static async Task<CliResult> RunAsync(byte[] stdin, bool terminal, Func<string, string?> environment, Func<TimeSpan, CancellationToken, Task>? delay, params string[] args)
    {
        using var input = new MemoryStream(stdin);
        using var output = new MemoryStream();
        using var error = new StringWriter { NewLine = "\n" };
        var context = new CliContext(input, output, error, terminal, environment: environment) { Delay = delay ?? Task.Delay };
        var code = await JailgradeCli.RunAsync(args, context);
        return new CliResult(code, Encoding.UTF8.GetString(output.ToArray()), error.ToString());
    }
}
