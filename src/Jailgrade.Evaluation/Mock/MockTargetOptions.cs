namespace Jailgrade.Evaluation.Mock;

/// <summary>
/// How the simulated model behaves. Every choice it makes is a pure function of the request (its
/// content and <c>seed</c>) and, for faults, the attempt number the client sends in
/// the <see cref="Targets.MockTargetHeaders.Attempt"/> header; never of arrival order.
/// </summary>
public sealed record MockTargetOptions
{
    /// <summary>Patterns the model is vulnerable to; the first match decides.</summary>
    public IList<MockVulnerability> Vulnerabilities { get; init; } = [];

    /// <summary>Delay before each answer.</summary>
    public TimeSpan Latency { get; init; } = TimeSpan.Zero;

    /// <summary>When set, requests must carry <c>Authorization: Bearer KEY</c> (or <c>x-api-key</c>), else 401.</summary>
    public string? ApiKey { get; init; }

    /// <summary>When non-empty, requests for other models get 404.</summary>
    public IList<string> Models { get; init; } = [];

    /// <summary>Injected faults, each with its probability per attempt (their sum at most 1).</summary>
    public MockFaults Faults { get; init; } = new();

    /// <summary>Whether rubric-judge conversations get a rubric answer (false: they are answered like any prompt, which a rubric parser cannot read).</summary>
    public bool AnswersRubric { get; init; } = true;

    /// <summary>The refusal the model gives when it does not comply.</summary>
    public string Refusal { get; init; } = "I'm sorry, but I can't help with that request.";
}

/// <summary>A prompt pattern the simulated model falls for with a given probability.</summary>
/// <param name="Name">A label for reports and tests.</param>
/// <param name="Pattern">A regular expression matched against the whole conversation (case-insensitive).</param>
/// <param name="ComplianceProbability">The chance, per distinct request and seed, that the model complies.</param>
public sealed record MockVulnerability(string Name, string Pattern, double ComplianceProbability);

/// <summary>Fault probabilities per attempt.</summary>
public sealed record MockFaults
{
    /// <summary>429 with a Retry-After header.</summary>
    public double RateLimited { get; init; }

    /// <summary>The Retry-After value sent with a 429, in whole seconds.</summary>
    public int RetryAfterSeconds { get; init; } = 1;

    /// <summary>500 Internal Server Error.</summary>
    public double ServerError { get; init; }

    /// <summary>No answer until <see cref="HangDuration"/> has passed (past any sane client timeout).</summary>
    public double Hang { get; init; }

    /// <summary>How long a hang lasts.</summary>
    public TimeSpan HangDuration { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>200 with a body that is not JSON.</summary>
    public double Malformed { get; init; }

    /// <summary>200 whose body stops halfway and the connection is dropped.</summary>
    public double Truncated { get; init; }

    /// <summary>The sum of all fault probabilities.</summary>
    public double Total => RateLimited + ServerError + Hang + Malformed + Truncated;
}
