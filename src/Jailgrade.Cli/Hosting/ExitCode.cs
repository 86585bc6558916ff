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

    /// <summary>
    /// A grade was refused because its headline judge is uncalibrated refusal keywords (calibrate the
    /// judge, run the rubric judge, or accept a provisional grade explicitly).
    /// </summary>
    UncalibratedJudge = 6,

    /// <summary>The evidence holds nothing to grade: no domain has successes on two distinct requests.</summary>
    NothingToGrade = 7,

    /// <summary>Evidence is corrupt or untrusted: a damaged database, an unexpected schema, a failed integrity check.</summary>
    CorruptEvidence = 8,

    /// <summary>A port to listen on is already in use.</summary>
    PortInUse = 9,

    /// <summary>A server could not be reached (connection refused, reset, timed out, name not resolved).</summary>
    ServerUnreachable = 10,

    /// <summary>A server refused the credentials (HTTP 401 or 403).</summary>
    Unauthorized = 11,

    /// <summary>A server has no such object, or it is not visible to the caller (HTTP 404).</summary>
    NotFound = 12,

    /// <summary>A write carried a stale version of the object (HTTP 412); read it again and retry.</summary>
    StaleVersion = 13,

    /// <summary>A bug in jailgrade itself; the message says what to report.</summary>
    InternalError = 70,

    /// <summary>Interrupted by Ctrl+C; whatever was written is durable and a resume picks up.</summary>
    Cancelled = 130,
}
