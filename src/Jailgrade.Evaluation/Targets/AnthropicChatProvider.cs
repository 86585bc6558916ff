using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace Jailgrade.Evaluation.Targets;

/// <summary>
/// The Anthropic Messages API. It takes no seed, so samples differ only by the model's own unseeded
/// sampling: the same campaign seed gives the same prompts and cache keys, not the same answers.
/// </summary>
public sealed class AnthropicChatProvider : IChatProvider
{
    /// <summary>The API version header sent with each request.</summary>
    public const string ApiVersion = "2023-06-01";

    /// <inheritdoc />
    public string Id => "anthropic";

    /// <inheritdoc />
    public string Version => "1";

    /// <inheritdoc />
    public string Description => "Anthropic Messages API (POST {base_url}/v1/messages); system turns go to `system`. "
        + "The API takes no seed, so samples are not reproducible from the campaign seed (same prompts and cache keys, unseeded sampling); use temperature 0 when reproducibility matters.";

    /// <inheritdoc />
    public bool SendsSeed => false;

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

        var buffer = new ArrayBufferWriter<byte>(256 + request.Messages.Sum(m => m.Content.Length * 2));
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("model", spec.Model);
            json.WriteNumber("max_tokens", spec.MaxTokens);
            json.WriteStartArray("messages");
            foreach (var message in request.Messages.Where(m => m.Role != "system"))
            {
                JsonAnswer.WriteMessage(json, message.Role, message.Content);
            }

            json.WriteEndArray();
            if (systems.Count > 0)
            {
                json.WriteString("system", string.Join("\n\n", systems));
            }

            JsonAnswer.WriteSampling(json, spec);
            json.WriteEndObject();
        }

        var http = new HttpRequestMessage(HttpMethod.Post, spec.BaseUrl.TrimEnd('/') + "/v1/messages")
        {
            Content = JsonAnswer.Content(buffer),
        };
        http.Headers.Add("anthropic-version", ApiVersion);
        // The API has no seed field; the mock target reads it from this header instead.
        if (spec.MockHeaders)
        {
            http.Headers.Add(MockTargetHeaders.Seed, request.Seed.ToString(CultureInfo.InvariantCulture));
        }

        if (apiKey is not null)
        {
            http.Headers.Add("x-api-key", apiKey);
        }

        return http;
    }

    /// <inheritdoc />
    public bool TryReadAnswer(byte[] body, out string content, out string problem) =>
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
