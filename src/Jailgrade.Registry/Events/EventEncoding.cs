using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Jailgrade.Registry.Events;

/// <summary>
/// The canonical form of an event and its salted commitment (docs/registry.md, "The canonical event
/// encoding"). The envelope stores the commitment; the body stores the salt and the canonical bytes.
/// </summary>
public static class EventEncoding
{
    /// <summary>The version of this encoding, the <c>v</c> member of every event.</summary>
    public const int Version = 1;

    /// <summary>The domain separator hashed before the salt.</summary>
    public const string CommitmentDomain = "jailgrade/event/v1";

    /// <summary>Bytes of salt per event.</summary>
    public const int SaltBytes = 32;

    /// <summary>A time as events write it: UTC, milliseconds, always three decimals.</summary>
    public static string Time(DateTimeOffset time) =>
        Truncate(time).UtcDateTime.ToString("yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>A time cut to the millisecond precision events keep.</summary>
    public static DateTimeOffset Truncate(DateTimeOffset time) => DateTimeOffset.FromUnixTimeMilliseconds(time.ToUnixTimeMilliseconds());

    /// <summary>An id as events write it: lower-case UUID.</summary>
    public static string Id(Guid id) => id.ToString("D");

    /// <summary>The canonical event for an envelope and its body.</summary>
    public static string Canonical(EventEnvelope envelope, JsonObject body)
    {
        var root = new JsonObject
        {
            ["body"] = body.DeepClone(),
            ["object"] = new JsonObject { ["id"] = Id(envelope.ObjectId), ["kind"] = envelope.ObjectKind },
            ["seq"] = envelope.Seq,
            ["time"] = Time(envelope.OccurredAt),
            ["type"] = envelope.Type,
            ["v"] = Version,
        };
        if (envelope.CaseId is { } caseId)
        {
            root["case"] = Id(caseId);
        }

        if (envelope.InvolvementId is { } involvementId)
        {
            root["involvement"] = Id(involvementId);
        }

        return CanonicalJson.EncodeToString(root);
    }

    /// <summary>SHA-256("jailgrade/event/v1" ‖ salt ‖ canonical event).</summary>
    public static byte[] Commitment(ReadOnlySpan<byte> salt, string canonical)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes(CommitmentDomain));
        hash.AppendData(salt);
        hash.AppendData(Encoding.UTF8.GetBytes(canonical));
        return hash.GetHashAndReset();
    }

    /// <summary>Whether a stored body still matches its envelope's commitment (false once erased).</summary>
    public static bool Verify(EventEnvelope envelope, EventBody body) =>
        body.Salt is { } salt && body.Canonical is { } canonical
        && CryptographicOperations.FixedTimeEquals(Commitment(salt, canonical), envelope.Commitment);
}
