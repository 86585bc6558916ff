using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Jailgrade.Server.Internal;

/// <summary>
/// Request bodies bind strictly (SECURITY.md 2): unknown and duplicate properties are refused, and the
/// refusal names where.
/// </summary>
internal static class StrictJson
{
    public const long MaxBodyBytes = 64 * 1024;

    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        AllowDuplicateProperties = false,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
    };

    public static async Task<(T? Body, IResult? Problem)> ReadAsync<T>(HttpRequest request, CancellationToken cancellationToken)
        where T : class
    {
        if (!request.HasJsonContentType())
        {
            return (null, TypedResults.Problem("the body must be JSON (Content-Type: application/json)", statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type"));
        }

        if (request.ContentLength > MaxBodyBytes)
        {
            return (null, TooLarge(request));
        }

        try
        {
            var body = await JsonSerializer.DeserializeAsync<T>(request.Body, Options, cancellationToken);
            return body is null ? (null, Problems.BadBody("the body is null; expected a JSON object")) : (body, null);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            // A chunked body has no Content-Length: Kestrel's MaxRequestBodySize stops it while it is read.
            return (null, TooLarge(request));
        }
        catch (JsonException e)
        {
            // The serializer's message names the property and path; it never quotes the body's values.
            return (null, Problems.BadBody($"the body is not a valid request at {e.Path ?? "$"}: {FirstSentence(e.Message)}"));
        }
    }

    internal static ProblemHttpResult TooLarge(HttpRequest request)
    {
        // The rest of the body is never read, so this connection cannot carry another request: say so,
        // or a client that reuses it loses its next request to the close that follows.
        request.HttpContext.Response.Headers.Connection = "close";
        return TypedResults.Problem($"the body is larger than {MaxBodyBytes} bytes", statusCode: StatusCodes.Status413PayloadTooLarge, title: "Body too large");
    }

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? message : message[..(end + 1)];
    }
}
