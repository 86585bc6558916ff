using System.Security.Claims;
using System.Text.Json.Serialization;
using Jailgrade.Registry;
using Jailgrade.Registry.Internal;
using Jailgrade.Registry.Organizations;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace Jailgrade.Server.Identity;

/// <summary><c>GET /api/v1/me</c>: who the caller is, by API key or by an issuer's token.</summary>
internal static class IdentityEndpoints
{
    /// <summary>
    /// A key's caller carries <c>key</c>; a token's carries <c>issuer</c> and <c>subject</c>, and a
    /// null organization when its claims map to none (public).
    /// </summary>
    public sealed record MeDto(
        Guid User,
        string Name,
        Guid? Organization,
        string? OrganizationName,
        string Role,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Key,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Issuer,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Subject);

    public static RouteGroupBuilder MapIdentity(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/me").WithTags("Identity");
        group.MapGet("", MeAsync).WithName("GetMe");
        return group;
    }

    private static async Task<Ok<MeDto>> MeAsync(ClaimsPrincipal caller, RegistryDbContext db, CancellationToken cancellationToken)
    {
        var id = caller.OrganizationId();
        var organization = id == Guid.Empty ? null : await db.Organizations.AsNoTracking().Where(o => o.Id == id).Select(o => o.Name).SingleAsync(cancellationToken);
        return TypedResults.Ok(new MeDto(caller.UserId(), caller.FindFirstValue(ClaimTypes.Name)!, organization is null ? null : id, organization,
            LowerCaseEnumNames<Role>.Name(caller.Role()), caller.FindFirstValue(ApiKeyAuthentication.KeyClaim),
            caller.FindFirstValue(TokenAuthentication.IssuerClaim), caller.FindFirstValue(TokenAuthentication.SubjectClaim)));
    }
}
