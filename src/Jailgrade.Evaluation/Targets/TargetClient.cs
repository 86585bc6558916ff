using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Jailgrade.Evaluation.Internal;
using Jailgrade.Evaluation.Targets.Internal;

namespace Jailgrade.Evaluation.Targets;

/// <summary>
/// Sends requests to one target with its concurrency limit, token bucket, adaptive back-off on 429
/// (honouring Retry-After), bounded retries with seeded jitter and per-attempt timeouts. An error
/// left after the last retry comes back as a <see cref="TargetError"/>, never as an answer.
/// </summary>
public sealed class TargetClient
{
    private const string ConnectionRefused = "connection refused";
    private const string ConnectionReset = "connection reset by the server";

    // The attempt header's common values, formatted once (the campaign loader caps max_retries at 100).
    private static readonly string[] AttemptNumbers = [.. Enumerable.Range(0, 101).Select(n => n.ToString(CultureInfo.InvariantCulture))];

    private readonly HttpClient _http;
    private readonly IChatProvider _provider;
    private readonly TimeProvider _time;
    private readonly string? _apiKey;
    private readonly AdaptiveLimiter _limiter;
    private readonly TokenBucket? _bucket;
    private long _sent;
    private long _clamped;

    /// <summary>Creates a client; <paramref name="apiKey"/> comes from the environment variable the spec names.</summary>
    public TargetClient(TargetSpec spec, IChatProvider provider, HttpClient http, TimeProvider time, string? apiKey)
    {
        ArgumentNullException.ThrowIfNull(spec);
        Spec = spec;
        _provider = provider;
        _http = http;
        _time = time;
        _apiKey = apiKey;
        _limiter = new AdaptiveLimiter(spec.MaxConcurrency, time);
        _bucket = spec.RequestsPerSecond is { } rate ? new TokenBucket(rate, time) : null;
    }

    /// <summary>The target's definition.</summary>
    public TargetSpec Spec { get; }

    /// <summary>HTTP requests sent so far, retries included.</summary>
    public long RequestsSent => Interlocked.Read(ref _sent);

    /// <summary>
    /// How many times a server's Retry-After asked for longer than <see cref="TargetSpec.MaxBackoff"/>
    /// and was clamped to it (the run's notes say so).
    /// </summary>
    public long RetryAfterClamped => Interlocked.Read(ref _clamped);

    /// <summary>The current adaptive concurrency limit.</summary>
    public int ConcurrencyLimit => _limiter.Limit;

    /// <summary>
    /// Sends one request. <paramref name="retryKey"/> (the work item's key) seeds the jitter, so the
    /// same item backs off the same way on every run. Cancellation throws; everything else is a reply.
    /// </summary>
    public Task<TargetReply> SendAsync(ChatRequest request, string retryKey, CancellationToken cancellationToken) =>
        SendAsync(request, retryKey, stopWhenRefused: false, cancellationToken);

    private async Task<TargetReply> SendAsync(ChatRequest request, string retryKey, bool stopWhenRefused, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var started = _time.GetTimestamp();
        TargetError? last = null;
        var attempt = 0;
        for (; attempt <= Spec.MaxRetries; attempt++)
        {
            if (attempt > 0)
            {
                await Task.Delay(Backoff(retryKey, attempt, last), _time, cancellationToken);
            }

            if (Spec.MaxRequests is { } budget && Interlocked.Increment(ref _sent) > budget)
            {
                Interlocked.Decrement(ref _sent);
                return new TargetReply(null, new TargetError(TargetErrorKind.BudgetExhausted, $"max_requests {budget} reached"), attempt, _time.GetElapsedTime(started));
            }
            else if (Spec.MaxRequests is null)
            {
                Interlocked.Increment(ref _sent);
            }

            var (content, error) = await AttemptAsync(request, attempt, cancellationToken);
            if (error is null)
            {
                return new TargetReply(content, null, attempt + 1, _time.GetElapsedTime(started));
            }

            last = error;
            if (!error.IsTransient || (stopWhenRefused && error.Message == ConnectionRefused))
            {
                break;
            }
        }

        return new TargetReply(null, last, Math.Min(attempt + 1, Spec.MaxRetries + 1), _time.GetElapsedTime(started));
    }

    /// <summary>
    /// One small call before a run, so that a wrong key, URL or model fails at once with a clear
    /// message instead of as thousands of errors.
    /// </summary>
    public async Task<TargetError?> PreflightAsync(CancellationToken cancellationToken)
    {
        var reply = await SendAsync(new ChatRequest([ChatMessage.User("Reply with the word OK.")], 0), "preflight", stopWhenRefused: true, cancellationToken);
        return reply.Error;
    }

    private async Task<(string? Content, TargetError? Error)> AttemptAsync(ChatRequest request, int attempt, CancellationToken cancellationToken)
    {
        if (_bucket is not null)
        {
            await _bucket.TakeAsync(cancellationToken);
        }

        await _limiter.AcquireAsync(cancellationToken);
        try
        {
            using var timeout = new CancellationTokenSource(Spec.Timeout, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            using var message = _provider.CreateRequest(Spec, request, _apiKey);
            if (Spec.MockHeaders)
            {
                message.Headers.TryAddWithoutValidation(MockTargetHeaders.Attempt, attempt < AttemptNumbers.Length ? AttemptNumbers[attempt] : attempt.ToString(CultureInfo.InvariantCulture));
            }

            foreach (var (name, value) in Spec.Headers)
            {
                message.Headers.TryAddWithoutValidation(name, value);
            }

            try
            {
                // Headers first, then the body as a stream up to max_response_bytes: a huge body is
                // an error after reading at most that much, never a buffer of its whole size.
                using var response = await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, linked.Token);
                var status = (int)response.StatusCode;
                if (response.IsSuccessStatusCode)
                {
                    if (await ReadBodyAsync(response, linked.Token) is not { } body)
                    {
                        return (null, new TargetError(TargetErrorKind.Malformed, $"body too large: more than max_response_bytes ({Spec.MaxResponseBytes.ToString(CultureInfo.InvariantCulture)} bytes)", status));
                    }

                    if (_provider.TryReadAnswer(body, out var content, out var problem))
                    {
                        _limiter.OnSuccess();
                        return (content, null);
                    }

                    return (null, new TargetError(TargetErrorKind.Malformed, problem, status));
                }

                return (null, Classify(response));
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return (null, new TargetError(TargetErrorKind.Timeout, $"no complete answer within {Spec.Timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s"));
            }
            catch (HttpRequestException e)
            {
                return (null, new TargetError(TargetErrorKind.Network, Describe(e)));
            }
            catch (IOException e)
            {
                return (null, new TargetError(TargetErrorKind.Network, Describe(e)));
            }
        }
        finally
        {
            _limiter.Release();
        }
    }

    // The body, or null when it is longer than max_response_bytes (said up front or found reading).
    private async Task<byte[]?> ReadBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var limit = Spec.MaxResponseBytes;
        if (response.Content.Headers.ContentLength > limit)
        {
            return null;
        }

        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var body = new MemoryStream();
        var buffer = new byte[81_920];
        int read;
        while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
        {
            if (body.Length + read > limit)
            {
                return null;
            }

            body.Write(buffer, 0, read);
        }

        return body.ToArray();
    }

    private TargetError Classify(HttpResponseMessage response)
    {
        var status = (int)response.StatusCode;
        switch (response.StatusCode)
        {
            case HttpStatusCode.TooManyRequests:
                var retryAfter = RetryAfter(response);
                _limiter.OnThrottled(retryAfter);
                return new TargetError(TargetErrorKind.RateLimited, retryAfter is { } wait ? $"rate limited, retry after {wait.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s" : "rate limited", status)
                {
                    RetryAfter = retryAfter,
                };
            case HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden:
                return new TargetError(TargetErrorKind.Unauthorized, $"the endpoint refused the credentials of target '{Spec.Id}' (check {Spec.ApiKeyEnv ?? "the key"})", status);
            case HttpStatusCode.NotFound:
                return new TargetError(TargetErrorKind.NotFound, $"not found: check base_url '{Spec.BaseUrl}' and model '{Spec.Model}'", status);
            case HttpStatusCode.RequestTimeout:
                return new TargetError(TargetErrorKind.Timeout, "the server timed out", status);
            default:
                return status >= 500
                    ? new TargetError(TargetErrorKind.ServerError, $"server error {status}", status)
                    : new TargetError(TargetErrorKind.ClientError, $"request rejected with {status}", status);
        }
    }

    // What the server asked for, within [0, max_backoff_s]: a Retry-After of 999999999 s or a date in
    // 2099 would otherwise stall the run for years, or overflow the delay.
    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        var asked = header?.Delta ?? (header?.Date is { } date ? date - _time.GetUtcNow() : null);
        if (asked is not { } wait)
        {
            return null;
        }

        if (wait > Spec.MaxBackoff)
        {
            Interlocked.Increment(ref _clamped);
            return Spec.MaxBackoff;
        }

        return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
    }

    // Exponential with "equal jitter" (half fixed, half seeded-random), or exactly what Retry-After asks.
    private TimeSpan Backoff(string retryKey, int attempt, TargetError? last)
    {
        if (last?.RetryAfter is { } retryAfter)
        {
            return retryAfter;
        }

        var exponential = Spec.RetryBaseDelay * Math.Pow(2, Math.Min(attempt - 1, 30));
        if (exponential > Spec.MaxBackoff)
        {
            exponential = Spec.MaxBackoff;
        }

        var u = StableHash.Unit("jitter", Spec.Id, retryKey, attempt.ToString(CultureInfo.InvariantCulture));
        return exponential * (0.5 + (0.5 * u));
    }

    private static string Describe(Exception e) => e switch
    {
        _ when IsReset(e) => ConnectionReset,
        HttpRequestException { InnerException: SocketException { SocketErrorCode: SocketError.ConnectionRefused } } => ConnectionRefused,
        HttpRequestException { InnerException: SocketException s } => $"socket error {s.SocketErrorCode}",
        HttpRequestException { HttpRequestError: HttpRequestError.ResponseEnded } => "the server closed the connection before a complete answer",
        HttpRequestException { InnerException: IOException io } => io.Message,
        HttpRequestException http => http.HttpRequestError.ToString(),
        _ => e.Message,
    };

    // A reset may come wrapped once or twice (HttpRequestException, IOException, SocketException).
    private static bool IsReset(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is SocketException { SocketErrorCode: SocketError.ConnectionReset or SocketError.ConnectionAborted })
            {
                return true;
            }
        }

        return false;
    }
}
