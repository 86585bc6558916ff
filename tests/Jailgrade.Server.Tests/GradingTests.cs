using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Jailgrade.Standard;
using Jailgrade.Standard.Scoring;

namespace Jailgrade.Server.Tests;

public class GradingTests
{
    private const string Vector = "JG:1.0/UN:U/RL:H/AC:L/AR:N/HD:CY/UP:3/BR:W/FD:H/EX:P/DP:G";

    [Fact]
    public async Task Score_WithoutAKey_AnswersTheScoreRecordTheCliPrints()
    {
        await using var registry = await TestRegistry.CreateAsync();

        using var response = await PostAsync(registry, "/api/v1/score", $$"""{"vector": "{{Vector}}"}""");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/json");
        var body = await response.Content.ReadAsStringAsync();
        body.ShouldBe(ScoreRecord(Vector));
        using var document = JsonDocument.Parse(body);
        document.RootElement.GetProperty("vector").GetString().ShouldBe(Vector);
        document.RootElement.GetProperty("standard").GetString().ShouldBe(JgMetrics.Standard);
    }

    [Fact]
    public async Task Score_BadVector_Answers422WithTheParsersKindColumnAndMetric()
    {
        await using var registry = await TestRegistry.CreateAsync();

        using var response = await PostAsync(registry, "/api/v1/score", """{"vector": "JG:1.0/UN:U/RL:X/AC:L/AR:N/HD:CY/UP:3/BR:W/FD:H/EX:P/DP:G"}""");

        response.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        problem.RootElement.GetProperty("kind").GetString().ShouldBe(nameof(VectorErrorKind.BadValue));
        problem.RootElement.GetProperty("column").GetInt32().ShouldBe(16);
        problem.RootElement.GetProperty("metric").GetString().ShouldBe("RL");
        problem.RootElement.GetProperty("detail").GetString()!.ShouldStartWith("vector: column 16: ");
    }

    [Fact]
    public async Task Score_UnknownProperty_Answers400NamingIt()
    {
        await using var registry = await TestRegistry.CreateAsync();

        using var response = await PostAsync(registry, "/api/v1/score", $$"""{"vector": "{{Vector}}", "extra": 1}""");

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).ShouldContain("extra");
    }

    [Fact]
    public async Task Decide_BuiltinPolicy_AnswersTheDecisionWithDueTimesFromTheClock()
    {
        await using var registry = await TestRegistry.CreateAsync();

        using var response = await PostAsync(registry, "/api/v1/decide", $$$"""
            {"policy": "us-frontier", "case": {"vector": "{{{Vector}}}", "reported": "2026-06-12T09:00:00Z", "decided": "2026-06-13T09:00:00Z", "countries": ["US", "CN"]}}
            """);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        using var decision = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = decision.RootElement;
        root.GetProperty("policy").GetProperty("id").GetString().ShouldBe("us-frontier");
        root.GetProperty("vector").GetString().ShouldBe(Vector);
        root.GetProperty("clock").GetProperty("reported").GetString().ShouldBe("2026-06-12T09:00:00Z");
        root.GetProperty("decided_defaulted").GetBoolean().ShouldBeFalse();
        root.GetProperty("countries").EnumerateObject().Select(c => c.Name).ShouldBe(["US", "CN"]);

        // us-frontier: a Critical case notifies the government authority within PT24H of being reported.
        var notify = root.GetProperty("obligations").EnumerateArray()
            .Single(o => o.TryGetProperty("note", out var note) && note.GetString() == "24-hour notification for Critical");
        notify.GetProperty("due").GetString().ShouldBe("2026-06-13T09:00:00Z");
    }

    [Fact]
    public async Task Decide_NoDecidedTime_DecidesAtTheServersClock()
    {
        await using var registry = await TestRegistry.CreateAsync();

        using var response = await PostAsync(registry, "/api/v1/decide", $$$"""{"policy": "us-frontier", "case": {"vector": "{{{Vector}}}"}}""");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        using var decision = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        decision.RootElement.GetProperty("decided_defaulted").GetBoolean().ShouldBeTrue();
        decision.RootElement.GetProperty("clock").GetProperty("decided").GetString().ShouldBe("2026-12-02T09:00:00Z");
    }

    [Theory]
    [InlineData("""{"policy": "no-such-policy", "case": {"vector": "JG:1.0/UN:U/RL:H/AC:L/AR:N/HD:CY/UP:3/BR:W/FD:H/EX:P/DP:G"}}""", "policy: 'no-such-policy'")]
    [InlineData("""{"policy": "us-frontier", "case": {"vector": "JG:1.0/UN:U"}}""", "case: bad vector: ")]
    [InlineData("""{"policy": "us-frontier", "case": {"vector": "JG:1.0/UN:U/RL:H/AC:L/AR:N/HD:CY/UP:3/BR:W/FD:H/EX:P/DP:G", "reported": "yesterday"}}""", "case: ")]
    [InlineData("""{"policy": "us-frontier", "case": "JG:1.0/UN:U/RL:H/AC:L/AR:N/HD:CY/UP:3/BR:W/FD:H/EX:P/DP:G"}""", "case: 'String'")]
    public async Task Decide_BadInput_Answers422NamingTheField(string json, string detailStart)
    {
        await using var registry = await TestRegistry.CreateAsync();

        using var response = await PostAsync(registry, "/api/v1/decide", json);

        response.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        problem.RootElement.GetProperty("detail").GetString()!.ShouldStartWith(detailStart);
    }

    [Fact]
    public async Task OpenEndpoints_PastTheLimit_Answer429WithRetryAfter()
    {
        await using var registry = await TestRegistry.CreateAsync(openPermits: 2);
        var body = $$"""{"vector": "{{Vector}}"}""";

        using var first = await PostAsync(registry, "/api/v1/score", body);
        using var second = await PostAsync(registry, "/api/v1/decide", $$$"""{"policy": "us-frontier", "case": {"vector": "{{{Vector}}}"}}""");
        using var third = await PostAsync(registry, "/api/v1/score", body);

        first.StatusCode.ShouldBe(HttpStatusCode.OK);
        second.StatusCode.ShouldBe(HttpStatusCode.OK);
        third.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        third.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        // The clock stands at 09:00:00, the start of a one-minute window: all of it is left.
        third.Headers.RetryAfter!.Delta.ShouldBe(TimeSpan.FromSeconds(60));
        using var problem = JsonDocument.Parse(await third.Content.ReadAsStringAsync());
        problem.RootElement.GetProperty("status").GetInt32().ShouldBe(429);
    }

    [Fact]
    public async Task OpenEndpoints_Limit_CountsOnTheServersClock_RetryAfterIsWhatIsLeftOfTheWindow_AndTheNextWindowAnswers()
    {
        await using var registry = await TestRegistry.CreateAsync(openPermits: 1);
        var body = $$"""{"vector": "{{Vector}}"}""";
        using var first = await PostAsync(registry, "/api/v1/score", body);

        registry.Time.Advance(TimeSpan.FromSeconds(45.2));
        using var refused = await PostAsync(registry, "/api/v1/score", body);
        registry.Time.Advance(TimeSpan.FromSeconds(14.7));
        using var stillRefused = await PostAsync(registry, "/api/v1/score", body);
        registry.Time.Advance(TimeSpan.FromSeconds(0.1));
        using var nextWindow = await PostAsync(registry, "/api/v1/score", body);

        first.StatusCode.ShouldBe(HttpStatusCode.OK);
        refused.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        // 14.8 s are left of the minute: Retry-After rounds up to whole seconds.
        refused.Headers.RetryAfter!.Delta.ShouldBe(TimeSpan.FromSeconds(15));
        stillRefused.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        stillRefused.Headers.RetryAfter!.Delta.ShouldBe(TimeSpan.FromSeconds(1));
        nextWindow.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task OpenEndpoints_PastTheLimit_LeaveSignedInRoutesAlone()
    {
        await using var registry = await TestRegistry.CreateAsync(openPermits: 1);

        using var first = await PostAsync(registry, "/api/v1/score", $$"""{"vector": "{{Vector}}"}""");
        using var me = await registry.SendAsync(HttpMethod.Get, "/api/v1/me", registry.LabKey);

        first.StatusCode.ShouldBe(HttpStatusCode.OK);
        me.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Me_WithoutAKey_StillAnswers401()
    {
        await using var registry = await TestRegistry.CreateAsync();

        using var response = await registry.Client.SendAsync(TestRegistry.Get("/api/v1/me"));

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Score_BodyOverTheLimitWithContentLength_Answers413()
    {
        await using var registry = await TestRegistry.CreateAsync();

        using var response = await PostAsync(registry, "/api/v1/score", OversizedBody());

        response.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
    }

    [Fact]
    public async Task Score_BodyOverTheLimit_SaysConnectionClose_SoTheClientsNextRequestIsNotLost()
    {
        await using var registry = await TestRegistry.CreateAsync();
        using (var warm = await PostAsync(registry, "/api/v1/score", $$"""{"vector": "{{Vector}}"}"""))
        {
            warm.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        using var refused = await PostAsync(registry, "/api/v1/score", OversizedBody());
        using var next = await PostAsync(registry, "/api/v1/score", $$"""{"vector": "{{Vector}}"}""");

        refused.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        refused.Headers.ConnectionClose.ShouldBe(true);
        next.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Score_ChunkedBodyOverTheLimit_Answers413()
    {
        await using var registry = await TestRegistry.CreateAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/score") { Content = new ChunkedJson(OversizedBody()) };

        using var response = await registry.Client.SendAsync(request);

        request.Headers.TransferEncodingChunked.ShouldBe(true);
        response.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await response.Content.ReadAsStringAsync()).ShouldContain("larger than 65536 bytes");
    }

    private static string OversizedBody() => $$"""{"vector": "{{new string('A', 70_000)}}"}""";

    private static Task<HttpResponseMessage> PostAsync(TestRegistry registry, string path, string json) =>
        registry.Client.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));

    // What the shared writer (behind 'jailgrade score --json') prints for the vector.
    private static string ScoreRecord(string vector)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteScoreRecord(JgScorer.Score(JgVector.Parse(vector)));
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>JSON sent without a Content-Length, so HttpClient sends it chunked.</summary>
    private sealed class ChunkedJson : HttpContent
    {
        private readonly byte[] _bytes;

        public ChunkedJson(string json)
        {
            _bytes = Encoding.UTF8.GetBytes(json);
            Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        }

        protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) => stream.WriteAsync(_bytes).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = -1;
            return false;
        }
    }
}
