using Jailgrade.Evaluation.Mock;
using Jailgrade.Evaluation.Targets;
using Jailgrade.MockTarget;

namespace Jailgrade.Evaluation.Tests.TestSupport;

/// <summary>Target specs pointing at a running mock, with back-off short enough for unit tests.</summary>
internal static class Targets
{
    public static readonly HttpClient Http = EvaluationHttp.CreateClient();

    public static TargetSpec OpenAi(MockTargetServer mock, string id = "mock") => new()
    {
        Id = id,
        Provider = "openai",
        BaseUrl = mock.OpenAiBaseUrl,
        Model = "mock-1",
        MaxConcurrency = 16,
        Timeout = TimeSpan.FromSeconds(5),
        RetryBaseDelay = TimeSpan.FromMilliseconds(5),
        MockHeaders = true,
    };

    public static TargetClient Client(TargetSpec spec, string? apiKey = null, TimeProvider? time = null) =>
        new(spec, spec.Provider == "anthropic" ? new AnthropicChatProvider() : new OpenAiChatProvider(), Http, time ?? TimeProvider.System, apiKey);
}
