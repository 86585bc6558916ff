using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Jailgrade.Evaluation.Targets;

/// <summary>The OpenAI chat-completions protocol, spoken by hosted APIs, vLLM, Ollama and llama.cpp server.</summary>
public sealed class OpenAiChatProvider : IChatProvider
{
    /// <inheritdoc />
    public string Id => "openai";

    /// <inheritdoc />
    public string Version => "1";

    /// <inheritdoc />
    public string Description => "OpenAI-compatible chat completions (POST {base_url}/chat/completions), the sample's seed sent as `seed`.";

    /// <inheritdoc />
    public HttpRequestMessage CreateRequest(TargetSpec spec, ChatRequest request, string? apiKey)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(request);
        var messages = new JsonArray();
        if (spec.SystemPrompt is { } system && !request.Messages.Any(m => m.Role == "system"))
        {
            messages.Add(new JsonObject { ["role"] = "system", ["content"] = system });
        }

        foreach (var message in request.Messages)
        {
            messages.Add(new JsonObject { ["role"] = message.Role, ["content"] = message.Content });
        }

        var body = new JsonObject
        {
            ["model"] = spec.Model,
            ["messages"] = messages,
            ["max_tokens"] = spec.MaxTokens,
            ["seed"] = request.Seed,
        };
        JsonAnswer.AddSampling(body, spec);

        var http = new HttpRequestMessage(HttpMethod.Post, spec.BaseUrl.TrimEnd('/') + "/chat/completions")
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        if (apiKey is not null)
        {
            http.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        }

        return http;
    }

    /// <inheritdoc />
    public bool TryReadAnswer(string body, out string content, out string problem) =>
        JsonAnswer.TryRead(body, static root => root.GetProperty("choices")[0].GetProperty("message").GetProperty("content"), out content, out problem);
}

/// <summary>JSON helpers the providers share: sampling fields, and reading an answer without letting a bad body throw.</summary>
internal static class JsonAnswer
{
    /// <summary>Adds the generation settings both protocols name the same way.</summary>
    public static void AddSampling(JsonObject body, TargetSpec spec)
    {
        if (spec.Temperature is { } temperature)
        {
            body["temperature"] = temperature;
        }

        if (spec.TopP is { } topP)
        {
            body["top_p"] = topP;
        }
    }

    public static bool TryRead(string body, Func<JsonElement, JsonElement> select, out string content, out string problem)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var element = select(document.RootElement);
            content = element.ValueKind == JsonValueKind.Null ? "" : element.GetString() ?? "";
            problem = "";
            return true;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or IndexOutOfRangeException)
        {
            content = "";
            problem = e is JsonException ? "body is not JSON" : "body lacks the answer text";
            return false;
        }
    }
}
