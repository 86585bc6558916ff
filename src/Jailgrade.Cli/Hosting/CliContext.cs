using System.Text;

namespace Jailgrade.Cli.Hosting;

/// <summary>
/// What a verb may touch of the outside world: the standard streams, whether stdout is a terminal,
/// the clock and the environment. Tests build one over memory streams; nothing else reads
/// <see cref="Console"/> directly.
/// </summary>
internal sealed class CliContext
{
    private const int DefaultWidth = 100;
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);
    private readonly string? _clockError;

    /// <summary>Creates a context over the given streams.</summary>
    public CliContext(Stream input, Stream output, TextWriter error, bool outputIsTerminal, TimeProvider? time = null,
        Func<string, string?>? environment = null)
    {
        Input = input;
        Output = output;
        Out = new StreamWriter(output, Utf8, 1 << 16, leaveOpen: true) { AutoFlush = false, NewLine = "\n" };
        Error = error;
        OutputIsTerminal = outputIsTerminal;
        Environment = environment ?? System.Environment.GetEnvironmentVariable;
        Time = time ?? FixedClock.FromEnvironment(Environment, out _clockError) ?? TimeProvider.System;
    }

    /// <summary>The real console.</summary>
    public static CliContext FromConsole()
    {
        var error = new StreamWriter(Console.OpenStandardError(), Utf8) { AutoFlush = true, NewLine = "\n" };
        var terminal = !Console.IsOutputRedirected;
        return new CliContext(Console.OpenStandardInput(), Console.OpenStandardOutput(), error, terminal)
        {
            TerminalWidth = terminal && Console.WindowWidth > 0 ? Console.WindowWidth : DefaultWidth,
            InputIsTerminal = !Console.IsInputRedirected,
        };
    }

    /// <summary>Standard input as bytes (bulk verbs read it directly).</summary>
    public Stream Input { get; }

    /// <summary>Standard output as bytes. Flush <see cref="Out"/> before writing here.</summary>
    public Stream Output { get; }

    /// <summary>Standard output as text (UTF-8, LF line endings, buffered; flushed when the verb ends).</summary>
    public TextWriter Out { get; }

    /// <summary>Standard error: diagnostics, progress and summaries; never data.</summary>
    public TextWriter Error { get; }

    /// <summary>Whether stdout is a terminal (human output) rather than a pipe or file (data only).</summary>
    public bool OutputIsTerminal { get; }

    /// <summary>Whether standard input is a terminal (someone typing) rather than a pipe or file.</summary>
    public bool InputIsTerminal { get; init; }

    /// <summary>Columns that human output (tables) may fill: the terminal's width, or 100 when unknown.</summary>
    public int TerminalWidth { get; init; } = DefaultWidth;

    /// <summary>The clock: the system's, or the instant <c>JAILGRADE_NOW</c> fixes for every date printed.</summary>
    public TimeProvider Time { get; }

    /// <summary>Why <c>JAILGRADE_NOW</c> could not set the clock, when it could not (the verb then does not run).</summary>
    public string? ClockError => _clockError;

    /// <summary>Waits before a retry (remote verbs); tests replace it so that nothing sleeps.</summary>
    public Func<TimeSpan, CancellationToken, Task> Delay { get; init; } = Task.Delay;

    /// <summary>Reads an environment variable.</summary>
    public Func<string, string?> Environment { get; }
}
