using System.Globalization;
using Microsoft.Extensions.Primitives;

namespace Jailgrade.Server.Internal;

/// <summary>Strong ETags from an object's version: <c>"v3"</c>.</summary>
internal static class ETags
{
    public static string Of(long version) => $"\"v{version.ToString(CultureInfo.InvariantCulture)}\"";

    /// <summary>The version an <c>If-Match</c> names, or null when it is missing or not one of ours.</summary>
    public static long? Parse(StringValues ifMatch) =>
        ifMatch.Count == 1 && ifMatch[0] is { Length: > 3 } tag && tag.StartsWith("\"v", StringComparison.Ordinal) && tag.EndsWith('"')
            && long.TryParse(tag.AsSpan(2, tag.Length - 3), NumberStyles.None, CultureInfo.InvariantCulture, out var version)
            ? version
            : null;
}
