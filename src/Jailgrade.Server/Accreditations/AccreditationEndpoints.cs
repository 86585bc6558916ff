using System.Security.Claims;
using System.Text.Json.Nodes;
using Jailgrade.Registry;
using Jailgrade.Registry.Accreditation;
using Jailgrade.Registry.Events;
using Jailgrade.Registry.Organizations;
using Jailgrade.Server.Identity;
using Jailgrade.Server.Internal;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace Jailgrade.Server.Accreditations;

/// <summary>
/// <c>/api/v1/accreditations</c>: a regulator's authority accredits an auditor organization for a scope
/// of hazard tiers and domains and a validity period (docs/registry.md, "Accreditation"). Revocation is
/// an event that stamps the accreditation; nothing is deleted or edited otherwise.
/// </summary>
internal static class AccreditationEndpoints
{
    public sealed record AccreditationDto(Guid Id, Guid Auditor, Guid Authority, IReadOnlyList<string> Scope, string ValidFrom, string ValidUntil, string CreatedAt, string? RevokedAt, string? RevokedReason, long Version);

    public sealed record CreateAccreditationRequest(Guid Auditor, IReadOnlyList<string> Scope, DateTimeOffset ValidFrom, DateTimeOffset ValidUntil);

    public sealed record RevokeRequest(string Reason);

    public static RouteGroupBuilder MapAccreditations(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/accreditations").WithTags("Accreditations");
        group.MapGet("", ListAsync).WithName("ListAccreditations").Produces<PageDto<AccreditationDto>>();
        group.MapPost("", CreateAsync).WithName("GrantAccreditation").Accepts<CreateAccreditationRequest>("application/json");
        group.MapGet("/{id:guid}", GetAsync).WithName("GetAccreditation");
        group.MapPost("/{id:guid}/revoke", RevokeAsync).WithName("RevokeAccreditation").Accepts<RevokeRequest>("application/json");
        group.MapGet("/{id:guid}/history", HistoryAsync).WithName("AccreditationHistory").Produces<PageDto<History.EntryDto>>();
        return group;
    }

    /// <summary>
    /// The accreditations a caller may see, in SQL: an administrator all, a regulator those its authority
    /// granted, an auditor those of its own organization, anyone else none.
    /// </summary>
    internal static IQueryable<AuditorAccreditation> VisibleTo(this IQueryable<AuditorAccreditation> accreditations, ClaimsPrincipal caller)
    {
        var own = caller.OrganizationId();
        return caller.Role() switch
        {
            Role.Admin => accreditations,
            Role.Regulator => accreditations.Where(a => a.AuthorityId == own),
            Role.Auditor => accreditations.Where(a => a.AuditorId == own),
            _ => accreditations.Where(a => false),
        };
    }

    private static async Task<IResult> ListAsync(HttpRequest request, ClaimsPrincipal caller, RegistryDbContext db, Cursors cursors, TimeProvider time, CancellationToken cancellationToken)
    {
        var list = ListQuery.Read(request, cursors, "GET /api/v1/accreditations", "auditor", "active", "changed_since");
        var (auditor, active, since) = (list.Id("auditor"), list.Flag("active"), list.Time("changed_since"));
        var after = list.After();
        if (list.Problem is { } bad)
        {
            return bad;
        }

        var visible = db.Accreditations.AsNoTracking().VisibleTo(caller);
        if (auditor is { } only)
        {
            visible = visible.Where(a => a.AuditorId == only);
        }

        if (active is { } wanted)
        {
            // In force now: within its validity and not revoked.
            var now = EventEncoding.Truncate(time.GetUtcNow());
            visible = wanted
                ? visible.Where(a => a.RevokedAt == null && a.ValidFrom <= now && now < a.ValidUntil)
                : visible.Where(a => a.RevokedAt != null || a.ValidFrom > now || now >= a.ValidUntil);
        }

        if (since is { } t)
        {
            var changed = History.ChangedSince(db, "accreditation", t);
            visible = visible.Where(a => changed.Contains(a.Id));
        }

        var (page, next) = await list.PageAsync(visible, a => a.CreatedAt, a => a.Id, after, cancellationToken);
        var ids = page.Select(a => a.Id).ToList();
        var scopes = (await db.AccreditationScopes.AsNoTracking().Where(s => ids.Contains(s.AccreditationId)).ToListAsync(cancellationToken))
            .ToLookup(s => s.AccreditationId, s => s.Item);
        return TypedResults.Ok(new PageDto<AccreditationDto>([.. page.Select(a => Dto(a, scopes[a.Id]))], next));
    }

    private static async Task<IResult> GetAsync(Guid id, ClaimsPrincipal caller, RegistryDbContext db, HttpResponse response, CancellationToken cancellationToken)
    {
        var accreditation = await db.Accreditations.AsNoTracking().VisibleTo(caller).SingleOrDefaultAsync(a => a.Id == id, cancellationToken);
        if (accreditation is null)
        {
            return Problems.NotFound("accreditation", id);
        }

        response.Headers.ETag = ETags.Of(accreditation.Version);
        return TypedResults.Ok(Dto(accreditation, await ScopeOfAsync(db, id, cancellationToken)));
    }

    private static async Task<IResult> CreateAsync(HttpRequest request, ClaimsPrincipal caller, RegistryDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        if (caller.Role() != Role.Regulator)
        {
            return Problems.Forbidden("only a regulator accredits auditors, for its own authority");
        }

        var (body, invalid) = await StrictJson.ReadAsync<CreateAccreditationRequest>(request, cancellationToken);
        if (invalid is not null)
        {
            return invalid;
        }

        var auditor = body!.Auditor;
        if (!await db.Organizations.AnyAsync(o => o.Id == auditor && o.Kind == OrganizationKind.Auditor, cancellationToken))
        {
            return Problems.Invalid("auditor", auditor.ToString("D"), "the id of an organization of kind auditor");
        }

        if ((ValidScope(body.Scope) ?? ValidTime("validFrom", body.ValidFrom) ?? ValidTime("validUntil", body.ValidUntil)) is { } bad)
        {
            return bad;
        }

        if (body.ValidUntil <= body.ValidFrom)
        {
            return Problems.Invalid("validUntil", EventEncoding.Time(body.ValidUntil), $"a time after validFrom ({EventEncoding.Time(body.ValidFrom)})");
        }

        var scope = ScopeItems.All.Where(body.Scope.Contains).ToList();
        var created = await EventLog.WriteAsync(db, time, write =>
        {
            var accreditation = new AuditorAccreditation
            {
                Id = Guid.NewGuid(), AuditorId = body.Auditor, AuthorityId = caller.OrganizationId(),
                ValidFrom = body.ValidFrom.ToUniversalTime(), ValidUntil = body.ValidUntil.ToUniversalTime(), CreatedAt = write.Now, Version = 1,
            };
            write.Db.Accreditations.Add(accreditation);
            write.Db.AccreditationScopes.AddRange(scope.Select(item => new AccreditationScope { AccreditationId = accreditation.Id, Item = item }));
            write.Append("accreditation.granted", "accreditation", accreditation.Id, EventBodies.Created(Actor(caller),
                ("auditor", EventEncoding.Id(accreditation.AuditorId)), ("authority", EventEncoding.Id(accreditation.AuthorityId)),
                ("scope", new JsonArray([.. scope.Select(s => (JsonNode)JsonValue.Create(s))])),
                ("validFrom", EventEncoding.Time(accreditation.ValidFrom)), ("validUntil", EventEncoding.Time(accreditation.ValidUntil))));
            return Task.FromResult(accreditation);
        }, cancellationToken);

        request.HttpContext.Response.Headers.ETag = ETags.Of(created.Version);
        return TypedResults.Created($"/api/v1/accreditations/{created.Id:D}", Dto(created, scope));
    }

    private static async Task<IResult> RevokeAsync(Guid id, HttpRequest request, ClaimsPrincipal caller, RegistryDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var accreditation = await db.Accreditations.AsNoTracking().VisibleTo(caller).SingleOrDefaultAsync(a => a.Id == id, cancellationToken);
        if (accreditation is null)
        {
            return Problems.NotFound("accreditation", id);
        }

        if (caller.Role() != Role.Regulator || accreditation.AuthorityId != caller.OrganizationId())
        {
            return Problems.Forbidden("only a regulator of the authority that granted it revokes an accreditation");
        }

        if (ETags.RequireIfMatch(request, out var expected) is { } required)
        {
            return required;
        }

        var (body, invalid) = await StrictJson.ReadAsync<RevokeRequest>(request, cancellationToken);
        if (invalid is not null)
        {
            return invalid;
        }

        if (string.IsNullOrWhiteSpace(body!.Reason) || body.Reason.Length > 500 || body.Reason.Any(char.IsControl))
        {
            return Problems.Invalid("reason", body.Reason, "1 to 500 characters, no control characters");
        }

        var outcome = await EventLog.WriteAsync(db, time, async write =>
        {
            var current = await write.Db.Accreditations.SingleAsync(a => a.Id == id, cancellationToken);
            if (ETags.IsStale(current.Version, expected))
            {
                return (Accreditation: current, Stale: true, Revoked: false);
            }

            if (current.RevokedAt is not null)
            {
                return (Accreditation: current, Stale: false, Revoked: true);
            }

            current.RevokedAt = write.Now;
            current.RevokedReason = body.Reason;
            current.Version++;
            write.Append("accreditation.revoked", "accreditation", current.Id,
                History.Changed(Actor(caller), ("revokedAt", null, EventEncoding.Time(write.Now)), ("revokedReason", null, body.Reason)));
            return (Accreditation: current, Stale: false, Revoked: false);
        }, cancellationToken);

        if (outcome.Stale)
        {
            return ETags.Stale(request.HttpContext.Response, "accreditation", outcome.Accreditation.Version);
        }

        request.HttpContext.Response.Headers.ETag = ETags.Of(outcome.Accreditation.Version);

        if (outcome.Revoked)
        {
            return Problems.Conflict("revokedAt", $"the accreditation was revoked at {EventEncoding.Time(outcome.Accreditation.RevokedAt!.Value)}");
        }

        return TypedResults.Ok(Dto(outcome.Accreditation, await ScopeOfAsync(db, id, cancellationToken)));
    }

    private static Task<IResult> HistoryAsync(Guid id, HttpRequest request, ClaimsPrincipal caller, RegistryDbContext db, Cursors cursors, CancellationToken cancellationToken) =>
        History.PageAsync(request, cursors, db, $"GET /api/v1/accreditations/{id:D}/history", "accreditation", id,
            () => db.Accreditations.AsNoTracking().VisibleTo(caller).AnyAsync(a => a.Id == id, cancellationToken), cancellationToken);

    private static async Task<List<string>> ScopeOfAsync(RegistryDbContext db, Guid id, CancellationToken cancellationToken) =>
        await db.AccreditationScopes.AsNoTracking().Where(s => s.AccreditationId == id).Select(s => s.Item).ToListAsync(cancellationToken);

    private static IResult? ValidScope(IReadOnlyList<string> scope)
    {
        var expected = $"hazard tiers or domains of the standard: {string.Join(", ", ScopeItems.All)}";
        if (scope.Count == 0)
        {
            return Problems.Invalid("scope", "[]", "at least one of the " + expected);
        }

        for (var i = 0; i < scope.Count; i++)
        {
            if (!ScopeItems.IsKnown(scope[i] ?? ""))
            {
                return Problems.Invalid($"scope[{i}]", scope[i], expected);
            }

            if (scope.Take(i).Contains(scope[i], StringComparer.Ordinal))
            {
                return Problems.Invalid($"scope[{i}]", scope[i], "each item once");
            }
        }

        return null;
    }

    // Times are UTC at millisecond precision, as everywhere in the registry: anything else is refused, not rounded.
    private static IResult? ValidTime(string field, DateTimeOffset value) =>
        value.Offset != TimeSpan.Zero || EventEncoding.Truncate(value) != value
            ? Problems.Invalid(field, value.ToString("O", System.Globalization.CultureInfo.InvariantCulture), "a UTC time at millisecond precision, e.g. 2026-01-01T00:00:00.000Z")
            : null;

    private static JsonObject Actor(ClaimsPrincipal caller) => caller.Actor();

    private static AccreditationDto Dto(AuditorAccreditation a, IEnumerable<string> scope) =>
        new(a.Id, a.AuditorId, a.AuthorityId, [.. ScopeItems.All.Where(scope.Contains)], EventEncoding.Time(a.ValidFrom), EventEncoding.Time(a.ValidUntil),
            EventEncoding.Time(a.CreatedAt), a.RevokedAt is { } revoked ? EventEncoding.Time(revoked) : null, a.RevokedReason, a.Version);
}
