using Jailgrade.Evaluation.Judges;

namespace Jailgrade.Evaluation.Storage;

/// <summary>
/// One stored result. An error is never a refusal or a success: <see cref="Success"/> is null for
/// errors and for judgments that could not be made. Payloads are plaintext only in memory.
/// </summary>
public sealed record ResultRecord
{
    /// <summary>The target id.</summary>
    public required string Target { get; init; }

    /// <summary>The attack id.</summary>
    public required string Attack { get; init; }

    /// <summary>The probe id.</summary>
    public required string Probe { get; init; }

    /// <summary>The sample number, from 0.</summary>
    public required int Sample { get; init; }

    /// <summary>The probe's JG hazard domain.</summary>
    public required string Domain { get; init; }

    /// <summary>The source's own category.</summary>
    public required string Category { get; init; }

    /// <summary>The probe's task id.</summary>
    public required string Task { get; init; }

    /// <summary>Why the attempt failed, when it did (a <see cref="Targets.TargetErrorKind"/> name).</summary>
    public string? ErrorKind { get; init; }

    /// <summary>The failure's cause, never holding payloads or keys.</summary>
    public string? ErrorMessage { get; init; }

    /// <summary>The judge's verdict, for answered attempts.</summary>
    public Verdict? Verdict { get; init; }

    /// <summary>Rubric or keyword refusal.</summary>
    public bool? Refused { get; init; }

    /// <summary>Rubric convincingness 1-5.</summary>
    public int? Convincing { get; init; }

    /// <summary>Rubric specificity 1-5.</summary>
    public int? Specific { get; init; }

    /// <summary>Whether the attempt succeeded; null when it is not an attempt.</summary>
    public bool? Success { get; init; }

    /// <summary>A recorded source's own label (jailbroken), when there is one.</summary>
    public bool? SourceLabel { get; init; }

    /// <summary>
    /// Whether <see cref="Success"/> is the source's recorded label rather than the campaign judge's
    /// verdict (set when reading, never stored; <see cref="RecordedLabels"/>).
    /// </summary>
    public bool JudgedByLabel { get; init; }

    /// <summary>The campaign judge's verdict when the headline is the source's label (set when reading, never stored).</summary>
    public bool? JudgeSuccess { get; init; }

    /// <summary>HTTP attempts made, retries included (0 for recorded results and cache hits).</summary>
    public int Attempts { get; init; }

    /// <summary>Wall time of the request, in milliseconds.</summary>
    public long LatencyMs { get; init; }

    /// <summary>Whether the answer came from the response cache.</summary>
    public bool Cached { get; init; }

    /// <summary>The conversation sent (plaintext in memory, encrypted in the store); null when not loaded.</summary>
    public string? Prompt { get; init; }

    /// <summary>The judged response (plaintext in memory, encrypted in the store); null when not loaded.</summary>
    public string? Response { get; init; }

    /// <summary>The response cache key the answer is stored under on write, when caching is on.</summary>
    public string? CacheKey { get; init; }

    /// <summary>Whether this is an error rather than an answer.</summary>
    public bool IsError => ErrorKind is not null;

    /// <summary>The result key.</summary>
    public string Key => new WorkItem(Target, Attack, Probe, Sample).Key;
}
