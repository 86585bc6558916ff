using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Jailgrade.Registry.Events;

namespace Jailgrade.Registry.Cases;

/// <summary>
/// A case as one caller sees it: its projection (docs/registry.md, "The lab projection"). The status,
/// <see cref="LastEvent"/> and <see cref="ETag"/> are computed from the involvements in it only.
/// </summary>
public sealed record CaseView(CaseHeader Header, IReadOnlyList<InvolvementView> Involvements, long LastEvent)
{
    /// <summary><c>rejected</c> or <c>duplicate</c> when resolved; else the least advanced visible involvement's status.</summary>
    public string Status => Header.Resolution is { } resolution
        ? Internal.LowerCaseEnumNames<CaseResolution>.Name(resolution)
        : Lifecycle.Name(Lifecycle.Derive(Involvements.Select(i => i.Involvement.Status)));

    /// <summary>
    /// A strong ETag of the projection: the header's version and the version of each involvement in it,
    /// so a change to an involvement the caller does not see leaves the caller's ETag as it was.
    /// </summary>
    public string ETag
    {
        get
        {
            var text = new StringBuilder($"{Header.Id:D}:{Header.Version}");
            foreach (var involvement in Involvements.OrderBy(i => i.Involvement.Id))
            {
                text.Append(System.Globalization.CultureInfo.InvariantCulture, $"/{involvement.Involvement.Id:D}:{involvement.Involvement.Version}");
            }

            var hash = SHA256.HashData(Encoding.UTF8.GetBytes("jailgrade/case-etag/v1\n" + text));
            return $"\"{System.Buffers.Text.Base64Url.EncodeToString(hash.AsSpan(0, 16))}\"";
        }
    }
}

/// <summary>An involvement in a caller's projection, with its releases.</summary>
public sealed record InvolvementView(Involvement Involvement, IReadOnlyList<Guid> Releases);

/// <summary>
/// The salted state digest of a case's parts (docs/registry.md, "The model"):
/// <c>SHA-256("jailgrade/case-state/v1" ‖ salt ‖ canonical state)</c>, base64url.
/// </summary>
public static class CaseStates
{
    public const string Domain = "jailgrade/case-state/v1";

    public static JsonObject Header(CaseHeader c, IEnumerable<Guid> auditors) => new()
    {
        ["id"] = EventEncoding.Id(c.Id),
        ["title"] = c.Title,
        ["reporter"] = EventEncoding.Id(c.ReporterId),
        ["authority"] = EventEncoding.Id(c.AuthorityId),
        ["incidentType"] = c.IncidentType,
        ["discoveredAt"] = c.DiscoveredAt is { } d ? EventEncoding.Time(d) : null,
        ["reportedAt"] = EventEncoding.Time(c.ReportedAt),
        ["createdAt"] = EventEncoding.Time(c.CreatedAt),
        ["labAsReported"] = c.LabAsReported,
        ["modelAsReported"] = c.ModelAsReported,
        ["resolution"] = c.Resolution is { } r ? Internal.LowerCaseEnumNames<CaseResolution>.Name(r) : null,
        ["duplicateOf"] = c.DuplicateOfId is { } dup ? EventEncoding.Id(dup) : null,
        ["auditors"] = new JsonArray([.. auditors.Order().Select(a => (JsonNode)EventEncoding.Id(a))]),
        // The stored ciphertext's hash: it binds the state to the sealed text without revealing it.
        ["technique"] = c.Technique is { } t ? System.Buffers.Text.Base64Url.EncodeToString(SHA256.HashData(t)) : null,
        ["version"] = c.Version,
    };

    public static JsonObject Involvement(Involvement i, IEnumerable<Guid> releases) => new()
    {
        ["id"] = EventEncoding.Id(i.Id),
        ["case"] = EventEncoding.Id(i.CaseId),
        ["lab"] = EventEncoding.Id(i.LabId),
        ["status"] = Lifecycle.Name(i.Status),
        ["releases"] = new JsonArray([.. releases.Order().Select(r => (JsonNode)EventEncoding.Id(r))]),
        ["acknowledgedAt"] = i.AcknowledgedAt is { } a ? EventEncoding.Time(a) : null,
        ["version"] = i.Version,
    };

    public static string Digest(byte[] salt, JsonObject state)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes(Domain));
        hash.AppendData(salt);
        hash.AppendData(CanonicalJson.Encode(state));
        return System.Buffers.Text.Base64Url.EncodeToString(hash.GetHashAndReset());
    }
}

/// <summary>What a case operation came to; the server maps each to its status code.</summary>
public abstract record CaseResult
{
    public sealed record Done(CaseView Case) : CaseResult;

    /// <summary>Missing, or invisible to the caller: the same answer.</summary>
    public sealed record NotFound(string Kind, Guid Id) : CaseResult;

    public sealed record Forbidden(string Why) : CaseResult;

    public sealed record PreconditionRequired : CaseResult;

    public sealed record Stale(CaseView Current) : CaseResult;

    public sealed record Illegal(string Detail, IReadOnlyList<string> Allowed) : CaseResult;

    public sealed record Invalid(string Field, string? Value, string Expected) : CaseResult;

    public sealed record Conflict(string Field, string Detail) : CaseResult;
}
