using System.Security.Claims;
using System.Text.Encodings.Web;
using Jailgrade.Registry;
using Jailgrade.Registry.Identity;
using Jailgrade.Registry.Internal;
using Jailgrade.Registry.Organizations;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Jailgrade.Server.Identity;

/// <summary>
/// <c>Authorization: Bearer jg_…</c> API keys (SECURITY.md 1). The API reads no cookies. A refused
/// request gets 401 with a problem details body that never repeats what was sent.
/// </summary>
internal static class ApiKeyAuthentication
{
    public const string Scheme = "ApiKey";

    public const string OrganizationClaim = "jailgrade/organization";
    public const string KeyClaim = "jailgrade/key";

    public static IServiceCollection AddApiKeyAuthentication(this IServiceCollection services)
    {
        services.AddAuthentication(Scheme).AddScheme<AuthenticationSchemeOptions, Handler>(Scheme, null);
        return services;
    }

    public static Guid UserId(this ClaimsPrincipal principal) => Guid.Parse(principal.FindFirstValue(ClaimTypes.NameIdentifier)!);

    public static Guid OrganizationId(this ClaimsPrincipal principal) => Guid.Parse(principal.FindFirstValue(OrganizationClaim)!);

    public static Role Role(this ClaimsPrincipal principal) => LowerCaseEnumNames<Role>.Parse(principal.FindFirstValue(ClaimTypes.Role)!);

    private sealed class Handler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, RegistryDbContext db, TimeProvider time)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            string? header = Request.Headers.Authorization;
            if (string.IsNullOrEmpty(header))
            {
                return AuthenticateResult.NoResult();
            }

            if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            {
                return AuthenticateResult.Fail("the Authorization header is not a Bearer credential");
            }

            var check = await ApiKeys.AuthenticateAsync(db, header["Bearer ".Length..].Trim(), time.GetUtcNow(), Context.RequestAborted);
            if (check.User is not { } user)
            {
                return AuthenticateResult.Fail(check.Failure!);
            }

            var identity = new ClaimsIdentity(
            [
                new Claim(ClaimTypes.NameIdentifier, user.Id.ToString("D")),
                new Claim(ClaimTypes.Name, user.Name),
                new Claim(ClaimTypes.Role, LowerCaseEnumNames<Role>.Name(user.Role)),
                new Claim(OrganizationClaim, user.OrganizationId.ToString("D")),
                new Claim(KeyClaim, ApiKeys.Display(check.Key!)),
            ], ApiKeyAuthentication.Scheme);
            return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), ApiKeyAuthentication.Scheme));
        }

        protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
        {
            var result = await HandleAuthenticateOnceSafeAsync();
            Response.StatusCode = StatusCodes.Status401Unauthorized;
            Response.Headers.WWWAuthenticate = "Bearer";
            var detail = result.Failure is { } failure
                ? $"the API key was refused: {failure}"
                : "this route needs an API key: send 'Authorization: Bearer jg_<env>_<id>_<secret>'";
            var problems = Context.RequestServices.GetRequiredService<IProblemDetailsService>();
            await problems.WriteAsync(new ProblemDetailsContext
            {
                HttpContext = Context,
                ProblemDetails = { Status = StatusCodes.Status401Unauthorized, Title = "Unauthorized", Detail = detail },
            });
        }
    }
}
