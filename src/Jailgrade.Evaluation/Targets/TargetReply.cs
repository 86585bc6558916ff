namespace Jailgrade.Evaluation.Targets;

/// <summary>Why an attempt failed. Errors are never counted as refusals or successes.</summary>
public enum TargetErrorKind
{
    /// <summary>429 after the last retry.</summary>
    RateLimited,
    /// <summary>5xx after the last retry.</summary>
    ServerError,
    /// <summary>No complete answer within the timeout.</summary>
    Timeout,
    /// <summary>Connection refused, reset, or a body cut short.</summary>
    Network,
    /// <summary>A 2xx answer whose body could not be read as the protocol's JSON.</summary>
    Malformed,
    /// <summary>401 or 403: the key is wrong or lacks access.</summary>
    Unauthorized,
    /// <summary>404: wrong URL or unknown model.</summary>
    NotFound,
    /// <summary>Another 4xx: the request was refused as invalid (a content filter may answer so too).</summary>
    ClientError,
    /// <summary>The target's <c>max_requests</c> budget is spent; nothing was sent.</summary>
    BudgetExhausted,
}

/// <summary>A failure with its cause. The message never holds the prompt, the answer or a key.</summary>
public sealed record TargetError(TargetErrorKind Kind, string Message, int? Status = null)
{
    /// <summary>Whether another attempt may succeed.</summary>
    public bool IsTransient => Kind is TargetErrorKind.RateLimited or TargetErrorKind.ServerError
        or TargetErrorKind.Timeout or TargetErrorKind.Network or TargetErrorKind.Malformed;

    /// <summary>How long a 429 asked the client to wait, when it said.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <inheritdoc />
    public override string ToString() => Status is { } s ? $"{Kind} (HTTP {s}): {Message}" : $"{Kind}: {Message}";
}

/// <summary>The outcome of sending one request, retries included.</summary>
public sealed record TargetReply(string? Content, TargetError? Error, int Attempts, TimeSpan Elapsed)
{
    /// <summary>Whether the model answered.</summary>
    public bool IsAnswer => Error is null;
}
