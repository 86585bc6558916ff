using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Jailgrade.Evaluation.Targets;

namespace Jailgrade.Evaluation.Mock;

/// <summary>
/// <c>provider: mock</c>: the simulated model (<see cref="MockModel"/>) inside the run's own process, with
/// its settings in the campaign file. No server, no port, no base_url: requests go through the same
/// client as a real endpoint (limits, retries, timeouts, budget), which hands them to
/// <see cref="CreateHandler"/> instead of the network. The model's choices are a hash of the request, its
/// seed and the attempt, so the same campaign reruns to the same numbers.
/// </summary>
public sealed class MockChatProvider : IChatProvider
{
    /// <summary>The address requests carry; nothing resolves it, the handler answers in-process.</summary>
    public const string BaseUrl = "http://mock.invalid/v1";

    /// <summary>The model name sent when the target names none.</summary>
    public const string DefaultModel = "mock-1";

    private static readonly HttpRequestOptionsKey<(string Model, IReadOnlyList<ChatMessage> Messages, long Seed)> Call = new("jailgrade-mock-call");

    /// <inheritdoc />
    public string Id => "mock";

    /// <inheritdoc />
    public string Version => "1";

    /// <inheritdoc />
    public string Description => "The built-in simulated model, in-process (no server): refuses, complies with a set probability when a prompt matches a `vulnerable` pattern, answers rubric-judge requests, injects faults; settings under `mock:`.";

    /// <inheritdoc />
    public bool SendsSeed => true;

    /// <inheritdoc />
    public HttpRequestMessage CreateRequest(TargetSpec spec, ChatRequest request, string? apiKey)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(request);
        // The conversation as an OpenAI-compatible server would see it: the system prompt first unless one is there.
        IReadOnlyList<ChatMessage> messages = spec.SystemPrompt is { } system && !request.Messages.Any(m => m.Role == "system")
            ? [ChatMessage.System(system), .. request.Messages]
            : request.Messages;
        var message = new HttpRequestMessage(HttpMethod.Post, BaseUrl + "/chat/completions");
        message.Options.Set(Call, (spec.Model, messages, request.Seed));
        return message;
    }

    /// <inheritdoc />
    public bool TryReadAnswer(byte[] body, out string content, out string problem) =>
        JsonAnswer.TryRead(body, static root => root.GetProperty("content"), out content, out problem);

    /// <summary>The in-process "server" of one simulated target: answers what <see cref="CreateRequest"/> builds.</summary>
    public static HttpMessageHandler CreateHandler(MockTargetOptions options, TimeProvider time) =>
        new SimulatedServer(new MockModel(options), options, time);

    /// <summary>
    /// Reads one <c>REGEX=PROBABILITY</c> vulnerability (the split is at the last '='), as
    /// <c>mock-target --vulnerable</c> and a campaign's <c>mock: vulnerable:</c> take it; false with what is wrong or expected.
    /// </summary>
    public static bool TryParseVulnerability(string text, out MockVulnerability vulnerability, out string error)
    {
        ArgumentNullException.ThrowIfNull(text);
        vulnerability = new MockVulnerability("", "", 0);
        var split = text.LastIndexOf('=');
        if (split <= 0 || !double.TryParse(text[(split + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var p) || p is < 0 or > 1 || double.IsNaN(p))
        {
            error = "expected REGEX=PROBABILITY with a probability from 0 to 1";
            return false;
        }

        var pattern = text[..split];
        try
        {
            _ = new Regex(pattern, RegexOptions.None, TimeSpan.FromSeconds(1));
        }
        catch (ArgumentException e)
        {
            error = $"'{pattern}' is not a regular expression: {e.Message}";
            return false;
        }

        vulnerability = new MockVulnerability(pattern, pattern, p);
        error = "";
        return true;
    }

    private sealed class SimulatedServer(MockModel model, MockTargetOptions options, TimeProvider time) : HttpMessageHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (!request.Options.TryGetValue(Call, out var call))
            {
                throw new InvalidOperationException("A simulated target was sent a request its provider did not build.");
            }

            _ = int.TryParse(request.Headers.TryGetValues(MockTargetHeaders.Attempt, out var values) ? values.FirstOrDefault() : null,
                NumberStyles.None, CultureInfo.InvariantCulture, out var attempt);
            var decision = model.Decide(call.Model, call.Messages, call.Seed, attempt);
            if (options.Latency > TimeSpan.Zero)
            {
                await Task.Delay(options.Latency, time, cancellationToken);
            }

            switch (decision.Fault)
            {
                case MockFault.RateLimited:
                    var limited = Error(HttpStatusCode.TooManyRequests, "Slow down.");
                    limited.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(options.Faults.RetryAfterSeconds));
                    return limited;
                case MockFault.ServerError:
                    return Error(HttpStatusCode.InternalServerError, "Simulated failure.");
                case MockFault.Hang:
                    // Past the client's timeout, which cancels this wait as it would a real request.
                    await Task.Delay(options.Faults.HangDuration, time, cancellationToken);
                    return Error(HttpStatusCode.GatewayTimeout, "Simulated hang ended.");
                case MockFault.Malformed:
                    return Json("{\"content\": [ this is not json");
                case MockFault.Truncated:
                    var full = Encoding.UTF8.GetBytes(Answer(decision.Content));
                    return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(new CutShort(full)) };
                default:
                    return Json(Answer(decision.Content));
            }
        }

        private static string Answer(string content)
        {
            using var buffer = new MemoryStream();
            using (var json = new Utf8JsonWriter(buffer))
            {
                json.WriteStartObject();
                json.WriteString("content", content);
                json.WriteEndObject();
            }

            return Encoding.UTF8.GetString(buffer.ToArray());
        }

        private static HttpResponseMessage Json(string body) =>
            new(HttpStatusCode.OK) { Content = new StringContent(body, Encoding.UTF8, "application/json") };

        private static HttpResponseMessage Error(HttpStatusCode status, string message) =>
            new(status) { Content = new StringContent($"{{\"error\":{{\"message\":\"{message}\"}}}}", Encoding.UTF8, "application/json") };
    }

    // A body that stops halfway, as a server dropping the connection does.
    private sealed class CutShort(byte[] full) : MemoryStream(full, 0, full.Length / 2)
    {
        public override int Read(byte[] buffer, int offset, int count) =>
            base.Read(buffer, offset, count) is > 0 and var read ? read : throw new IOException("the simulated server closed the connection before a complete answer");

        public override int Read(Span<byte> buffer) =>
            base.Read(buffer) is > 0 and var read ? read : throw new IOException("the simulated server closed the connection before a complete answer");

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Read(buffer.Span));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Task.FromResult(Read(buffer, offset, count));
    }
}
