using System.Text.Json.Nodes;
using Jailgrade.Registry.Events;

namespace Jailgrade.Registry.Tests.Events;

public class EventEncodingTests
{
    private static readonly EventEnvelope Envelope = new()
    {
        Seq = 7,
        Type = "user.created",
        ObjectKind = "user",
        ObjectId = Guid.Parse("00000000-0000-4000-8000-000000000001"),
        OccurredAt = new DateTimeOffset(2026, 12, 2, 1, 22, 5, TimeSpan.Zero).AddTicks(1_234_567),
        Commitment = [],
    };

    private static JsonObject Body() => new()
    {
        ["changes"] = new JsonArray(new JsonObject { ["to"] = "alice", ["field"] = "name" }),
        ["actor"] = new JsonObject { ["operator"] = "admin init" },
    };

    // Written by hand from docs/registry.md, "The canonical event encoding".
    private const string Expected =
        """{"body":{"actor":{"operator":"admin init"},"changes":[{"field":"name","to":"alice"}]},"object":{"id":"00000000-0000-4000-8000-000000000001","kind":"user"},"seq":7,"time":"2026-12-02T01:22:05.123Z","type":"user.created","v":1}""";

    [Fact]
    public void Canonical_Event_EqualsTheHandWrittenForm()
    {
        EventEncoding.Canonical(Envelope, Body()).ShouldBe(Expected);
    }

    [Fact]
    public void Canonical_EventOfACase_NamesItsCaseAndInvolvement()
    {
        var envelope = new EventEnvelope
        {
            Seq = 1, Type = "case.acknowledged", ObjectKind = "involvement", ObjectId = Guid.Parse("00000000-0000-4000-8000-000000000003"),
            CaseId = Guid.Parse("00000000-0000-4000-8000-000000000002"), InvolvementId = Guid.Parse("00000000-0000-4000-8000-000000000003"),
            OccurredAt = DateTimeOffset.UnixEpoch, Commitment = [],
        };
        EventEncoding.Canonical(envelope, new JsonObject()).ShouldBe(
            """{"body":{},"case":"00000000-0000-4000-8000-000000000002","involvement":"00000000-0000-4000-8000-000000000003","object":{"id":"00000000-0000-4000-8000-000000000003","kind":"involvement"},"seq":1,"time":"1970-01-01T00:00:00.000Z","type":"case.acknowledged","v":1}""");
    }

    [Fact]
    public void Commitment_IsSha256OfDomainSaltAndEvent()
    {
        // The digest was computed outside .NET: printf 'jailgrade/event/v1' + 32 bytes 0x01 + Expected | sha256sum.
        var salt = Enumerable.Repeat((byte)1, 32).ToArray();
        Convert.ToHexStringLower(EventEncoding.Commitment(salt, Expected))
            .ShouldBe("29861ddca72fbaf1a159e7caaabd809d6c620bd8c75c0e3fc2d37380c2ea8dd8");
    }

    [Fact]
    public void Time_KeepsMillisecondsAndTruncatesTheRest()
    {
        EventEncoding.Time(new DateTimeOffset(2026, 12, 31, 23, 59, 59, TimeSpan.Zero).AddTicks(9_999_999)).ShouldBe("2026-12-31T23:59:59.999Z");
        EventEncoding.Time(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.FromHours(2))).ShouldBe("2026-01-02T01:04:05.000Z");
    }

    [Fact]
    public void Verify_BodyChangedOrErased_NoLongerMatchesTheEnvelope()
    {
        var salt = Enumerable.Repeat((byte)1, 32).ToArray();
        var envelope = new EventEnvelope { Seq = 7, Type = "t", ObjectKind = "k", Commitment = EventEncoding.Commitment(salt, Expected) };
        EventEncoding.Verify(envelope, new EventBody { Seq = 7, Salt = salt, Canonical = Expected }).ShouldBeTrue();
        EventEncoding.Verify(envelope, new EventBody { Seq = 7, Salt = salt, Canonical = Expected.Replace("alice", "mallory", StringComparison.Ordinal) }).ShouldBeFalse();
        EventEncoding.Verify(envelope, new EventBody { Seq = 7, Salt = new byte[32], Canonical = Expected }).ShouldBeFalse();
        EventEncoding.Verify(envelope, new EventBody { Seq = 7 }).ShouldBeFalse();
    }
}
