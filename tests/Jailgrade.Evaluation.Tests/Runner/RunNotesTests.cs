using Jailgrade.Evaluation.Tests.TestSupport;

namespace Jailgrade.Evaluation.Tests.Runner;

/// <summary>Issue 9 item 7: a clamped Retry-After is said in the run's notes, not only obeyed.</summary>
public class RunNotesTests
{
    [Fact]
    public async Task Run_RetryAfterBeyondMaxBackoff_IsClampedAndNoted()
    {
        await using var server = new LoopbackServer(async (n, stream, _) => await stream.WriteAsync(n == 0
            ? LoopbackServer.Response("429 Too Many Requests", "{}", "Retry-After: 999999999")
            : LoopbackServer.Answer("I'm sorry, but I can't help with that.")));
        using var temp = new TempCampaign($"""
            campaign: clamp
            seed: 1
            probes:
              - builtin: canary
                limit: 2
            targets:
              - id: slow
                provider: openai
                base_url: {server.BaseUrl}
                model: m
                max_retries: 1
                max_backoff_s: 0.001
            judge:
              kind: refusal-keywords
            """);

        var summary = await temp.RunAsync();

        summary.Stored.ShouldBe(2);
        summary.Errors.ShouldBe(0);
        summary.Notes.ShouldBe(["Target slow: the server asked to wait longer than max_backoff_s (0.001 s) 1 time; each wait was clamped to 0.001 s."]);
    }
}
