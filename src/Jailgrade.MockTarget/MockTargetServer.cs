using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Jailgrade.Evaluation.Mock;
using Jailgrade.Evaluation.Targets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Jailgrade.MockTarget;

/// <summary>
/// The simulated model (<see cref="MockModel"/>) served over HTTP on loopback: the OpenAI
/// chat-completions API at <c>/v1/chat/completions</c> and the Anthropic Messages API at
/// <c>/v1/messages</c>. Used by the tests, the demo and the benchmarks (<c>jailgrade mock-target</c>).
/// It never logs what it is sent.
/// </summary>
public sealed class MockTargetServer : IAsyncDisposable
{
    /// <summary>The header in which clients send the attempt number (0 for the first try).</summary>
    public const string AttemptHeader = MockTargetHeaders.Attempt;

    private readonly WebApplication _app;
    private readonly Handler _handler;

    private MockTargetServer(WebApplication app, Handler handler, Uri baseAddress)
    {
        _app = app;
        _handler = handler;
        BaseAddress = baseAddress;
    }

    /// <summary>Where the server listens, e.g. <c>http://127.0.0.1:5123/</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>
    /// Fires when the host is asked to stop — by SIGTERM or Ctrl+C, which the web host intercepts — so a
    /// process serving the mock can end instead of swallowing the signal.
    /// </summary>
    public CancellationToken Stopping => _app.Lifetime.ApplicationStopping;

    /// <summary>
    /// How many requests have arrived so far, answered or not: what a paid API would bill, so tests can
    /// count what a run (or a resume) sends.
    /// </summary>
    public long RequestsReceived => Interlocked.Read(ref _handler.Received);

    /// <summary>How many requests carried <see cref="AttemptHeader"/>: only targets with <c>mock_headers: true</c> send it.</summary>
    public long RequestsWithAttemptHeader => Interlocked.Read(ref _handler.WithAttemptHeader);

    /// <summary>The base URL an OpenAI-compatible target uses (<c>…/v1</c>).</summary>
    public string OpenAiBaseUrl => new Uri(BaseAddress, "v1").ToString();

    /// <summary>The base URL an Anthropic target uses.</summary>
    public string AnthropicBaseUrl => BaseAddress.ToString().TrimEnd('/');

    /// <summary>Starts the server on 127.0.0.1; port 0 picks a free port.</summary>
    public static async Task<MockTargetServer> StartAsync(MockTargetOptions options, int port = 0, TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        var model = new MockModel(options);
        var clock = time ?? TimeProvider.System;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, port);
            k.Limits.MaxConcurrentConnections = null;
        });
        var app = builder.Build();
        var handler = new Handler(model, options, clock);
        app.MapPost("/v1/chat/completions", (HttpContext context) => handler.HandleAsync(context, Protocol.OpenAi));
        app.MapPost("/v1/messages", (HttpContext context) => handler.HandleAsync(context, Protocol.Anthropic));
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new MockTargetServer(app, handler, new Uri(address.EndsWith('/') ? address : address + "/"));
    }

    /// <summary>Stops the server.</summary>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private enum Protocol
    {
        OpenAi,
        Anthropic,
    }

    private sealed class Handler(MockModel model, MockTargetOptions options, TimeProvider time)
    {
        public long Received;
        public long WithAttemptHeader;

        public async Task HandleAsync(HttpContext context, Protocol protocol)
        {
            Interlocked.Increment(ref Received);
            var aborted = context.RequestAborted;
            if (options.ApiKey is { } key && !Authorized(context.Request, key))
            {
                await WriteError(context, 401, "invalid_api_key", "Invalid API key.");
                return;
            }

            JsonNode? body;
            try
            {
                body = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: aborted);
            }
            catch (JsonException)
            {
                await WriteError(context, 400, "invalid_request", "Body is not JSON.");
                return;
            }

            var modelName = body?["model"]?.GetValue<string>() ?? "";
            if (options.Models.Count > 0 && !options.Models.Contains(modelName))
            {
                await WriteError(context, 404, "model_not_found", "Unknown model.");
                return;
            }

            var messages = ReadMessages(body, protocol);
            var seed = body?["seed"]?.GetValue<long>()
                ?? (long.TryParse(context.Request.Headers[MockTargetHeaders.Seed], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var s) ? s : 0);
            if (context.Request.Headers.ContainsKey(AttemptHeader))
            {
                Interlocked.Increment(ref WithAttemptHeader);
            }

            _ = int.TryParse(context.Request.Headers[AttemptHeader], NumberStyles.None, CultureInfo.InvariantCulture, out var attempt);
            var decision = model.Decide(modelName, messages, seed, attempt);

            if (options.Latency > TimeSpan.Zero)
            {
                await Task.Delay(options.Latency, time, aborted);
            }

            switch (decision.Fault)
            {
                case MockFault.RateLimited:
                    context.Response.Headers.RetryAfter = options.Faults.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
                    await WriteError(context, 429, "rate_limited", "Slow down.");
                    return;
                case MockFault.ServerError:
                    await WriteError(context, 500, "server_error", "Simulated failure.");
                    return;
                case MockFault.Hang:
                    try
                    {
                        await Task.Delay(options.Faults.HangDuration, time, aborted);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }

                    await WriteError(context, 504, "timeout", "Simulated hang ended.");
                    return;
                case MockFault.Malformed:
                    context.Response.ContentType = "application/json";
                    await context.Response.WriteAsync("{\"choices\": [ this is not json", aborted);
                    return;
                case MockFault.Truncated:
                    var full = Encoding.UTF8.GetBytes(Answer(protocol, modelName, decision.Content));
                    context.Response.ContentType = "application/json";
                    context.Response.ContentLength = full.Length;
                    await context.Response.Body.WriteAsync(full.AsMemory(0, full.Length / 2), aborted);
                    await context.Response.Body.FlushAsync(aborted);
                    context.Abort();
                    return;
                default:
                    context.Response.ContentType = "application/json";
                    await context.Response.WriteAsync(Answer(protocol, modelName, decision.Content), aborted);
                    return;
            }
        }

        private static bool Authorized(HttpRequest request, string key) =>
            request.Headers.Authorization.ToString() == "Bearer " + key || request.Headers["x-api-key"].ToString() == key;

        private static List<ChatMessage> ReadMessages(JsonNode? body, Protocol protocol)
        {
            var messages = new List<ChatMessage>();
            if (protocol == Protocol.Anthropic && body?["system"]?.GetValue<string>() is { } system)
            {
                messages.Add(ChatMessage.System(system));
            }

            if (body?["messages"] is JsonArray array)
            {
                foreach (var item in array)
                {
                    var role = item?["role"]?.GetValue<string>() ?? "user";
                    var content = item?["content"] switch
                    {
                        JsonValue v => v.GetValue<string>(),
                        JsonArray parts => string.Concat(parts.Select(p => p?["text"]?.GetValue<string>() ?? "")),
                        _ => "",
                    };
                    messages.Add(new ChatMessage(role, content));
                }
            }

            return messages;
        }

        private static string Answer(Protocol protocol, string model, string content)
        {
            var tokens = Math.Max(1, content.Length / 4);
            JsonObject answer = protocol == Protocol.OpenAi
                ? new JsonObject
                {
                    ["id"] = "chatcmpl-mock",
                    ["object"] = "chat.completion",
                    ["model"] = model,
                    ["choices"] = new JsonArray(new JsonObject
                    {
                        ["index"] = 0,
                        ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = content },
                        ["finish_reason"] = "stop",
                    }),
                    ["usage"] = new JsonObject { ["prompt_tokens"] = 0, ["completion_tokens"] = tokens, ["total_tokens"] = tokens },
                }
                : new JsonObject
                {
                    ["id"] = "msg_mock",
                    ["type"] = "message",
                    ["role"] = "assistant",
                    ["model"] = model,
                    ["content"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = content }),
                    ["stop_reason"] = "end_turn",
                    ["usage"] = new JsonObject { ["input_tokens"] = 0, ["output_tokens"] = tokens },
                };
            return answer.ToJsonString();
        }

        private static async Task WriteError(HttpContext context, int status, string code, string message)
        {
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json";
            var error = new JsonObject { ["error"] = new JsonObject { ["type"] = code, ["message"] = message } };
            await context.Response.WriteAsync(error.ToJsonString(), context.RequestAborted);
        }
    }
}
