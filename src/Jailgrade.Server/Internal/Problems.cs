using Microsoft.AspNetCore.Http;

namespace Jailgrade.Server.Internal;

/// <summary>
/// RFC 9457 problem details for the API's refusals, each naming what was wrong and what was expected.
/// A missing object and one the caller may not see answer the same 404.
/// </summary>
internal static class Problems
{
    public static IResult NotFound(string kind, Guid id) =>
        TypedResults.Problem($"no {kind} {id:D}", statusCode: StatusCodes.Status404NotFound, title: "Not found");

    public static IResult Forbidden(string why) =>
        TypedResults.Problem(why, statusCode: StatusCodes.Status403Forbidden, title: "Forbidden");

    public static IResult Invalid(string field, string? value, string expected) =>
        TypedResults.Problem($"{field}: {(value is null ? "missing" : $"'{Cap(value)}'")}; expected {expected}",
            statusCode: StatusCodes.Status422UnprocessableEntity, title: "Invalid field",
            extensions: new Dictionary<string, object?> { ["field"] = field, ["expected"] = expected });

    public static IResult BadBody(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status400BadRequest, title: "Malformed body");

    public static IResult Conflict(string field, string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status409Conflict, title: "Conflict",
            extensions: new Dictionary<string, object?> { ["field"] = field });

    public static IResult PreconditionRequired() =>
        TypedResults.Problem("this write needs If-Match with the ETag of the version it changes (read the object first)",
            statusCode: StatusCodes.Status428PreconditionRequired, title: "Precondition required");

    public static IResult Stale(string kind, long current) =>
        TypedResults.Problem($"the {kind} changed since it was read (now version {current}); read it again and retry",
            statusCode: StatusCodes.Status412PreconditionFailed, title: "Stale version");

    // Untrusted text goes back capped and without control characters.
    private static string Cap(string value)
    {
        var clean = new string([.. value.Take(80).Select(c => char.IsControl(c) ? '?' : c)]);
        return value.Length > 80 ? clean + "…" : clean;
    }
}
