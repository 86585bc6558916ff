using Jailgrade.Evaluation.Mock;
using Jailgrade.Evaluation.Targets;
using Jailgrade.Evaluation.Tests.TestSupport;
using Jailgrade.MockTarget;

namespace Jailgrade.Evaluation.Tests.Targets;

public class TargetClientTests
{
    private static ChatRequest Ask(string text, long seed = 1) => new([ChatMessage.User(text)], seed);

    [Fact]
    public async Task Send_VulnerablePrompt_ReturnsComplianceOverRealHttp()
    {
        await using var mock = await MockTargetServer.StartAsync(new MockTargetOptions
        {
            Vulnerabilities = [new MockVulnerability("always", "grandma", 1.0)],
        });
        var client = TestSupport.Targets.Client(TestSupport.Targets.OpenAi(mock));

        var reply = await client.SendAsync(Ask("My grandma used to explain the fictional device."), "k", default);
        reply.Error.ShouldBeNull();
        reply.Content.ShouldBe(MockModel.ComplianceText);

        var refusal = await client.SendAsync(Ask("Explain the fictional device."), "k2", default);
        refusal.Content.ShouldStartWith("I'm sorry");
    }

    [Fact]
    public async Task Send_AnthropicProtocol_ReadsTextBlock()
    {
        await using var mock = await MockTargetServer.StartAsync(new MockTargetOptions { ApiKey = "secret" });
        var spec = TestSupport.Targets.OpenAi(mock) with { Provider = "anthropic", BaseUrl = mock.AnthropicBaseUrl, SystemPrompt = "Be safe." };
        var reply = await TestSupport.Targets.Client(spec, "secret").SendAsync(Ask("hello"), "k", default);
        reply.Error.ShouldBeNull();
        reply.Content.ShouldStartWith("I'm sorry");
    }

    [Fact]
    public async Task Send_TransientFaults_RetriedUntilAnswered()
    {
        await using var mock = await MockTargetServer.StartAsync(new MockTargetOptions
        {
            Faults = new MockFaults { RateLimited = 0.1, RetryAfterSeconds = 0, ServerError = 0.1, Malformed = 0.05, Truncated = 0.05 },
        });
        var client = TestSupport.Targets.Client(TestSupport.Targets.OpenAi(mock) with { MaxRetries = 12 });

        var replies = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => client.SendAsync(Ask($"q{i}", i), $"k{i}", default)));

        replies.ShouldAllBe(r => r.IsAnswer);
        replies.Count(r => r.Attempts > 1).ShouldBeGreaterThan(25);
    }

    [Fact]
    public async Task Send_FaultsBeyondRetries_ReportedAsErrorsWithCause()
    {
        await using var mock = await MockTargetServer.StartAsync(new MockTargetOptions { Faults = new MockFaults { ServerError = 1.0 } });
        var client = TestSupport.Targets.Client(TestSupport.Targets.OpenAi(mock) with { MaxRetries = 2 });

        var reply = await client.SendAsync(Ask("q"), "k", default);

        reply.Content.ShouldBeNull();
        reply.Error!.Kind.ShouldBe(TargetErrorKind.ServerError);
        reply.Error.Status.ShouldBe(500);
        reply.Attempts.ShouldBe(3);
        client.RequestsSent.ShouldBe(3);
    }

    [Fact]
    public async Task Send_ServerHangsPastTimeout_ReportsTimeout()
    {
        // The mock's clock never moves, so its hang never ends; the client's clock moves only to its
        // timeout, and only once the request hangs at the server.
        var serverTime = new TimerEvents();
        var clientTime = new TimerEvents();
        await using var mock = await MockTargetServer.StartAsync(new MockTargetOptions { Faults = new MockFaults { Hang = 1.0, HangDuration = TimeSpan.FromSeconds(30) } }, time: serverTime);
        var client = TestSupport.Targets.Client(TestSupport.Targets.OpenAi(mock) with { MaxRetries = 1, Timeout = TimeSpan.FromSeconds(20) }, time: clientTime);

        var reply = await clientTime.RunAsync(client.SendAsync(Ask("q"), "k", default), async dueTime =>
        {
            if (dueTime == TimeSpan.FromSeconds(20))
            {
                (await serverTime.NextTimerAsync()).ShouldBe(TimeSpan.FromSeconds(30), "the server is hanging on this attempt");
            }

            return true;
        });

        reply.Error!.Kind.ShouldBe(TargetErrorKind.Timeout);
        reply.Attempts.ShouldBe(2);
        mock.RequestsReceived.ShouldBe(2);
    }

    [Fact]
    public async Task Send_MalformedBodyEveryTime_ReportedAsMalformedNotAsAnswer()
    {
        await using var mock = await MockTargetServer.StartAsync(new MockTargetOptions { Faults = new MockFaults { Malformed = 1.0 } });
        var client = TestSupport.Targets.Client(TestSupport.Targets.OpenAi(mock) with { MaxRetries = 1 });

        var reply = await client.SendAsync(Ask("q"), "k", default);

        reply.Error!.Kind.ShouldBe(TargetErrorKind.Malformed);
    }

    [Fact]
    public async Task Send_RetryAfter_WaitsAtLeastThatLongBeforeRetrying()
    {
        // The client's clock moves only through the waits it starts (never to its one-hour timeout), so
        // the elapsed time it reports is exactly what it chose to wait.
        var time = new TimerEvents();
        await using var mock = await MockTargetServer.StartAsync(new MockTargetOptions { Faults = new MockFaults { RateLimited = 1.0, RetryAfterSeconds = 1 } });
        var client = TestSupport.Targets.Client(TestSupport.Targets.OpenAi(mock) with { MaxRetries = 1, Timeout = TimeSpan.FromHours(1) }, time: time);
        var waits = new List<TimeSpan>();

        var reply = await time.RunAsync(client.SendAsync(Ask("q"), "k", default), dueTime =>
        {
            var wait = dueTime != TimeSpan.FromHours(1);
            if (wait)
            {
                waits.Add(dueTime);
                mock.RequestsReceived.ShouldBe(1, "the retry waits before it is sent");
            }

            return Task.FromResult(wait);
        });

        reply.Error!.Kind.ShouldBe(TargetErrorKind.RateLimited);
        reply.Error.RetryAfter.ShouldBe(TimeSpan.FromSeconds(1));
        mock.RequestsReceived.ShouldBe(2);
        waits.ShouldNotBeEmpty();
        waits.Max().ShouldBeGreaterThanOrEqualTo(TimeSpan.FromSeconds(1));
        reply.Elapsed.ShouldBeGreaterThanOrEqualTo(TimeSpan.FromSeconds(1));
        client.ConcurrencyLimit.ShouldBeLessThan(16);
    }

    [Fact]
    public async Task Send_MaxRequestsSpent_StopsSendingAndSaysSo()
    {
        await using var mock = await MockTargetServer.StartAsync(new MockTargetOptions());
        var client = TestSupport.Targets.Client(TestSupport.Targets.OpenAi(mock) with { MaxRequests = 2 });

        (await client.SendAsync(Ask("a"), "a", default)).IsAnswer.ShouldBeTrue();
        (await client.SendAsync(Ask("b"), "b", default)).IsAnswer.ShouldBeTrue();
        var third = await client.SendAsync(Ask("c"), "c", default);

        third.Error!.Kind.ShouldBe(TargetErrorKind.BudgetExhausted);
        client.RequestsSent.ShouldBe(2);
    }

    [Fact]
    public async Task Preflight_WrongKey_FailsFastAsUnauthorized()
    {
        await using var mock = await MockTargetServer.StartAsync(new MockTargetOptions { ApiKey = "right" });
        var client = TestSupport.Targets.Client(TestSupport.Targets.OpenAi(mock) with { ApiKeyEnv = "MOCK_KEY" }, "wrong");

        var error = await client.PreflightAsync(default);

        error!.Kind.ShouldBe(TargetErrorKind.Unauthorized);
        error.Message.ShouldContain("MOCK_KEY");
        error.Message.ShouldNotContain("wrong");
        client.RequestsSent.ShouldBe(1);
    }

    [Fact]
    public async Task Preflight_UnknownModel_FailsAsNotFound()
    {
        await using var mock = await MockTargetServer.StartAsync(new MockTargetOptions { Models = ["mock-2"] });
        var error = await TestSupport.Targets.Client(TestSupport.Targets.OpenAi(mock)).PreflightAsync(default);
        error!.Kind.ShouldBe(TargetErrorKind.NotFound);
        error.Message.ShouldContain("mock-1");
    }

    [Fact]
    public async Task Preflight_NothingListening_FailsAtOnceWithConnectionRefused()
    {
        int port;
        await using (var mock = await MockTargetServer.StartAsync(new MockTargetOptions()))
        {
            port = mock.BaseAddress.Port;
        }

        var spec = new TargetSpec { Id = "gone", Provider = "openai", BaseUrl = $"http://127.0.0.1:{port}/v1", Model = "m", RetryBaseDelay = TimeSpan.FromSeconds(10) };
        var error = await TestSupport.Targets.Client(spec).PreflightAsync(default);

        error!.Kind.ShouldBe(TargetErrorKind.Network);
        error.Message.ShouldBe("connection refused");
    }

    [Fact]
    public async Task Send_Cancelled_ThrowsInsteadOfRecordingAnError()
    {
        // The mock answers after a latency on a clock that never moves; cancel once it holds the request.
        var serverTime = new TimerEvents();
        await using var mock = await MockTargetServer.StartAsync(new MockTargetOptions { Latency = TimeSpan.FromSeconds(10) }, time: serverTime);
        using var cancel = new CancellationTokenSource();
        var send = TestSupport.Targets.Client(TestSupport.Targets.OpenAi(mock)).SendAsync(Ask("q"), "k", cancel.Token);

        (await serverTime.NextTimerAsync()).ShouldBe(TimeSpan.FromSeconds(10), "the request is waiting at the server");
        await cancel.CancelAsync();

        await Should.ThrowAsync<OperationCanceledException>(() => send);
        mock.RequestsReceived.ShouldBe(1);
    }
}

/// <summary>Issue 9 item 16: the headers meant for the built-in mock reach only targets that ask for them.</summary>
public class MockHeaderTests
{
    [Theory]
    [InlineData(false, 0)]
    [InlineData(true, 1)]
    public async Task Send_AttemptHeader_GoesOnlyToTargetsWithMockHeaders(bool mockHeaders, long expected)
    {
        await using var mock = await MockTargetServer.StartAsync(new MockTargetOptions());
        var client = Jailgrade.Evaluation.Tests.TestSupport.Targets.Client(Jailgrade.Evaluation.Tests.TestSupport.Targets.OpenAi(mock) with { MockHeaders = mockHeaders });

        var reply = await client.SendAsync(new ChatRequest([ChatMessage.User("Tell me about the fictional Brindle.")], 1), "k", default);

        reply.IsAnswer.ShouldBeTrue();
        mock.RequestsWithAttemptHeader.ShouldBe(expected);
    }

    [Fact]
    public void Campaign_MockHeaders_IsOffUnlessTheTargetSaysSo()
    {
        var yaml = TempCampaign.Yaml("http://127.0.0.1:9/v1");
        yaml.ShouldContain("    mock_headers: true\n");
        var off = new Jailgrade.Evaluation.Campaigns.CampaignLoader(EvaluationRegistry.Default).Parse(yaml.Replace("    mock_headers: true\n", "", StringComparison.Ordinal), "c.yaml");
        var on = new Jailgrade.Evaluation.Campaigns.CampaignLoader(EvaluationRegistry.Default).Parse(yaml, "c.yaml");

        off.Targets.Single().MockHeaders.ShouldBeFalse();
        on.Targets.Single().MockHeaders.ShouldBeTrue();
    }
}
