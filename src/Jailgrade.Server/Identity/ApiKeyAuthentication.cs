using System.Security.Claims;
using System.Text.Encodings.Web;
using System.Text.Json.Nodes;
using Jailgrade.Registry;
using Jailgrade.Registry.Access;
using Jailgrade.Registry.Events;
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
/// <c>Authorization: Bearer jg_…</c> API keys (SECURITY.md 1), and the default scheme that sends any
/// other bearer credential to <see cref="TokenAuthentication"/> when an issuer is configured. The API reads no cookies. A refused
/// request gets 401 with a problem details body that never repeats what was sent.
/// </summary>
internal static class ApiKeyAuthentication
{
    public const string Scheme = "ApiKey";

    public const string OrganizationClaim = "jailgrade/organization";
    public const string KeyClaim = "jailgrade/key";

    /// <summary>The default scheme: picks API keys or tokens by the credential's shape.</summary>
    public const string BearerScheme = "Bearer";

    public const string MissingCredential = "this route needs an API key: send 'Authorization: Bearer jg_<env>_<id>_<secret>'";

    /// <summary>
    /// API keys, and with <paramref name="oidc"/> bearer tokens from its issuer: a credential that starts
    /// with <c>jg_</c> is an API key, any other bearer credential a token (SECURITY.md 1).
    /// </summary>
    public static IServiceCollection AddRegistryAuthentication(this IServiceCollection services, OidcOptions? oidc)
    {
        var authentication = services.AddAuthentication(BearerScheme)
            .AddPolicyScheme(BearerScheme, null, o => o.ForwardDefaultSelector = context => oidc is not null && IsToken(context.Request.Headers.Authorization) ? TokenAuthentication.Scheme : Scheme)
            .AddScheme<AuthenticationSchemeOptions, Handler>(Scheme, null);
        if (oidc is not null)
        {
            authentication.AddOidcTokens(oidc);
        }

        return services;
    }

    public static Guid UserId(this ClaimsPrincipal principal) => Guid.Parse(principal.FindFirstValue(ClaimTypes.NameIdentifier)!);

    /// <summary>The caller's organization; <see cref="Guid.Empty"/> (which names none) for a token's caller mapped to no organization (public).</summary>
    public static Guid OrganizationId(this ClaimsPrincipal principal) =>
        principal.FindFirstValue(OrganizationClaim) is { } organization ? Guid.Parse(organization) : Guid.Empty;

    /// <summary>A token caller's identity, the token's issuer and subject; null for an API key's caller.</summary>
    public static TokenIdentity? Token(this ClaimsPrincipal principal) =>
        principal.FindFirstValue(TokenAuthentication.IssuerClaim) is { } issuer && principal.FindFirstValue(TokenAuthentication.SubjectClaim) is { } subject
            ? new TokenIdentity(issuer, subject)
            : null;

    /// <summary>The caller as the actor of the events it writes (docs/registry.md, "The canonical event encoding").</summary>
    public static JsonObject Actor(this ClaimsPrincipal principal) => EventBodies.User(principal.UserId(), principal.OrganizationId(), principal.Token());

    /// <summary>Writes the 401 every refused credential gets: problem details that never repeat what was sent.</summary>
    public static async Task WriteUnauthorizedAsync(HttpContext context, string detail)
    {
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = "Bearer";
        var problems = context.RequestServices.GetRequiredService<IProblemDetailsService>();
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = StatusCodes.Status401Unauthorized, Title = "Unauthorized", Detail = detail },
        });
    }

    private static bool IsToken(string? header) =>
        header is not null && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && !header["Bearer ".Length..].TrimStart().StartsWith("jg_", StringComparison.Ordinal);

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
            await WriteUnauthorizedAsync(Context, result.Failure is { } failure ? $"the API key was refused: {failure.Message}" : MissingCredential);
        }
    }
}
