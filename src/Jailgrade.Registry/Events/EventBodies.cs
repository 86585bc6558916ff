using System.Text.Json.Nodes;
using Jailgrade.Registry.Access;

namespace Jailgrade.Registry.Events;

/// <summary>Builds event bodies: who acted, and which fields changed from what to what.</summary>
public static class EventBodies
{
    /// <summary>
    /// An actor that is a user of an organization (an API call). A caller with an OpenID Connect token is
    /// recorded by its identity, the token's <c>issuer</c> and <c>subject</c>, beside the user id derived from them.
    /// </summary>
    public static JsonObject User(Guid userId, Guid organizationId, TokenIdentity? token = null)
    {
        var actor = new JsonObject { ["organization"] = EventEncoding.Id(organizationId), ["user"] = EventEncoding.Id(userId) };
        if (token is not null)
        {
            actor["issuer"] = token.Issuer;
            actor["subject"] = token.Subject;
        }

        return actor;
    }

    /// <summary>The caller of a service operation as an actor.</summary>
    public static JsonObject User(Caller caller) => User(caller.UserId, caller.OrganizationId, caller.Token);

    /// <summary>An actor that is the operator working on the database directly (<c>admin init</c>, <c>users add</c>).</summary>
    public static JsonObject Operator(string verb) => new() { ["operator"] = verb };

    /// <summary>A body recording the fields an object was created with.</summary>
    public static JsonObject Created(JsonObject actor, params (string Field, JsonNode? To)[] fields) => new()
    {
        ["actor"] = actor,
        ["changes"] = new JsonArray([.. fields.Select(f => (JsonNode)new JsonObject { ["field"] = f.Field, ["to"] = f.To })]),
    };
}
