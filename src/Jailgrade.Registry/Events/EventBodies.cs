using System.Text.Json.Nodes;

namespace Jailgrade.Registry.Events;

/// <summary>Builds event bodies: who acted, and which fields changed from what to what.</summary>
public static class EventBodies
{
    /// <summary>An actor that is a user of an organization (an API call).</summary>
    public static JsonObject User(Guid userId, Guid organizationId) =>
        new() { ["organization"] = EventEncoding.Id(organizationId), ["user"] = EventEncoding.Id(userId) };

    /// <summary>An actor that is the operator working on the database directly (<c>admin init</c>, <c>users add</c>).</summary>
    public static JsonObject Operator(string verb) => new() { ["operator"] = verb };

    /// <summary>A body recording the fields an object was created with.</summary>
    public static JsonObject Created(JsonObject actor, params (string Field, JsonNode? To)[] fields) => new()
    {
        ["actor"] = actor,
        ["changes"] = new JsonArray([.. fields.Select(f => (JsonNode)new JsonObject { ["field"] = f.Field, ["to"] = f.To })]),
    };
}
