using System.Security.Claims;
using Jailgrade.Registry;
using Jailgrade.Registry.Administration;
using Jailgrade.Registry.Events;
using Jailgrade.Registry.Internal;
using Jailgrade.Registry.Organizations;
using Jailgrade.Server.Identity;
using Jailgrade.Server.Internal;
using Jailgrade.Server.Organizations;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace Jailgrade.Server.Users;

/// <summary>
/// <c>/api/v1/users</c>: users and their first API key. An administrator adds users to any
/// organization; anyone else only to their own, with a role at or below their own (SECURITY.md 1).
/// </summary>
internal static class UserEndpoints
{
    public sealed record UserDto(Guid Id, Guid Organization, string Name, string Role);

    public sealed record CreateUserRequest(Guid Organization, string Name, string Role);

    public sealed record CreatedUserDto(Guid Id, Guid Organization, string Name, string Role, string ApiKey, string KeyId);

    public static RouteGroupBuilder MapUsers(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/users").WithTags("Users");
        group.MapGet("", ListAsync).WithName("ListUsers").Produces<PageDto<UserDto>>();
        group.MapPost("", CreateAsync).WithName("CreateUser").Accepts<CreateUserRequest>("application/json")
            .Produces<CreatedUserDto>(StatusCodes.Status201Created).ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        return group;
    }

    private static async Task<IResult> ListAsync(HttpRequest request, ClaimsPrincipal caller, RegistryDbContext db, Cursors cursors, CancellationToken cancellationToken)
    {
        var list = ListQuery.Read(request, cursors, "GET /api/v1/users", "organization", "role");
        var organization = list.Id("organization");
        var role = list.OneOf("role", LowerCaseEnumNames<Role>.All);
        var after = list.After();
        if (list.Problem is { } bad)
        {
            return bad;
        }

        var visible = db.Organizations.AsNoTracking().VisibleTo(caller).Select(o => o.Id);
        var users = db.Users.AsNoTracking().Where(u => visible.Contains(u.OrganizationId));
        if (organization is { } org)
        {
            users = users.Where(u => u.OrganizationId == org);
        }

        if (role is not null)
        {
            var only = LowerCaseEnumNames<Role>.Parse(role);
            users = users.Where(u => u.Role == only);
        }

        var (page, next) = await list.PageAsync(users, u => u.CreatedAt, u => u.Id, after, cancellationToken);
        return TypedResults.Ok(new PageDto<UserDto>([.. page.Select(u => new UserDto(u.Id, u.OrganizationId, u.Name, LowerCaseEnumNames<Role>.Name(u.Role)))], next));
    }

    private static async Task<IResult> CreateAsync(HttpRequest request, ClaimsPrincipal caller, RegistryDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var (body, invalid) = await StrictJson.ReadAsync<CreateUserRequest>(request, cancellationToken);
        if (invalid is not null)
        {
            return invalid;
        }

        if (string.IsNullOrWhiteSpace(body!.Name) || body.Name.Length > 200 || body.Name.Any(char.IsControl))
        {
            return Problems.Invalid("name", body.Name, "1 to 200 characters, no control characters");
        }

        if (!LowerCaseEnumNames<Role>.TryParse(body.Role ?? "", out var role))
        {
            return Problems.Invalid("role", body.Role, $"one of {string.Join(", ", LowerCaseEnumNames<Role>.All)}");
        }

        var org = await db.Organizations.AsNoTracking().VisibleTo(caller).SingleOrDefaultAsync(o => o.Id == body.Organization, cancellationToken);
        if (org is null)
        {
            return Problems.NotFound("organization", body.Organization);
        }

        if (caller.Role() != Role.Admin && role > caller.Role())
        {
            return Problems.Forbidden($"a {LowerCaseEnumNames<Role>.Name(caller.Role())} grants only roles at or below its own");
        }

        try
        {
            RegistryAdmin.CheckRoleFits(role, org);
        }
        catch (RegistryAdminException e)
        {
            return Problems.Invalid("role", body.Role, e.Message);
        }

        var created = await EventLog.WriteAsync(db, time, async write =>
        {
            if (await write.Db.Users.AnyAsync(u => u.OrganizationId == org.Id && u.Name == body.Name, cancellationToken))
            {
                return default((User User, string Key, string Display)?);
            }

            return RegistryAdmin.CreateUser(write, caller.Actor(), org, body.Name, role);
        }, cancellationToken);
        if (created is not { } user)
        {
            return Problems.Conflict("name", $"organization '{org.Name}' already has a user named '{body.Name}'");
        }

        // The key is in this response only: never cached, never stored in clear.
        request.HttpContext.Response.Headers.CacheControl = "no-store";
        return TypedResults.Created($"/api/v1/users/{user.User.Id:D}",
            new CreatedUserDto(user.User.Id, org.Id, user.User.Name, LowerCaseEnumNames<Role>.Name(role), user.Key, user.Display));
    }
}
