using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Jailgrade.Evaluation.Targets;

/// <summary>The Anthropic Messages API. It takes no seed, so samples differ only by sampling.</summary>
public sealed class AnthropicChatProvider : IChatProvider
{
    /// <summary>The API version header sent with each request.</summary>
    public const string ApiVersion = "2023-06-01";

    /// <inheritdoc />
    public string Id => "anthropic";

    /// <inheritdoc />
    public string Version => "1";

    /// <inheritdoc />
    public string Description => "Anthropic Messages API (POST {base_url}/v1/messages); system turns go to `system`.";

    /// <inheritdoc />
    public HttpRequestMessage CreateRequest(TargetSpec spec, ChatRequest request, string? apiKey)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(request);
        var systems = request.Messages.Where(m => m.Role == "system").Select(m => m.Content).ToList();
        if (systems.Count == 0 && spec.SystemPrompt is { } system)
        {
            systems.Add(system);
        }

        var messages = new JsonArray();
        foreach (var message in request.Messages.Where(m => m.Role != "system"))
        {
            messages.Add(new JsonObject { ["role"] = message.Role, ["content"] = message.Content });
        }

        var body = new JsonObject
        {
            ["model"] = spec.Model,
            ["max_tokens"] = spec.MaxTokens,
            ["messages"] = messages,
        };
        if (systems.Count > 0)
        {
            body["system"] = string.Join("\n\n", systems);
        }

        JsonAnswer.AddSampling(body, spec);

        var http = new HttpRequestMessage(HttpMethod.Post, spec.BaseUrl.TrimEnd('/') + "/v1/messages")
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        http.Headers.Add("anthropic-version", ApiVersion);
        // The API has no seed field; the mock target reads it from this header instead.
        http.Headers.Add("X-Jailgrade-Seed", request.Seed.ToString(CultureInfo.InvariantCulture));
        if (apiKey is not null)
        {
            http.Headers.Add("x-api-key", apiKey);
        }

        return http;
    }

    /// <inheritdoc />
    public bool TryReadAnswer(string body, out string content, out string problem) =>
        JsonAnswer.TryRead(body, SelectText, out content, out problem);

    private static JsonElement SelectText(JsonElement root)
    {
        foreach (var block in root.GetProperty("content").EnumerateArray())
        {
            if (block.GetProperty("type").GetString() == "text")
            {
                return block.GetProperty("text");
            }
        }

        throw new KeyNotFoundException("no text block");
    }
}
