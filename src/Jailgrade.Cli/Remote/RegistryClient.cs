using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Jailgrade.Cli.Hosting;

namespace Jailgrade.Cli.Remote;

/// <summary>The answer to a request that succeeded: its JSON body and, for a single object, its ETag.</summary>
internal sealed record ApiAnswer(JsonElement Body, string? ETag);

/// <summary>
/// A small client of the registry's API (<c>/api/v1</c>): one bearer key, no redirects followed, no
/// cookies, a timeout on every request. Each refusal becomes a <see cref="RemoteException"/> with the
/// documented exit code and the server's problem details, escaped for the terminal.
/// </summary>
internal sealed class RegistryClient : IDisposable
{
    /// <summary>The largest answer read (a page of 200 cases is far below it).</summary>
    private const int MaxAnswerBytes = 16 << 20;

    /// <summary>The header that makes a POST safe to send again (docs/api.md, "Idempotency").</summary>
    public const string IdempotencyHeader = "Idempotency-Key";

    // The title of the server's 409 for a key whose first request has not finished.
    private const string InFlightTitle = "Idempotency-Key in use";

    /// <summary>How long to wait before sending a POST again whose key the server reports still in flight.</summary>
    public static readonly TimeSpan InFlightDelay = TimeSpan.FromMilliseconds(500);

    private static readonly TimeSpan MaxConnectTime = TimeSpan.FromSeconds(10);

    private readonly HttpClient _http;
    private readonly ClientKey _key;
    private readonly TimeSpan _timeout;
    private readonly Func<TimeSpan, CancellationToken, Task> _delay;

    /// <param name="delay">How the client waits before a retry (<see cref="Task.Delay(TimeSpan, CancellationToken)"/>; tests pass one that does not sleep).</param>
    public RegistryClient(Uri server, ClientKey key, TimeSpan timeout, Func<TimeSpan, CancellationToken, Task> delay)
    {
        Server = server;
        _key = key;
        _timeout = timeout;
        _delay = delay;
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            // A proxy would receive a plain-http key in clear; over https it only tunnels.
            UseProxy = server.Scheme == Uri.UriSchemeHttps,
            ConnectTimeout = timeout < MaxConnectTime ? timeout : MaxConnectTime,
        };
        if (server.Scheme == Uri.UriSchemeHttp)
        {
            handler.ConnectCallback = ConnectToLoopbackAsync;
        }

        _http = new HttpClient(handler) { BaseAddress = server, Timeout = timeout, MaxResponseContentBufferSize = MaxAnswerBytes };
    }

    /// <summary>The base URL requests go to.</summary>
    public Uri Server { get; }

    public Task<ApiAnswer> GetAsync(string path, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, path, null, null, cancellationToken);

    /// <summary>
    /// Sends one request. A POST carries an <c>Idempotency-Key</c>, new for each call and kept for its
    /// retries (docs/api.md, "Idempotency"): when the connection fails after the request may have been
    /// sent (reset, closed, timed out; not refused), it is sent once more with the same key and body,
    /// so the server writes it at most once and answers the retry with the first answer; when the
    /// server answers that the key is still in flight, it waits briefly and sends it once more.
    /// </summary>
    public async Task<ApiAnswer> SendAsync(HttpMethod method, string path, JsonNode? body, string? ifMatch, CancellationToken cancellationToken)
    {
        var idempotencyKey = method == HttpMethod.Post ? Guid.NewGuid().ToString("D") : null;
        var content = body?.ToJsonString();
        var retried = (Transport: false, InFlight: false);
        while (true)
        {
            var attempt = await SendOnceAsync(method, path, content, ifMatch, idempotencyKey, cancellationToken);
            switch (attempt.Retry)
            {
                case RetryReason.Transport when idempotencyKey is not null && !retried.Transport:
                    retried.Transport = true;
                    continue;
                case RetryReason.InFlight when !retried.InFlight:
                    retried.InFlight = true;
                    // Backoff: longer when this key's first attempt has already failed once on the way.
                    await _delay(retried.Transport ? 2 * InFlightDelay : InFlightDelay, cancellationToken);
                    continue;
            }

            if (attempt.Answer is { } answer)
            {
                return answer;
            }

            var failure = attempt.Failure!;
            throw retried.Transport || retried.InFlight
                ? new RemoteException(failure.Code, $"{failure.Message} (sent again with the same Idempotency-Key, which the server writes at most once)")
                : failure;
        }
    }

    /// <summary>
    /// A write guarded by the object's version: <c>If-Match</c> is <paramref name="ifMatch"/> when given,
    /// else the ETag read from <paramref name="objectPath"/> just before, so the write never overwrites a
    /// change it did not see (412, exit 13).
    /// </summary>
    public async Task<ApiAnswer> WriteAsync(HttpMethod method, string objectPath, string path, JsonNode? body, string? ifMatch, CancellationToken cancellationToken) =>
        await SendAsync(method, path, body, ifMatch ?? (await GetAsync(objectPath, cancellationToken)).ETag, cancellationToken);

    private enum RetryReason
    {
        None,
        Transport,
        InFlight,
    }

    private sealed record Attempt(ApiAnswer? Answer, RemoteException? Failure, RetryReason Retry = RetryReason.None);

    private async Task<Attempt> SendOnceAsync(HttpMethod method, string path, string? body, string? ifMatch, string? idempotencyKey, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, "api/v1/" + path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _key.Secret);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        if (idempotencyKey is not null)
        {
            request.Headers.TryAddWithoutValidation(IdempotencyHeader, idempotencyKey);
        }

        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        var where = new Uri(Server, "api/v1/" + path).GetLeftPart(UriPartial.Path);
        HttpResponseMessage response;
        string text;
        try
        {
            response = await _http.SendAsync(request, cancellationToken);
            text = await response.Content.ReadAsStringAsync(cancellationToken);
        }
        catch (HttpRequestException e) when (Inner<RemoteException>(e) is { } refused)
        {
            return new Attempt(null, refused);
        }
        catch (HttpRequestException e)
        {
            var reason = Reason(e);
            // Refused or unresolved: the request never left, so sending it again changes nothing.
            var sent = Inner<SocketException>(e)?.SocketErrorCode is not (SocketError.ConnectionRefused or SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain)
                && e.HttpRequestError != HttpRequestError.NameResolutionError;
            return new Attempt(null, new RemoteException(ExitCode.ServerUnreachable,
                $"cannot reach the registry server at {Server}: {reason} (is 'jailgrade serve' running there? --server or JAILGRADE_SERVER names it)"),
                sent ? RetryReason.Transport : RetryReason.None);
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new Attempt(null, new RemoteException(ExitCode.ServerUnreachable,
                $"the registry server at {Server} did not answer {method} {where} within {_timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s (--timeout)"),
                RetryReason.Transport);
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            if (status is >= 200 and < 300)
            {
                return new Attempt(new ApiAnswer(ParseJson(text, where), response.Headers.ETag?.ToString()), null);
            }

            var inFlight = idempotencyKey is not null && status == 409 && Problem.Read(text) is { Title: InFlightTitle, Detail: { } detail }
                && detail.Contains("still in flight", StringComparison.Ordinal);
            return new Attempt(null, Refusal(response, status, text, method, where), inFlight ? RetryReason.InFlight : RetryReason.None);
        }
    }

    private RemoteException Refusal(HttpResponseMessage response, int status, string text, HttpMethod method, string where)
    {
        var problem = Problem.Read(text);
        var said = problem.Detail ?? problem.Title ?? response.ReasonPhrase ?? "no reason given";
        var answer = $"{method} {where} answered {status}";
        return status switch
        {
            >= 300 and < 400 => new RemoteException(ExitCode.IoError,
                $"{answer}, redirecting to {TerminalText.Escape(response.Headers.Location?.ToString() ?? "nowhere")}; jailgrade follows no redirects: point --server at the registry itself"),
            401 or 403 => new RemoteException(ExitCode.Unauthorized, $"{answer} for key {_key.Display}: {TerminalText.Escape(said)}"),
            404 => new RemoteException(ExitCode.NotFound, $"{TerminalText.Escape(said)} (or none you may see)"),
            412 => new RemoteException(ExitCode.StaleVersion,
                $"stale version{(response.Headers.ETag is { } now ? $" (its ETag is now {TerminalText.Escape(now.ToString())})" : "")}: {TerminalText.Escape(said)}"
                + (said.Contains("read it again", StringComparison.OrdinalIgnoreCase) ? "" : "; read it again and retry")),
            >= 400 and < 500 => new RemoteException(ExitCode.InvalidInput, $"{answer}: {TerminalText.Escape(said)}{problem.Hints()}"),
            _ => new RemoteException(ExitCode.IoError, $"{answer}: {TerminalText.Escape(said)}"),
        };
    }

    private static JsonElement ParseJson(string text, string where)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            throw new RemoteException(ExitCode.IoError, $"{where} answered with something that is not JSON; is --server a jailgrade registry?");
        }
    }

    // Plain http goes to loopback only: the name is resolved here and every address must be a loopback
    // one, so a hosts-file entry cannot send the key elsewhere.
    private static async ValueTask<Stream> ConnectToLoopbackAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var endpoint = context.DnsEndPoint;
        var addresses = IPAddress.TryParse(endpoint.Host.Trim('[', ']'), out var literal) ? [literal] : await Dns.GetHostAddressesAsync(endpoint.Host, cancellationToken);
        if (addresses.Length == 0 || addresses.Any(a => !IPAddress.IsLoopback(a.IsIPv4MappedToIPv6 ? a.MapToIPv4() : a)))
        {
            throw new RemoteException(ExitCode.UsageError, $"refusing to send an API key over plain http to {endpoint.Host}: it resolves to an address that is not loopback; use https://");
        }

        SocketException? last = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, endpoint.Port), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException e)
            {
                socket.Dispose();
                last = e;
            }
        }

        throw last!;
    }

    private static string Reason(HttpRequestException e) =>
        Inner<SocketException>(e) is { } socket
            ? socket.SocketErrorCode switch
            {
                SocketError.ConnectionRefused => "connection refused",
                SocketError.ConnectionReset => "connection reset",
                SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => "the name does not resolve",
                SocketError.TimedOut => "timed out",
                _ => socket.Message,
            }
            : e.HttpRequestError switch
            {
                HttpRequestError.NameResolutionError => "the name does not resolve",
                HttpRequestError.SecureConnectionError => "TLS failed: " + e.Message,
                HttpRequestError.ResponseEnded => "the connection closed before an answer",
                _ => e.Message,
            };

    private static T? Inner<T>(Exception e)
        where T : Exception
    {
        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is T found)
            {
                return found;
            }
        }

        return null;
    }

    public void Dispose() => _http.Dispose();

    /// <summary>The parts of an RFC 9457 problem details body that a user needs.</summary>
    private sealed record Problem(string? Title, string? Detail, string? Field, string? Expected, IReadOnlyList<string> Allowed)
    {
        public static Problem Read(string text)
        {
            try
            {
                using var document = JsonDocument.Parse(text);
                var root = document.RootElement;
                return root.ValueKind != JsonValueKind.Object
                    ? new Problem(null, null, null, null, [])
                    : new Problem(Text(root, "title"), Text(root, "detail"), Text(root, "field"), Text(root, "expected"),
                        root.TryGetProperty("allowed", out var allowed) && allowed.ValueKind == JsonValueKind.Array
                            ? [.. allowed.EnumerateArray().Select(a => a.ToString())]
                            : []);
            }
            catch (JsonException)
            {
                return new Problem(null, null, null, null, []);
            }
        }

        /// <summary>The field at fault and what was expected, where the detail does not already say so.</summary>
        public string Hints()
        {
            var hints = new StringBuilder();
            if (Field is not null && Detail?.StartsWith(Field + ":", StringComparison.Ordinal) != true)
            {
                hints.Append(CultureInfo.InvariantCulture, $" [field: {TerminalText.Escape(Field)}]");
            }

            if (Expected is not null && Detail?.Contains(Expected, StringComparison.Ordinal) != true)
            {
                hints.Append(CultureInfo.InvariantCulture, $"; expected {TerminalText.Escape(Expected)}");
            }

            if (Allowed.Count > 0)
            {
                hints.Append(CultureInfo.InvariantCulture, $"; allowed from here: {TerminalText.Escape(string.Join(", ", Allowed))}");
            }

            return hints.ToString();
        }

        private static string? Text(JsonElement root, string name) =>
            root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
    }
}
