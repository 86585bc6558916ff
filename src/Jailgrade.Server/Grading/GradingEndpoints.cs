using System.Text.Encodings.Web;
using System.Text.Json;
using Jailgrade.Policy;
using Jailgrade.Policy.Decisions;
using Jailgrade.Server.Internal;
using Jailgrade.Standard;
using Jailgrade.Standard.Scoring;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Jailgrade.Server.Grading;

/// <summary>
/// <c>POST /api/v1/score</c> and <c>POST /api/v1/decide</c>: the standard's calculator and the
/// built-in policies as a service. Stateless and open (no key), so rate limited per client address.
/// They answer exactly what <c>jailgrade score --json</c> and <c>jailgrade decide --json</c> print.
/// </summary>
internal static class GradingEndpoints
{
    /// <summary>The rate limiter policy the open endpoints share.</summary>
    public const string RateLimitPolicy = "open";

    public sealed record ScoreRequest(string Vector);

    public sealed record DecideRequest(string Policy, JsonElement Case);

    public static RouteGroupBuilder MapGrading(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("").AllowAnonymous().RequireRateLimiting(RateLimitPolicy).WithTags("Grading");
        group.MapPost("/score", ScoreAsync).WithName("Score").Accepts<ScoreRequest>("application/json")
            .Produces(StatusCodes.Status200OK, contentType: "application/json").ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapPost("/decide", DecideAsync).WithName("Decide").Accepts<DecideRequest>("application/json")
            .Produces(StatusCodes.Status200OK, contentType: "application/json").ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        return group;
    }

    private static async Task<IResult> ScoreAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var (body, invalid) = await StrictJson.ReadAsync<ScoreRequest>(request, cancellationToken);
        if (invalid is not null)
        {
            return invalid;
        }

        if (!JgScorer.TryScore(body!.Vector, out var score, out var error))
        {
            return BadVector("vector", error);
        }

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteScoreRecord(score);
        }

        return TypedResults.Bytes(buffer.ToArray(), "application/json");
    }

    private static async Task<IResult> DecideAsync(HttpRequest request, TimeProvider time, CancellationToken cancellationToken)
    {
        var (body, invalid) = await StrictJson.ReadAsync<DecideRequest>(request, cancellationToken);
        if (invalid is not null)
        {
            return invalid;
        }

        // Only built-in policies: the server reads no files a caller names.
        if (BuiltinPolicies.Find(body!.Policy) is not { } policy)
        {
            return Problems.Invalid("policy", body.Policy, $"a built-in policy id ({string.Join(", ", BuiltinPolicies.Ids)})");
        }

        if (body.Case.ValueKind != JsonValueKind.Object)
        {
            return Problems.Invalid("case", body.Case.ValueKind.ToString(), "a JSON object with the case's vector, clock events, countries and facts");
        }

        if (!CaseJson.TryParse(body.Case.GetRawText(), "case", out var decisionCase, out var caseError))
        {
            return TypedResults.Problem($"case: {caseError}", statusCode: StatusCodes.Status422UnprocessableEntity, title: "Invalid case",
                extensions: new Dictionary<string, object?> { ["field"] = "case" });
        }

        if (!policy.TryDecide(decisionCase!.Request, time, out var decision, out var decideError))
        {
            return TypedResults.Problem($"case: {decideError}", statusCode: StatusCodes.Status422UnprocessableEntity, title: "Invalid case",
                extensions: new Dictionary<string, object?> { ["field"] = "case" });
        }

        return TypedResults.Text(DecisionJson.Serialize(decision!, indented: false), "application/json");
    }

    // The parser's own account: its class, the 1-based column and the metric at fault.
    private static ProblemHttpResult BadVector(string field, in VectorError error) =>
        TypedResults.Problem($"{field}: {error}", statusCode: StatusCodes.Status422UnprocessableEntity, title: "Invalid vector",
            extensions: new Dictionary<string, object?>
            {
                ["field"] = field,
                ["kind"] = error.Kind.ToString(),
                ["column"] = error.Position,
                ["metric"] = error.Metric,
            });
}
