using System.Text.Json.Nodes;
using Jailgrade.Registry;
using Jailgrade.Registry.Events;
using Microsoft.EntityFrameworkCore;

namespace Jailgrade.Server.Internal;

/// <summary>An object's attributed history: its events in order, each with the body's who and what (null once erased).</summary>
internal static class History
{
    public sealed record EntryDto(long Seq, string Type, string Time, JsonNode? Body);

    /// <summary>The events of one object; the caller has already checked that it may see the object.</summary>
    public static async Task<List<EntryDto>> OfAsync(RegistryDbContext db, string kind, Guid id, CancellationToken cancellationToken)
    {
        var events = await (from e in db.EventEnvelopes.AsNoTracking()
                            join b in db.EventBodies.AsNoTracking() on e.Seq equals b.Seq
                            where e.ObjectKind == kind && e.ObjectId == id
                            orderby e.Seq
                            select new { e.Seq, e.Type, e.OccurredAt, b.Canonical }).ToListAsync(cancellationToken);
        return [.. events.Select(e => new EntryDto(e.Seq, e.Type, EventEncoding.Time(e.OccurredAt),
            e.Canonical is null ? null : JsonNode.Parse(e.Canonical)!["body"]?.DeepClone()))];
    }

    /// <summary>A body recording one change of each field, from what to what.</summary>
    public static JsonObject Changed(JsonObject actor, params (string Field, JsonNode? From, JsonNode? To)[] changes) => new()
    {
        ["actor"] = actor,
        ["changes"] = new JsonArray([.. changes.Select(c => (JsonNode)new JsonObject { ["field"] = c.Field, ["from"] = c.From, ["to"] = c.To })]),
    };
}
