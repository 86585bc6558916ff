using System.Text.Json.Nodes;
using Jailgrade.Registry;
using Jailgrade.Registry.Events;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;

namespace Jailgrade.Server.Internal;

/// <summary>An object's attributed history: its events in order, each with the body's who and what (null once erased), paged like every list.</summary>
internal static class History
{
    public sealed record EntryDto(long Seq, string Type, string Time, JsonNode? Body);

    /// <summary>
    /// <c>GET …/{id}/history</c> of one object of <paramref name="kind"/>: a page of its events after the
    /// cursor's sequence number, optionally only those at or after <c>changed_since</c>; 404 unless the
    /// caller may see the object (<paramref name="visible"/>, asked only once the query is sound).
    /// </summary>
    public static async Task<IResult> PageAsync(HttpRequest request, Cursors cursors, RegistryDbContext db, string route, string kind, Guid id,
        Func<Task<bool>> visible, CancellationToken cancellationToken)
    {
        var list = ListQuery.Read(request, cursors, route, "changed_since");
        var since = list.Time("changed_since");
        var after = list.AfterSeq();
        if (list.Problem is { } bad)
        {
            return bad;
        }

        if (!await visible())
        {
            return Problems.NotFound(kind, id);
        }

        var envelopes = db.EventEnvelopes.AsNoTracking().Where(e => e.ObjectKind == kind && e.ObjectId == id && e.Seq > after);
        if (since is { } t)
        {
            envelopes = envelopes.Where(e => e.OccurredAt >= t);
        }

        var events = await (from e in envelopes
                            join b in db.EventBodies.AsNoTracking() on e.Seq equals b.Seq
                            orderby e.Seq
                            select new { e.Seq, e.Type, e.OccurredAt, b.Canonical }).Take(list.Limit + 1).ToListAsync(cancellationToken);
        var more = events.Count > list.Limit;
        var page = more ? events[..list.Limit] : events;
        return TypedResults.Ok(new PageDto<EntryDto>([.. page.Select(e => new EntryDto(e.Seq, e.Type, EventEncoding.Time(e.OccurredAt),
            e.Canonical is null ? null : JsonNode.Parse(e.Canonical)!["body"]?.DeepClone()))], more ? list.Next(page[^1].Seq) : null));
    }

    /// <summary>The ids of the objects of <paramref name="kind"/> with an event at or after <paramref name="since"/>: the <c>changed_since</c> filter, in SQL.</summary>
    public static IQueryable<Guid> ChangedSince(RegistryDbContext db, string kind, DateTimeOffset since) =>
        db.EventEnvelopes.Where(e => e.ObjectKind == kind && e.OccurredAt >= since).Select(e => e.ObjectId);

    /// <summary>A body recording one change of each field, from what to what.</summary>
    public static JsonObject Changed(JsonObject actor, params (string Field, JsonNode? From, JsonNode? To)[] changes) => new()
    {
        ["actor"] = actor,
        ["changes"] = new JsonArray([.. changes.Select(c => (JsonNode)new JsonObject { ["field"] = c.Field, ["from"] = c.From, ["to"] = c.To })]),
    };
}
