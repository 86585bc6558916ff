using System.Text;
using Jailgrade.Evaluation.Targets;
using Jailgrade.Evaluation.Tests.TestSupport;

namespace Jailgrade.Evaluation.Tests.Targets;

/// <summary>
/// Regression tests for issue 9 items 7, 12 and 13: servers that misbehave, over real loopback HTTP,
/// with a manual clock wherever the client waits (no real sleeps, no timed assertions).
/// </summary>
public class TargetMisbehaviourTests
{
    private static readonly TimeSpan LongestBackoff = TimeSpan.FromSeconds(60);

    private static ChatRequest Ask() => new([ChatMessage.User("hello")], 1);

    private static TargetSpec Spec(LoopbackServer server) => new()
    {
        Id = "odd",
        Provider = "openai",
        BaseUrl = server.BaseUrl,
        Model = "m",
        MaxRetries = 0,
        Timeout = TimeSpan.FromHours(1),
        RetryBaseDelay = TimeSpan.Zero,
        MaxBackoff = LongestBackoff,
    };

    private static TargetClient Client(TargetSpec spec, TimeProvider time) => new(spec, new OpenAiChatProvider(), TestSupport.Targets.Http, time, null);

    [Theory]
    [InlineData("Retry-After: 999999999")]
    [InlineData("Retry-After: Thu, 01 Jan 2099 00:00:00 GMT")]
    public async Task Send_RetryAfterFarBeyondTheLongestBackoff_WaitsOnlyTheLongestBackoff(string retryAfter)
    {
        // Issue 9 item 7: these aborted the run with exit 70 (a delay too long to represent).
        await using var server = new LoopbackServer(async (n, stream, _) =>
            await stream.WriteAsync(n == 0 ? LoopbackServer.Response("429 Too Many Requests", "{}", retryAfter) : LoopbackServer.Answer("ok")));
        var time = new ManualTimeProvider();
        var client = Client(Spec(server) with { MaxRetries = 1 }, time);

        var sending = client.SendAsync(Ask(), "k", default);
        SpinWait.SpinUntil(() => time.HasTimerDueIn(LongestBackoff) || sending.IsCompleted, TimeSpan.FromSeconds(30)).ShouldBeTrue();
        sending.IsCompleted.ShouldBeFalse();
        time.Advance(LongestBackoff - TimeSpan.FromSeconds(1));
        server.Requests.ShouldBe(1);
        time.Advance(TimeSpan.FromSeconds(1));
        var reply = await sending;

        reply.Content.ShouldBe("ok");
        reply.Attempts.ShouldBe(2);
        reply.Elapsed.ShouldBe(LongestBackoff);
        client.RetryAfterClamped.ShouldBe(1);
    }

    [Fact]
    public async Task Send_RetryAfterWithinTheLongestBackoff_IsHonouredAndNotCountedAsClamped()
    {
        await using var server = new LoopbackServer(async (n, stream, _) =>
            await stream.WriteAsync(n == 0 ? LoopbackServer.Response("429 Too Many Requests", "{}", "Retry-After: 7") : LoopbackServer.Answer("ok")));
        var time = new ManualTimeProvider();
        var client = Client(Spec(server) with { MaxRetries = 1 }, time);

        var sending = client.SendAsync(Ask(), "k", default);
        SpinWait.SpinUntil(() => time.HasTimerDueIn(TimeSpan.FromSeconds(7)) || sending.IsCompleted, TimeSpan.FromSeconds(30)).ShouldBeTrue();
        time.Advance(TimeSpan.FromSeconds(7));
        var reply = await sending;

        reply.Elapsed.ShouldBe(TimeSpan.FromSeconds(7));
        client.RetryAfterClamped.ShouldBe(0);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Send_ValidAnswerLargerThanMaxResponseBytes_IsBodyTooLarge(bool declaresLength)
    {
        // Issue 9 item 12: a 100 MB body took ~496 MB and was then called "not JSON" although valid.
        // Here a valid answer of 1 MiB against a cap of 64 KiB, with and without Content-Length.
        var answer = LoopbackServer.Answer(new string('a', 1 << 20));
        await using var server = new LoopbackServer(async (_, stream, _) =>
        {
            if (declaresLength)
            {
                await stream.WriteAsync(answer);
                return;
            }

            var split = Encoding.ASCII.GetString(answer).IndexOf("\r\n\r\n", StringComparison.Ordinal);
            var head = Encoding.ASCII.GetString(answer, 0, split).Replace("Content-Length", "X-Length", StringComparison.Ordinal);
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head + "\r\nTransfer-Encoding: chunked\r\n\r\n"));
            foreach (var chunk in answer.Skip(split + 4).Chunk(8192))
            {
                await stream.WriteAsync(Encoding.ASCII.GetBytes($"{chunk.Length:x}\r\n"));
                await stream.WriteAsync(chunk);
                await stream.WriteAsync("\r\n"u8.ToArray());
            }

            await stream.WriteAsync("0\r\n\r\n"u8.ToArray());
        });
        var client = Client(Spec(server) with { MaxResponseBytes = 64 * 1024 }, TimeProvider.System);

        var reply = await client.SendAsync(Ask(), "k", default);

        reply.Content.ShouldBeNull();
        reply.Error!.Kind.ShouldBe(TargetErrorKind.Malformed);
        reply.Error.Message.ShouldBe("body too large: more than max_response_bytes (65536 bytes)");
    }

    [Fact]
    public async Task Send_AnswerWithinMaxResponseBytes_IsRead()
    {
        await using var server = new LoopbackServer(async (_, stream, _) => await stream.WriteAsync(LoopbackServer.Answer(new string('a', 60_000))));
        var client = Client(Spec(server) with { MaxResponseBytes = 64 * 1024 }, TimeProvider.System);

        (await client.SendAsync(Ask(), "k", default)).Content!.Length.ShouldBe(60_000);
    }

    [Fact]
    public async Task Send_ConnectionResetEveryTime_ReportedAsResetAfterEveryRetry()
    {
        // Issue 9 item 13: a reset waited out the full timeout and was reported as a timeout. The
        // clock here never moves, so a timeout cannot fire: only the reset can end each attempt.
        await using var server = new LoopbackServer((_, _, socket) =>
        {
            LoopbackServer.Reset(socket);
            return Task.CompletedTask;
        });
        var client = Client(Spec(server) with { MaxRetries = 2 }, new ManualTimeProvider());

        var reply = await client.SendAsync(Ask(), "k", default);

        reply.Error!.Kind.ShouldBe(TargetErrorKind.Network);
        reply.Error.Message.ShouldBe("connection reset by the server");
        reply.Attempts.ShouldBe(3);
        server.Requests.ShouldBe(3);
    }

    [Fact]
    public async Task Send_ConnectionResetOnce_RetriedAndAnswered()
    {
        await using var server = new LoopbackServer(async (n, stream, socket) =>
        {
            if (n == 0)
            {
                LoopbackServer.Reset(socket);
                return;
            }

            await stream.WriteAsync(LoopbackServer.Answer("ok"));
        });
        var client = Client(Spec(server) with { MaxRetries = 2 }, new ManualTimeProvider());

        var reply = await client.SendAsync(Ask(), "k", default);

        reply.Content.ShouldBe("ok");
        reply.Attempts.ShouldBe(2);
    }
}
