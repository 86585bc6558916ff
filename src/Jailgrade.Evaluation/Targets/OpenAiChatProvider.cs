using System.Buffers;
using System.Net.Http.Headers;
using System.Text.Json;

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
    public bool SendsSeed => true;

    /// <inheritdoc />
    public HttpRequestMessage CreateRequest(TargetSpec spec, ChatRequest request, string? apiKey)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(request);
        // Written straight to UTF-8: building a JsonNode tree per request cost more than the HTTP call.
        var buffer = new ArrayBufferWriter<byte>(256 + request.Messages.Sum(m => m.Content.Length * 2));
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("model", spec.Model);
            json.WriteStartArray("messages");
            if (spec.SystemPrompt is { } system && !request.Messages.Any(m => m.Role == "system"))
            {
                JsonAnswer.WriteMessage(json, "system", system);
            }

            foreach (var message in request.Messages)
            {
                JsonAnswer.WriteMessage(json, message.Role, message.Content);
            }

            json.WriteEndArray();
            json.WriteNumber("max_tokens", spec.MaxTokens);
            json.WriteNumber("seed", request.Seed);
            JsonAnswer.WriteSampling(json, spec);
            json.WriteEndObject();
        }

        var http = new HttpRequestMessage(HttpMethod.Post, spec.BaseUrl.TrimEnd('/') + "/chat/completions")
        {
            Content = JsonAnswer.Content(buffer),
        };
        if (apiKey is not null)
        {
            http.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        }

        return http;
    }

    /// <inheritdoc />
    public bool TryReadAnswer(byte[] body, out string content, out string problem) =>
        JsonAnswer.TryRead(body, static root => root.GetProperty("choices")[0].GetProperty("message").GetProperty("content"), out content, out problem);
}

/// <summary>JSON helpers the providers share: sampling fields, and reading an answer without letting a bad body throw.</summary>
internal static class JsonAnswer
{
    /// <summary>Writes the generation settings both protocols name the same way.</summary>
    public static void WriteSampling(Utf8JsonWriter json, TargetSpec spec)
    {
        if (spec.Temperature is { } temperature)
        {
            json.WriteNumber("temperature", temperature);
        }

        if (spec.TopP is { } topP)
        {
            json.WriteNumber("top_p", topP);
        }
    }

    /// <summary>Writes one <c>{"role", "content"}</c> message.</summary>
    public static void WriteMessage(Utf8JsonWriter json, string role, string content)
    {
        json.WriteStartObject();
        json.WriteString("role", role);
        json.WriteString("content", content);
        json.WriteEndObject();
    }

    /// <summary>The written JSON as request content.</summary>
    public static ByteArrayContent Content(ArrayBufferWriter<byte> buffer)
    {
        var content = new ByteArrayContent(buffer.WrittenSpan.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        return content;
    }

    public static bool TryRead(byte[] body, Func<JsonElement, JsonElement> select, out string content, out string problem)
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
