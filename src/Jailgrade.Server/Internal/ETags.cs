using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Jailgrade.Server.Internal;

/// <summary>
/// Strong ETags from an object's version (<c>"v3"</c>), and the <c>If-Match</c> every write of a
/// versioned object needs: 428 when it is missing, 412 (with the current ETag) when it is stale.
/// </summary>
internal static class ETags
{
    public static string Of(long version) => $"\"v{version.ToString(CultureInfo.InvariantCulture)}\"";

    /// <summary>The version an <c>If-Match</c> names, or null when it is missing or not one of ours.</summary>
    public static long? Parse(StringValues ifMatch) =>
        ifMatch.Count == 1 && ifMatch[0] is { Length: > 3 } tag && tag.StartsWith("\"v", StringComparison.Ordinal) && tag.EndsWith('"')
            && long.TryParse(tag.AsSpan(2, tag.Length - 3), NumberStyles.None, CultureInfo.InvariantCulture, out var version)
            ? version
            : null;

    /// <summary>
    /// The version the request's <c>If-Match</c> names in <paramref name="expected"/>, or the 428 answer
    /// when it names none of ours. Compare it with <see cref="IsStale"/> inside the write lock.
    /// </summary>
    public static IResult? RequireIfMatch(HttpRequest request, out long expected)
    {
        expected = Parse(request.Headers.IfMatch) ?? -1;
        return expected < 0 ? Problems.PreconditionRequired() : null;
    }

    /// <summary>Whether the version read inside the write lock is not the one the request's <c>If-Match</c> named.</summary>
    public static bool IsStale(long current, long expected) => current != expected;

    /// <summary>The 412 answer: the current ETag in the header, the current version in the detail.</summary>
    public static IResult Stale(HttpResponse response, string kind, long current)
    {
        response.Headers.ETag = Of(current);
        return Problems.Stale(kind, current);
    }
}
