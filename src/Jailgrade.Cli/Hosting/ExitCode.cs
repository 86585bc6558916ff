namespace Jailgrade.Cli.Hosting;

/// <summary>
/// The documented exit codes of <c>jailgrade</c> (docs/cli.md). Scripts may rely on them: a code
/// never changes meaning once published.
/// </summary>
internal enum ExitCode
{
    /// <summary>Everything asked for was done and every input was valid.</summary>
    Success = 0,

    /// <summary>
    /// Some input was invalid (a vector, a file); each problem was reported with its position and the
    /// valid inputs were still processed.
    /// </summary>
    InvalidInput = 1,

    /// <summary>The command line itself is wrong: unknown verb or option, missing argument.</summary>
    UsageError = 2,

    /// <summary>A check the command exists to run did not pass (a policy example, a verification).</summary>
    CheckFailed = 3,

    /// <summary>A file or endpoint could not be read or written.</summary>
    IoError = 4,

    /// <summary>Work stopped before completion (error budget exceeded, endpoint failing); resumable.</summary>
    Incomplete = 5,

    /// <summary>A bug in jailgrade itself; the message says what to report.</summary>
    InternalError = 70,

    /// <summary>Interrupted by Ctrl+C; whatever was written is durable and a resume picks up.</summary>
    Cancelled = 130,
}
