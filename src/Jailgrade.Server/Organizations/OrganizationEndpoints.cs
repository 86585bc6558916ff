using System.Security.Claims;
using Jailgrade.Registry;
using Jailgrade.Registry.Events;
using Jailgrade.Registry.Internal;
using Jailgrade.Registry.Organizations;
using Jailgrade.Server.Identity;
using Jailgrade.Server.Internal;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace Jailgrade.Server.Organizations;

/// <summary>
/// <c>/api/v1/orgs</c>: organizations. An administrator sees and changes every organization; anyone
/// else sees only their own (another organization is a 404, exactly as a missing one). Changes need
/// <c>If-Match</c> with the current ETag; each is an event, listed by <c>GET /orgs/{id}/history</c>.
/// </summary>
internal static class OrganizationEndpoints
{
    public sealed record OrganizationDto(Guid Id, string Name, string Kind, long Version);

    public sealed record CreateOrganizationRequest(string Name, string Kind);

    public sealed record RenameOrganizationRequest(string Name);

    public static RouteGroupBuilder MapOrganizations(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/orgs").WithTags("Organizations");
        group.MapGet("", ListAsync).WithName("ListOrganizations").Produces<PageDto<OrganizationDto>>();
        group.MapGet("/{id:guid}", GetAsync).WithName("GetOrganization")
            .Produces<OrganizationDto>().ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("", CreateAsync).WithName("CreateOrganization").Accepts<CreateOrganizationRequest>("application/json")
            .Produces<OrganizationDto>(StatusCodes.Status201Created).ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapPatch("/{id:guid}", RenameAsync).WithName("RenameOrganization").Accepts<RenameOrganizationRequest>("application/json")
            .Produces<OrganizationDto>().ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status412PreconditionFailed)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity).ProducesProblem(StatusCodes.Status428PreconditionRequired);
        group.MapGet("/{id:guid}/history", HistoryAsync).WithName("OrganizationHistory")
            .Produces<PageDto<History.EntryDto>>().ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    /// <summary>The organizations a caller may see: the authorization predicate, applied in SQL.</summary>
    internal static IQueryable<Organization> VisibleTo(this IQueryable<Organization> organizations, ClaimsPrincipal caller)
    {
        if (caller.Role() == Role.Admin)
        {
            return organizations;
        }

        var own = caller.OrganizationId();
        return organizations.Where(o => o.Id == own);
    }

    private static async Task<IResult> ListAsync(HttpRequest request, ClaimsPrincipal caller, RegistryDbContext db, Cursors cursors, CancellationToken cancellationToken)
    {
        var list = ListQuery.Read(request, cursors, "GET /api/v1/orgs", "kind", "changed_since");
        var kind = list.OneOf("kind", LowerCaseEnumNames<OrganizationKind>.All);
        var since = list.Time("changed_since");
        var after = list.After();
        if (list.Problem is { } bad)
        {
            return bad;
        }

        var organizations = db.Organizations.AsNoTracking().VisibleTo(caller);
        if (kind is not null)
        {
            var only = LowerCaseEnumNames<OrganizationKind>.Parse(kind);
            organizations = organizations.Where(o => o.Kind == only);
        }

        if (since is { } t)
        {
            var changed = History.ChangedSince(db, "organization", t);
            organizations = organizations.Where(o => changed.Contains(o.Id));
        }

        var (page, next) = await list.PageAsync(organizations, o => o.CreatedAt, o => o.Id, after, cancellationToken);
        return TypedResults.Ok(new PageDto<OrganizationDto>([.. page.Select(Dto)], next));
    }

    private static async Task<IResult> GetAsync(Guid id, ClaimsPrincipal caller, RegistryDbContext db, HttpResponse response, CancellationToken cancellationToken)
    {
        var org = await db.Organizations.AsNoTracking().VisibleTo(caller).SingleOrDefaultAsync(o => o.Id == id, cancellationToken);
        if (org is null)
        {
            return Problems.NotFound("organization", id);
        }

        response.Headers.ETag = ETags.Of(org.Version);
        return TypedResults.Ok(Dto(org));
    }

    private static async Task<IResult> CreateAsync(HttpRequest request, ClaimsPrincipal caller, RegistryDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        if (caller.Role() != Role.Admin)
        {
            return Problems.Forbidden("only an administrator creates organizations");
        }

        var (body, invalid) = await StrictJson.ReadAsync<CreateOrganizationRequest>(request, cancellationToken);
        if (invalid is not null)
        {
            return invalid;
        }

        if (Validate(body!.Name) is { } badName)
        {
            return badName;
        }

        if (!LowerCaseEnumNames<OrganizationKind>.TryParse(body.Kind ?? "", out var kind))
        {
            return Problems.Invalid("kind", body.Kind, $"one of {string.Join(", ", LowerCaseEnumNames<OrganizationKind>.All)}");
        }

        var created = await EventLog.WriteAsync(db, time, async write =>
        {
            if (await write.Db.Organizations.AnyAsync(o => o.Name == body.Name, cancellationToken))
            {
                return null;
            }

            var org = new Organization { Id = Guid.NewGuid(), Name = body.Name, Kind = kind, CreatedAt = write.Now, Version = 1 };
            write.Db.Organizations.Add(org);
            write.Append("organization.created", "organization", org.Id, EventBodies.Created(
                caller.Actor(), ("name", org.Name), ("kind", LowerCaseEnumNames<OrganizationKind>.Name(kind))));
            return org;
        }, cancellationToken);
        if (created is null)
        {
            return Problems.Conflict("name", $"an organization named '{body.Name}' exists");
        }

        request.HttpContext.Response.Headers.ETag = ETags.Of(created.Version);
        return TypedResults.Created($"/api/v1/orgs/{created.Id:D}", Dto(created));
    }

    private static async Task<IResult> RenameAsync(Guid id, HttpRequest request, ClaimsPrincipal caller, RegistryDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var visible = await db.Organizations.AsNoTracking().VisibleTo(caller).AnyAsync(o => o.Id == id, cancellationToken);
        if (!visible)
        {
            return Problems.NotFound("organization", id);
        }

        if (caller.Role() != Role.Admin)
        {
            return Problems.Forbidden("only an administrator renames organizations");
        }

        if (ETags.RequireIfMatch(request, out var expected) is { } required)
        {
            return required;
        }

        var (body, invalid) = await StrictJson.ReadAsync<RenameOrganizationRequest>(request, cancellationToken);
        if (invalid is not null)
        {
            return invalid;
        }

        if (Validate(body!.Name) is { } badName)
        {
            return badName;
        }

        // Inside the write lock: the version read here is the one the update replaces.
        var outcome = await EventLog.WriteAsync(db, time, async write =>
        {
            var org = await write.Db.Organizations.SingleAsync(o => o.Id == id, cancellationToken);
            if (ETags.IsStale(org.Version, expected))
            {
                return (Org: org, Stale: true, Taken: false);
            }

            if (org.Name != body.Name && await write.Db.Organizations.AnyAsync(o => o.Name == body.Name, cancellationToken))
            {
                return (Org: org, Stale: false, Taken: true);
            }

            var before = org.Name;
            org.Name = body.Name;
            org.Version++;
            write.Append("organization.renamed", "organization", org.Id,
                History.Changed(caller.Actor(), ("name", before, org.Name)));
            return (Org: org, Stale: false, Taken: false);
        }, cancellationToken);

        if (outcome.Stale)
        {
            return ETags.Stale(request.HttpContext.Response, "organization", outcome.Org.Version);
        }

        if (outcome.Taken)
        {
            return Problems.Conflict("name", $"an organization named '{body.Name}' exists");
        }

        request.HttpContext.Response.Headers.ETag = ETags.Of(outcome.Org.Version);
        return TypedResults.Ok(Dto(outcome.Org));
    }

    private static Task<IResult> HistoryAsync(Guid id, HttpRequest request, ClaimsPrincipal caller, RegistryDbContext db, Cursors cursors, CancellationToken cancellationToken) =>
        History.PageAsync(request, cursors, db, $"GET /api/v1/orgs/{id:D}/history", "organization", id,
            () => db.Organizations.AsNoTracking().VisibleTo(caller).AnyAsync(o => o.Id == id, cancellationToken), cancellationToken);

    private static IResult? Validate(string? name) =>
        string.IsNullOrWhiteSpace(name) || name.Length > 200 || name.Any(char.IsControl)
            ? Problems.Invalid("name", name, "1 to 200 characters, no control characters")
            : null;

    private static OrganizationDto Dto(Organization o) => new(o.Id, o.Name, LowerCaseEnumNames<OrganizationKind>.Name(o.Kind), o.Version);
}
