using System.Security.Claims;
using Jailgrade.Registry;
using Jailgrade.Registry.Internal;
using Jailgrade.Registry.Organizations;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace Jailgrade.Server.Identity;

/// <summary><c>GET /api/v1/me</c>: who the caller's key belongs to.</summary>
internal static class IdentityEndpoints
{
    public sealed record MeDto(Guid User, string Name, Guid Organization, string OrganizationName, string Role, string Key);

    public static RouteGroupBuilder MapIdentity(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/me").WithTags("Identity");
        group.MapGet("", MeAsync).WithName("GetMe");
        return group;
    }

    private static async Task<Ok<MeDto>> MeAsync(ClaimsPrincipal caller, RegistryDbContext db, CancellationToken cancellationToken)
    {
        var organization = await db.Organizations.AsNoTracking().Where(o => o.Id == caller.OrganizationId()).Select(o => o.Name).SingleAsync(cancellationToken);
        return TypedResults.Ok(new MeDto(caller.UserId(), caller.FindFirstValue(ClaimTypes.Name)!, caller.OrganizationId(), organization,
            LowerCaseEnumNames<Role>.Name(caller.Role()), caller.FindFirstValue(ApiKeyAuthentication.KeyClaim)!));
    }
}
