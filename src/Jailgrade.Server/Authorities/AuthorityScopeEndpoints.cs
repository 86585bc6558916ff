using System.Security.Claims;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Jailgrade.Policy.Eligibility;
using Jailgrade.Registry;
using Jailgrade.Registry.Access;
using Jailgrade.Registry.Events;
using Jailgrade.Registry.Internal;
using Jailgrade.Registry.Organizations;
using Jailgrade.Server.Identity;
using Jailgrade.Server.Internal;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace Jailgrade.Server.Authorities;

/// <summary>
/// <c>/api/v1/authorities/{orgId}/scope</c>: the labs and jurisdictions whose cases, models and releases
/// the authority's regulators see (docs/registry.md, "Regulator scope"). An administrator and the
/// authority's own regulators read it; only an administrator sets it, since a regulator that set its own
/// scope could widen its own view; to anyone else it is a 404. The ETag is the scope's own version, the
/// number of changes it has had, never an event's sequence number (that would tell a regulator how many
/// events the whole registry holds).
/// </summary>
internal static class AuthorityScopeEndpoints
{
    /// <summary>The most rows a scope holds.</summary>
    public const int MaxRows = 200;

    private const string ScopeChanged = "authority.scope_changed";

    /// <summary>One row: <c>{"kind":"all"}</c>, <c>{"kind":"organization","organization":"…"}</c> or <c>{"kind":"jurisdiction","jurisdiction":"GB"}</c>.</summary>
    public sealed record ScopeItem(
        string Kind,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Guid? Organization = null,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Jurisdiction = null);

    public sealed record ScopeDto(Guid Authority, IReadOnlyList<ScopeItem> Scope);

    public sealed record SetScopeRequest(IReadOnlyList<ScopeItem> Scope);

    private static readonly string[] Kinds = [.. Enum.GetValues<ScopeKind>().Select(LowerCaseEnumNames<ScopeKind>.Name)];

    public static RouteGroupBuilder MapAuthorityScope(this RouteGroupBuilder authorities)
    {
        authorities.MapGet("/{id:guid}/scope", GetAsync).WithName("GetAuthorityScope").Produces<ScopeDto>().ProducesProblem(StatusCodes.Status404NotFound);
        authorities.MapPut("/{id:guid}/scope", SetAsync).WithName("SetAuthorityScope").Accepts<SetScopeRequest>("application/json").Produces<ScopeDto>()
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status412PreconditionFailed)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity).ProducesProblem(StatusCodes.Status428PreconditionRequired);
        return authorities;
    }

    private static async Task<IResult> GetAsync(Guid id, ClaimsPrincipal caller, RegistryDbContext db, HttpResponse response, CancellationToken cancellationToken)
    {
        if (!await db.VisibleAuthorities(caller).AnyAsync(o => o.Id == id, cancellationToken))
        {
            return Problems.NotFound("authority", id);
        }

        var rows = await db.AuthorityScopes.AsNoTracking().Where(s => s.AuthorityId == id).ToListAsync(cancellationToken);
        response.Headers.ETag = ETags.Of(await VersionAsync(db, id, cancellationToken));
        return TypedResults.Ok(new ScopeDto(id, Canonical(rows)));
    }

    private static async Task<IResult> SetAsync(Guid id, HttpRequest request, ClaimsPrincipal caller, RegistryDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!await db.VisibleAuthorities(caller).AnyAsync(o => o.Id == id, cancellationToken))
        {
            return Problems.NotFound("authority", id);
        }

        if (caller.Role() != Role.Admin)
        {
            return Problems.Forbidden("only an administrator sets an authority's scope: a regulator cannot widen its own view");
        }

        if (ETags.RequireIfMatch(request, out var expected) is { } required)
        {
            return required;
        }

        var (body, invalid) = await StrictJson.ReadAsync<SetScopeRequest>(request, cancellationToken);
        if (invalid is not null)
        {
            return invalid;
        }

        var (rows, bad) = await ValidAsync(db, body!.Scope, cancellationToken);
        if (bad is not null)
        {
            return bad;
        }

        var outcome = await EventLog.WriteAsync(db, time, async write =>
        {
            var version = await VersionAsync(write.Db, id, cancellationToken);
            if (ETags.IsStale(version, expected))
            {
                return (Version: version, Stale: true);
            }

            var before = await write.Db.AuthorityScopes.Where(s => s.AuthorityId == id).ToListAsync(cancellationToken);
            var (from, to) = (Json(Canonical(before)), Json(Canonical(rows)));
            if (JsonNode.DeepEquals(from, to))
            {
                // The same scope again (scope all with no row, or the same rows in another order) is no change and no event.
                return (Version: version, Stale: false);
            }

            write.Db.AuthorityScopes.RemoveRange(before.Where(b => !rows.Contains((b.Kind, b.Value))));
            write.Db.AuthorityScopes.AddRange(rows.Where(r => !before.Any(b => (b.Kind, b.Value) == r)).Select(r => new AuthorityScope { AuthorityId = id, Kind = r.Kind, Value = r.Value }));
            write.Append(ScopeChanged, "authority", id, History.Changed(caller.Actor(), ("scope", from, to)));
            return (Version: version + 1, Stale: false);
        }, cancellationToken);

        if (outcome.Stale)
        {
            return ETags.Stale(request.HttpContext.Response, "authority's scope", outcome.Version);
        }

        request.HttpContext.Response.Headers.ETag = ETags.Of(outcome.Version);
        return TypedResults.Ok(new ScopeDto(id, Canonical(rows)));
    }

    /// <summary>The scope's version: how many times it has changed (0 while it never has), counted from its own events.</summary>
    private static Task<int> VersionAsync(RegistryDbContext db, Guid id, CancellationToken cancellationToken) =>
        db.EventEnvelopes.CountAsync(e => e.ObjectKind == "authority" && e.ObjectId == id && e.Type == ScopeChanged, cancellationToken);

    /// <summary>The rows a request names, or the 422 naming the first field that is wrong and what it should be.</summary>
    private static async Task<(List<(ScopeKind Kind, string Value)> Rows, IResult? Problem)> ValidAsync(RegistryDbContext db, IReadOnlyList<ScopeItem> scope, CancellationToken cancellationToken)
    {
        if (scope.Count == 0)
        {
            return ([], Problems.Invalid("scope", "[]", """one or more rows; scope all is said explicitly: [{"kind":"all"}]"""));
        }

        if (scope.Count > MaxRows)
        {
            return ([], Problems.Invalid("scope", $"{scope.Count} rows", $"at most {MaxRows} rows"));
        }

        var named = scope.Where(s => s.Organization is not null).Select(s => s.Organization!.Value).Distinct().ToList();
        var labs = await db.Organizations.AsNoTracking().Where(o => named.Contains(o.Id) && o.Kind == OrganizationKind.Lab).Select(o => o.Id).ToListAsync(cancellationToken);
        var rows = new List<(ScopeKind Kind, string Value)>();
        for (var i = 0; i < scope.Count; i++)
        {
            var (row, problem) = Row(scope[i], $"scope[{i}]", labs);
            if (problem is not null)
            {
                return ([], problem);
            }

            if (row.Kind == ScopeKind.All && scope.Count > 1)
            {
                return ([], Problems.Invalid($"scope[{i}].kind", "all", "scope all alone: it cannot be combined with other rows"));
            }

            if (rows.Contains(row))
            {
                return ([], Problems.Invalid($"scope[{i}]", $"{scope[i].Kind} {row.Value}", "each row once"));
            }

            rows.Add(row);
        }

        return (rows, null);
    }

    private static ((ScopeKind Kind, string Value) Row, IResult? Problem) Row(ScopeItem item, string field, List<Guid> labs)
    {
        if (!LowerCaseEnumNames<ScopeKind>.TryParse(item.Kind, out var kind))
        {
            return (default, Problems.Invalid($"{field}.kind", item.Kind, $"one of {string.Join(", ", Kinds)}"));
        }

        // Each kind takes its own value and no other.
        if (kind != ScopeKind.Organization && item.Organization is { } organization)
        {
            return (default, Problems.Invalid($"{field}.organization", organization.ToString("D"), $"no organization in a row of kind {item.Kind}"));
        }

        if (kind != ScopeKind.Jurisdiction && item.Jurisdiction is { } jurisdiction)
        {
            return (default, Problems.Invalid($"{field}.jurisdiction", jurisdiction, $"no jurisdiction in a row of kind {item.Kind}"));
        }

        return kind switch
        {
            ScopeKind.Organization => item.Organization is { } lab && labs.Contains(lab)
                ? ((kind, lab.ToString("D")), null)
                : (default, Problems.Invalid($"{field}.organization", item.Organization?.ToString("D"), "the id of an organization of kind lab")),
            ScopeKind.Jurisdiction => Countries.TryCheck(item.Jurisdiction ?? "", out var error)
                ? ((kind, item.Jurisdiction!), null)
                : (default, Problems.Invalid($"{field}.jurisdiction", item.Jurisdiction, $"an ISO 3166-1 alpha-2 code ({error})")),
            _ => ((kind, ""), null),
        };
    }

    /// <summary>The scope as served and recorded: all when there is no row; otherwise its rows, by kind then value.</summary>
    private static List<ScopeItem> Canonical(List<AuthorityScope> rows) => rows.Count == 0
        ? [new ScopeItem("all")]
        : [.. rows.OrderBy(r => r.Kind).ThenBy(r => r.Value, StringComparer.Ordinal).Select(r => r.Kind switch
        {
            ScopeKind.Organization => new ScopeItem("organization", Organization: Guid.Parse(r.Value)),
            ScopeKind.Jurisdiction => new ScopeItem("jurisdiction", Jurisdiction: r.Value),
            _ => new ScopeItem("all"),
        })];

    private static List<ScopeItem> Canonical(List<(ScopeKind Kind, string Value)> rows) =>
        Canonical([.. rows.Select(r => new AuthorityScope { Kind = r.Kind, Value = r.Value })]);

    private static JsonArray Json(List<ScopeItem> scope) => new([.. scope.Select(s =>
    {
        var item = new JsonObject { ["kind"] = s.Kind };
        if (s.Organization is { } organization)
        {
            item["organization"] = EventEncoding.Id(organization);
        }

        if (s.Jurisdiction is { } jurisdiction)
        {
            item["jurisdiction"] = jurisdiction;
        }

        return (JsonNode)item;
    })]);
}
