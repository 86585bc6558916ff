namespace Jailgrade.Evaluation.Targets;

/// <summary>One model endpoint as a campaign file defines it.</summary>
public sealed record TargetSpec
{
    /// <summary>The target's id in results and reports.</summary>
    public required string Id { get; init; }

    /// <summary>The provider id: <c>openai</c> (any OpenAI-compatible server) or <c>anthropic</c>.</summary>
    public required string Provider { get; init; }

    /// <summary>The API base, e.g. <c>http://127.0.0.1:8000/v1</c> or <c>https://api.anthropic.com</c>.</summary>
    public required string BaseUrl { get; init; }

    /// <summary>The model id sent with each request.</summary>
    public required string Model { get; init; }

    /// <summary>The environment variable holding the API key; none for keyless local servers.</summary>
    public string? ApiKeyEnv { get; init; }

    /// <summary>Most requests in flight at once (the adaptive limit never goes above it).</summary>
    public int MaxConcurrency { get; init; } = 8;

    /// <summary>Token-bucket rate limit; null for none.</summary>
    public double? RequestsPerSecond { get; init; }

    /// <summary>Timeout of one attempt, body included.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Retries after the first attempt on 429, 5xx, timeouts and broken or malformed bodies.</summary>
    public int MaxRetries { get; init; } = 4;

    /// <summary>The first back-off delay; each retry doubles it, with seeded jitter.</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// The longest wait before a retry: the exponential back-off stops growing here, and a server's
    /// Retry-After asking for longer is clamped to it (and the run's notes say so).
    /// </summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Largest response body read, in bytes; a longer one is the error "body too large".</summary>
    public long MaxResponseBytes { get; init; } = 4 * 1024 * 1024;

    /// <summary>
    /// Whether requests carry the headers only the built-in mock target reads (<c>X-Jailgrade-Attempt</c>,
    /// the retry number its injected faults are drawn from, and, for the Anthropic protocol,
    /// <c>X-Jailgrade-Seed</c>). Off by default: a real endpoint is never sent them.
    /// </summary>
    public bool MockHeaders { get; init; }

    /// <summary>The highest <see cref="MaxResponseBytes"/> a campaign may set (1 GiB).</summary>
    public const long MaxResponseBytesLimit = 1L << 30;

    /// <summary>Budget of HTTP requests (retries included) for the whole run; null for none.</summary>
    public long? MaxRequests { get; init; }

    /// <summary>Most tokens the model may generate per answer.</summary>
    public int MaxTokens { get; init; } = 512;

    /// <summary>A system prompt put before every conversation that has none.</summary>
    public string? SystemPrompt { get; init; }

    /// <summary>Extra HTTP headers sent with each request (never secrets: use <see cref="ApiKeyEnv"/>).</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    /// <summary>Sampling temperature; null leaves the server's default.</summary>
    public double? Temperature { get; init; }

    /// <summary>Nucleus sampling; null leaves the server's default.</summary>
    public double? TopP { get; init; }
}
