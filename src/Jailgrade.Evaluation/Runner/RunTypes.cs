using Jailgrade.Evaluation.Storage;

namespace Jailgrade.Evaluation.Runner;

/// <summary>How a run treats an output directory that already has results.</summary>
public sealed record RunOptions
{
    /// <summary>The results directory.</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>Continue a run that stopped; without it, existing results are an error.</summary>
    public bool Resume { get; init; }

    /// <summary>Resume even though the campaign file changed since the run began.</summary>
    public bool Force { get; init; }

    /// <summary>Do not read or fill the response cache.</summary>
    public bool NoCache { get; init; }

    /// <summary>Items in flight at once; null for the sum of the targets' <c>max_concurrency</c>.</summary>
    public int? MaxParallelism { get; init; }

    /// <summary>Results per group commit at most.</summary>
    public int BatchSize { get; init; } = 256;
}

/// <summary>What a run needs from outside: the clock, the network, the environment, the key.</summary>
public sealed record RunnerServices
{
    /// <summary>The one pooled client every target shares.</summary>
    public required HttpClient Http { get; init; }

    /// <summary>The clock.</summary>
    public required TimeProvider Time { get; init; }

    /// <summary>Reads environment variables (API keys).</summary>
    public required Func<string, string?> Environment { get; init; }

    /// <summary>
    /// The user's results key, which wraps the directory's data key (payloads are encrypted at rest).
    /// Only a run that stores results needs one: a runner built to plan (a dry run) takes none.
    /// </summary>
    public ResultsKey? Key { get; init; }

    /// <summary>Receives progress after each group commit.</summary>
    public IProgress<RunProgress>? Progress { get; init; }
}

/// <summary>Progress of a run.</summary>
/// <param name="Done">Results stored, earlier runs included.</param>
/// <param name="Total">Results the campaign plans.</param>
/// <param name="Errors">Stored results that are errors.</param>
/// <param name="PerSecond">Results stored per second in this run.</param>
/// <param name="Eta">Estimated time left, when a rate is known.</param>
public sealed record RunProgress(long Done, long Total, long Errors, double PerSecond, TimeSpan? Eta);

/// <summary>How a run ended.</summary>
public sealed record RunSummary
{
    /// <summary>Results the campaign plans.</summary>
    public required long Planned { get; init; }

    /// <summary>Results stored, earlier runs included.</summary>
    public required long Stored { get; init; }

    /// <summary>Stored results that are errors.</summary>
    public required long Errors { get; init; }

    /// <summary>Stored answers the judge could not judge; like errors, they are not attempts.</summary>
    public long Unjudged { get; init; }

    /// <summary>Results written by this run.</summary>
    public required long Written { get; init; }

    /// <summary>Items not run because a target's <c>max_requests</c> budget was spent.</summary>
    public required long SkippedForBudget { get; init; }

    /// <summary>Whether the run was cancelled before it finished.</summary>
    public required bool Cancelled { get; init; }

    /// <summary>The campaign's <c>max_error_share</c>.</summary>
    public required double MaxErrorShare { get; init; }

    /// <summary>What the run had to bend and says beside its results, such as a Retry-After clamped to a target's <c>max_backoff_s</c>.</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>Errors and unjudged answers over stored results: the share that measured nothing.</summary>
    public double ErrorShare => Stored == 0 ? 0 : (Errors + Unjudged) / (double)Stored;

    /// <summary>Every planned key has a result and the error share is within the campaign's limit.</summary>
    public bool Complete => !Cancelled && Stored == Planned && ErrorShare <= MaxErrorShare;
}

/// <summary>Why a run refused to start.</summary>
public enum RefusalReason
{
    /// <summary>The output directory holds results and --resume was not given.</summary>
    ExistingResults,
    /// <summary>The campaign file changed since the run began and --force was not given.</summary>
    CampaignChanged,
    /// <summary>An API key's environment variable is not set.</summary>
    MissingKey,
    /// <summary>A target failed its preflight call.</summary>
    Preflight,

    /// <summary>Another run is writing to the same results directory.</summary>
    Busy,

    /// <summary>The results were stored under artifact attack ids of an older version (<c>artifact:GCG</c>, now <c>artifact:GCG/white_box</c>).</summary>
    AttackIdsChanged,
}

/// <summary>A run that cannot start: existing results without resume, a changed campaign, a failed preflight.</summary>
public sealed class RunRefusedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RunRefusedException(RefusalReason reason, string message)
        : base(message) => Reason = reason;

    /// <summary>Creates the exception.</summary>
    public RunRefusedException(string message)
        : base(message)
    {
    }

    /// <summary>Why the run refused.</summary>
    public RefusalReason Reason { get; }

    /// <summary>Creates the exception (for analyzers).</summary>
    public RunRefusedException()
    {
    }

    /// <summary>Creates the exception with a cause.</summary>
    public RunRefusedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
