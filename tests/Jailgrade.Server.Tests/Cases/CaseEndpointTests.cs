using System.Net;
using System.Text.Json;
using Jailgrade.Registry.Persistence;
using Jailgrade.Registry.Tests.TestSupport;

namespace Jailgrade.Server.Tests.Cases;

/// <summary>The case routes over real HTTP (docs/registry.md; the contract in case-api.md), on SQLite and PostgreSQL.</summary>
public class CaseEndpointTests
{
    [Fact]
    public async Task File_AsReporter_Is201WithLocationETagAndTheReportersProjection()
    {
        await using var api = await CaseApi.StartAsync();
        var json = JsonSerializer.Serialize(new
        {
            title = "Role-play unlocks the canary", authority = api.World.Regulator.Organization, labAsReported = "Example Lab", modelAsReported = "ex-1",
            technique = "benign canary cue", discoveredAt = "2026-11-30T08:00:00Z",
        });

        using var response = await api.SendAsync(HttpMethod.Post, "/api/v1/cases", api.World.Reporter, json);

        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var body = await CaseApi.JsonAsync(response);
        var id = body.GetProperty("id").GetGuid();
        response.Headers.Location!.ToString().ShouldBe($"/api/v1/cases/{id}");
        response.Headers.ETag!.IsWeak.ShouldBeFalse();
        body.GetProperty("status").GetString().ShouldBe("reported");
        body.GetProperty("reporter").GetGuid().ShouldBe(api.World.Reporter.Organization);
        body.GetProperty("discoveredAt").GetString().ShouldBe("2026-11-30T08:00:00.000Z");
        body.GetProperty("reportedAt").GetString().ShouldBe("2026-12-02T09:00:00.000Z");
        body.GetProperty("createdAt").GetString().ShouldBe("2026-12-02T09:00:00.000Z");
        body.GetProperty("asserted").EnumerateArray().Select(a => a.GetString()).ShouldBe(["discoveredAt"]);
        body.GetProperty("involvements").GetArrayLength().ShouldBe(0);
        body.GetProperty("lastEvent").GetInt64().ShouldBeGreaterThan(0);
        body.TryGetProperty("technique", out _).ShouldBeFalse();
    }

    [Theory]
    [InlineData("""{"title":"t","authority":"00000000-0000-0000-0000-000000000000","labAsReported":"l","modelAsReported":"m","technique":"x","reporter":"00000000-0000-0000-0000-000000000001"}""", "reporter")]
    [InlineData("""{"title":"t","title":"u","authority":"00000000-0000-0000-0000-000000000000","labAsReported":"l","modelAsReported":"m","technique":"x"}""", "title")]
    [InlineData("""{"title":"t","authority":"00000000-0000-0000-0000-000000000000","labAsReported":"l","modelAsReported":"m","technique":"x","createdAt":"2020-01-01T00:00:00Z"}""", "createdAt")]
    public async Task File_BodyNamingWhatTheServerSets_Is400NamingIt(string json, string named)
    {
        await using var api = await CaseApi.StartAsync();

        using var response = await api.SendAsync(HttpMethod.Post, "/api/v1/cases", api.World.Reporter, json);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).ShouldContain(named);
    }

    [Fact]
    public async Task File_WithAnAuthorityThatIsALab_Is422NamingTheField()
    {
        await using var api = await CaseApi.StartAsync();
        var json = JsonSerializer.Serialize(new { title = "t", authority = api.World.LabA.Organization, labAsReported = "l", modelAsReported = "m", technique = "x" });

        using var response = await api.SendAsync(HttpMethod.Post, "/api/v1/cases", api.World.Reporter, json);

        response.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await CaseApi.JsonAsync(response)).GetProperty("field").GetString().ShouldBe("authority");
    }

    [Fact]
    public async Task Get_AnotherOrganizationsCase_Is404IdenticalToAMissingOne()
    {
        await using var api = await CaseApi.StartAsync();
        var (id, _) = await api.FileAsync(api.World.OtherReporter);
        var missing = Guid.NewGuid();

        foreach (var path in new[] { "", "/history", "/technique" })
        {
            using var foreign = await api.SendAsync(HttpMethod.Get, $"/api/v1/cases/{id}{path}", api.World.Reporter);
            using var absent = await api.SendAsync(HttpMethod.Get, $"/api/v1/cases/{missing}{path}", api.World.Reporter);

            foreign.StatusCode.ShouldBe(HttpStatusCode.NotFound);
            absent.StatusCode.ShouldBe(HttpStatusCode.NotFound);
            Normalized(await foreign.Content.ReadAsStringAsync(), id).ShouldBe(Normalized(await absent.Content.ReadAsStringAsync(), missing));
            Headers(foreign).ShouldBe(Headers(absent));
        }
    }

    [Fact]
    public Task Lab_OfATwoLabCase_GetsItsProjection_Sqlite() => LabGetsItsProjection(DatabaseProvider.Sqlite);

    [PostgresFact]
    public Task Lab_OfATwoLabCase_GetsItsProjection_Postgres() => LabGetsItsProjection(DatabaseProvider.PostgreSql);

    [Fact]
    public Task Write_ConcurrentWithTheSameIfMatch_ExactlyOneSucceeds_Sqlite() => ConcurrentWritesExactlyOneSucceeds(DatabaseProvider.Sqlite);

    [PostgresFact]
    public Task Write_ConcurrentWithTheSameIfMatch_ExactlyOneSucceeds_Postgres() => ConcurrentWritesExactlyOneSucceeds(DatabaseProvider.PostgreSql);

    [Fact]
    public async Task Write_WithoutIfMatch428_Stale412_VisibleButNotYours403_Invisible404()
    {
        await using var api = await CaseApi.StartAsync();
        var (id, etag) = await api.FileAsync(api.World.Reporter);
        const string Reason = """{"reason":"not a jailbreak"}""";

        using var noIfMatch = await api.SendAsync(HttpMethod.Post, $"/api/v1/cases/{id}/reject", api.World.Regulator, Reason);
        using var notYours = await api.SendAsync(HttpMethod.Post, $"/api/v1/cases/{id}/reject", api.World.Reporter, Reason, etag);
        using var invisible = await api.SendAsync(HttpMethod.Post, $"/api/v1/cases/{id}/reject", api.World.OtherReporter, Reason, etag);
        using var done = await api.SendAsync(HttpMethod.Post, $"/api/v1/cases/{id}/reject", api.World.Regulator, Reason, etag);
        using var stale = await api.SendAsync(HttpMethod.Post, $"/api/v1/cases/{id}/reject", api.World.Regulator, Reason, etag);

        noIfMatch.StatusCode.ShouldBe(HttpStatusCode.PreconditionRequired);
        notYours.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        invisible.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        done.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await CaseApi.JsonAsync(done)).GetProperty("status").GetString().ShouldBe("rejected");
        stale.StatusCode.ShouldBe(HttpStatusCode.PreconditionFailed);
        stale.Headers.ETag!.Tag.ShouldBe(done.Headers.ETag!.Tag);
    }

    [Fact]
    public async Task Transition_Illegal_Is409NamingTheAllowedOnes()
    {
        await using var api = await CaseApi.StartAsync();
        var id = await api.TwoLabCaseAsync();
        var (own, etag) = await api.GetAsync(id, api.World.LabA);
        var involvement = own.GetProperty("involvements")[0].GetProperty("id").GetGuid();

        using var response = await api.SendAsync(HttpMethod.Post, $"/api/v1/cases/{id}/involvements/{involvement}/transition", api.World.LabA, """{"to":"verifying"}""", etag);

        response.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        var problem = await CaseApi.JsonAsync(response);
        problem.GetProperty("allowed").EnumerateArray().Select(a => a.GetString()).ShouldBe(["mitigating"]);
        problem.GetProperty("detail").GetString().ShouldBe("triaged → verifying is not a transition; from triaged allowed: mitigating");
    }

    [Fact]
    public async Task Acknowledge_ByTheLab_IsAnEventItsUserAuthors_AndByAnotherLabOn404()
    {
        await using var api = await CaseApi.StartAsync();
        var id = await api.TwoLabCaseAsync();
        var (own, etag) = await api.GetAsync(id, api.World.LabA);
        var involvement = own.GetProperty("involvements")[0].GetProperty("id").GetGuid();
        var (_, etagB) = await api.GetAsync(id, api.World.LabB);

        using var byOtherLab = await api.SendAsync(HttpMethod.Post, $"/api/v1/cases/{id}/involvements/{involvement}/acknowledge", api.World.LabB, ifMatch: etagB);
        using var byLab = await api.SendAsync(HttpMethod.Post, $"/api/v1/cases/{id}/involvements/{involvement}/acknowledge", api.World.LabA, ifMatch: etag);

        byOtherLab.StatusCode.ShouldBe(HttpStatusCode.NotFound, "Lab B does not see Lab A's involvement");
        byLab.StatusCode.ShouldBe(HttpStatusCode.OK, await byLab.Content.ReadAsStringAsync());
        (await CaseApi.JsonAsync(byLab)).GetProperty("involvements")[0].GetProperty("acknowledgedAt").GetString().ShouldBe("2026-12-02T09:00:00.000Z");
        var history = await api.GetJsonAsync($"/api/v1/cases/{id}/history", api.World.LabA);
        var last = history.GetProperty("items").EnumerateArray().Last();
        last.GetProperty("type").GetString().ShouldBe("involvement.acknowledged");
        last.GetProperty("body").GetProperty("actor").GetProperty("user").GetGuid().ShouldBe(api.World.LabA.User);
    }

    [Fact]
    public async Task Technique_Read_IsNoStoreNosniffAndAnEventInTheHistory()
    {
        await using var api = await CaseApi.StartAsync();
        var (id, _) = await api.FileAsync(api.World.Reporter, technique: "benign canary cue 42");

        using var response = await api.SendAsync(HttpMethod.Get, $"/api/v1/cases/{id}/technique", api.World.Regulator);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await CaseApi.JsonAsync(response)).GetProperty("technique").GetString().ShouldBe("benign canary cue 42");
        response.Headers.CacheControl!.NoStore.ShouldBeTrue();
        response.Headers.GetValues("X-Content-Type-Options").ShouldBe(["nosniff"]);
        var history = await api.GetJsonAsync($"/api/v1/cases/{id}/history", api.World.Reporter);
        var read = history.GetProperty("items").EnumerateArray().Last();
        read.GetProperty("type").GetString().ShouldBe("case.technique_read");
        read.GetProperty("body").GetProperty("actor").GetProperty("organization").GetGuid().ShouldBe(api.World.Regulator.Organization);
        history.GetRawText().ShouldNotContain("canary cue 42");
    }

    private static async Task LabGetsItsProjection(DatabaseProvider provider)
    {
        await using var api = await CaseApi.StartAsync(provider);
        var id = await api.TwoLabCaseAsync();

        var (asA, etagA) = await api.GetAsync(id, api.World.LabA);
        var (asB, etagB) = await api.GetAsync(id, api.World.LabB);
        var (asReporter, etagReporter) = await api.GetAsync(id, api.World.Reporter);
        asA.GetProperty("involvements").EnumerateArray().Select(i => i.GetProperty("lab").GetGuid()).ShouldBe([api.World.LabA.Organization]);
        asReporter.GetProperty("involvements").GetArrayLength().ShouldBe(2);
        var historyA = await api.GetJsonAsync($"/api/v1/cases/{id}/history", api.World.LabA);

        // Lab B moves its part; Lab A's ETag, status, last event and history stay as they were.
        var involvementB = asB.GetProperty("involvements")[0].GetProperty("id").GetGuid();
        using (var moved = await api.SendAsync(HttpMethod.Post, $"/api/v1/cases/{id}/involvements/{involvementB}/transition", api.World.LabB, """{"to":"mitigating"}""", etagB))
        {
            moved.StatusCode.ShouldBe(HttpStatusCode.OK, await moved.Content.ReadAsStringAsync());
            (await CaseApi.JsonAsync(moved)).GetProperty("status").GetString().ShouldBe("mitigating");
        }

        var (asAAfter, etagAAfter) = await api.GetAsync(id, api.World.LabA);
        etagAAfter.ShouldBe(etagA);
        asAAfter.GetProperty("status").GetString().ShouldBe("triaged");
        asAAfter.GetProperty("lastEvent").GetInt64().ShouldBe(asA.GetProperty("lastEvent").GetInt64());
        (await api.GetJsonAsync($"/api/v1/cases/{id}/history", api.World.LabA)).GetRawText().ShouldBe(historyA.GetRawText());
        historyA.GetRawText().ShouldNotContain(involvementB.ToString("D"));
        (await api.GetAsync(id, api.World.Reporter)).ETag.ShouldNotBe(etagReporter);

        // A list filtered by Lab B's release, as Lab A, finds nothing: filters see the projection only.
        var filtered = await api.GetJsonAsync($"/api/v1/cases?release={api.World.ReleaseB}", api.World.LabA);
        filtered.GetProperty("items").GetArrayLength().ShouldBe(0);
    }

    private static async Task ConcurrentWritesExactlyOneSucceeds(DatabaseProvider provider)
    {
        await using var api = await CaseApi.StartAsync(provider);
        var (id, etag) = await api.FileAsync(api.World.Reporter);

        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(i =>
            api.SendAsync(HttpMethod.Post, $"/api/v1/cases/{id}/reject", api.World.Regulator, $$"""{"reason":"reason {{i}}"}""", etag)));

        responses.Count(r => r.StatusCode == HttpStatusCode.OK).ShouldBe(1);
        responses.Count(r => r.StatusCode == HttpStatusCode.PreconditionFailed).ShouldBe(5);
        var history = await api.GetJsonAsync($"/api/v1/cases/{id}/history", api.World.Regulator);
        history.GetProperty("items").EnumerateArray().Count(e => e.GetProperty("type").GetString() == "case.rejected").ShouldBe(1);
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    private static string Normalized(string problem, Guid id)
    {
        using var document = JsonDocument.Parse(problem);
        var fields = document.RootElement.EnumerateObject().Where(p => p.Name != "traceId").Select(p => $"{p.Name}={p.Value}");
        return string.Join("\n", fields).Replace(id.ToString("D"), "ID", StringComparison.Ordinal);
    }

    private static List<string> Headers(HttpResponseMessage response) =>
        [.. response.Headers.Concat(response.Content.Headers).Where(h => h.Key != "Date").Select(h => $"{h.Key}: {string.Join(",", h.Value)}").Order(StringComparer.Ordinal)];
}
