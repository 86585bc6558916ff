using System.Buffers.Text;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Jailgrade.Registry;
using Jailgrade.Registry.Administration;
using Jailgrade.Registry.Internal;
using Jailgrade.Registry.Organizations;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Jailgrade.Server.Identity;

/// <summary>
/// Bearer tokens from the one configured OpenID Connect issuer (SECURITY.md 1): the issuer's metadata
/// and JWKS over https (http on loopback only), RS256, PS256 or ES256, at most 60 s of clock skew on
/// the server's <see cref="TimeProvider"/>, keys only from the issuer's JWKS (a token naming its own
/// key with <c>jku</c>, <c>x5u</c>, <c>jwk</c> or <c>x5c</c> is refused), no ID tokens. The caller is
/// (<c>iss</c>, <c>sub</c>); its organization and role come from the configured claims only when they
/// name an existing organization and a role that fits its kind, otherwise the caller is public.
/// </summary>
internal static partial class TokenAuthentication
{
    public const string Scheme = "Oidc";

    public const string IssuerClaim = "jailgrade/issuer";
    public const string SubjectClaim = "jailgrade/subject";

    /// <summary>The most a token's times may be off from the server's clock.</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(60);

    /// <summary>The signature algorithms accepted; no HMAC (the issuer's keys are public) and no <c>none</c>.</summary>
    public static readonly IReadOnlyList<string> Algorithms = [SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSsaPssSha256, SecurityAlgorithms.EcdsaSha256];

    // Header parameters that name a key of the token's own choosing (RFC 7515 4.1.2 to 4.1.6).
    private static readonly string[] KeyHeaders = ["jku", "x5u", "jwk", "x5c"];

    // Claims only an ID token carries (OpenID Connect Core 2, 3.1.3.6, 3.3.2.11); "typ": "ID" is Keycloak's marker.
    private static readonly string[] IdTokenClaims = ["nonce", "at_hash", "c_hash"];

    public static AuthenticationBuilder AddOidcTokens(this AuthenticationBuilder authentication, OidcOptions oidc)
    {
        authentication.AddJwtBearer(Scheme, _ => { });
        authentication.Services.AddOptions<JwtBearerOptions>(Scheme).Configure<TimeProvider>((options, time) =>
        {
            options.MetadataAddress = oidc.MetadataAddress.AbsoluteUri;
            options.RequireHttpsMetadata = !oidc.IsLoopback;
            options.BackchannelHttpHandler = new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
            options.BackchannelTimeout = TimeSpan.FromSeconds(30);
            options.MapInboundClaims = false;
            options.SaveToken = false;
            options.IncludeErrorDetails = false;
            options.TokenValidationParameters = new TokenValidationParameters
            {
                ValidIssuer = oidc.Issuer.OriginalString,
                // Exactly the configured issuer, even if the metadata document names another.
                IssuerValidator = (issuer, _, _) => issuer == oidc.Issuer.OriginalString
                    ? issuer
                    : throw new SecurityTokenInvalidIssuerException("the token is not from the configured issuer"),
                ValidAudience = oidc.Audience,
                ValidAlgorithms = Algorithms,
                RequireSignedTokens = true,
                RequireExpirationTime = true,
                RequireAudience = true,
                ClockSkew = ClockSkew,
                LifetimeValidator = (notBefore, expires, _, _) => CheckLifetime(notBefore, expires, time.GetUtcNow().UtcDateTime),
                NameClaimType = "sub",
                LogTokenId = false,
            };
            options.Events = new JwtBearerEvents
            {
                OnTokenValidated = context => MapCallerAsync(context, oidc),
                OnChallenge = async context =>
                {
                    context.HandleResponse();
                    await ApiKeyAuthentication.WriteUnauthorizedAsync(context.HttpContext, context.AuthenticateFailure is { } failure
                        ? $"the bearer token was refused: {Reason(failure)}"
                        : ApiKeyAuthentication.MissingCredential);
                },
            };
        });
        return authentication;
    }

    /// <summary>The user id a token's caller acts as: derived from (<c>iss</c>, <c>sub</c>) alone, stable across sign-ins, never the e-mail address.</summary>
    public static Guid UserId(string issuer, string subject)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"jailgrade oidc user\n{issuer}\n{subject}"));
        var bytes = hash.AsSpan(0, 16);
        // RFC 9562 version 8 (custom), so it never equals a registry user's random version 4 id.
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true);
    }

    /// <summary>The token's lifetime on the server's clock, with at most <see cref="ClockSkew"/> either way.</summary>
    private static bool CheckLifetime(DateTime? notBefore, DateTime? expires, DateTime now)
    {
        if (expires is not { } expiry)
        {
            throw new SecurityTokenNoExpirationException("the token has no expiry");
        }

        if (notBefore is { } start && start > now + ClockSkew)
        {
            throw new SecurityTokenNotYetValidException("the token is not valid yet") { NotBefore = start };
        }

        if (expiry < now - ClockSkew)
        {
            throw new SecurityTokenExpiredException("the token has expired") { Expires = expiry };
        }

        return true;
    }

    private static async Task MapCallerAsync(TokenValidatedContext context, OidcOptions oidc)
    {
        if (context.SecurityToken is not JsonWebToken token || context.Principal is not { } claims)
        {
            context.Fail(new TokenRefusedException("it is not a signed JWT"));
            return;
        }

        if (NamedKeyHeader(token) is { } header)
        {
            context.Fail(new TokenRefusedException($"it carries a '{header}' header; keys come only from the issuer's published JWKS"));
            return;
        }

        if (IsIdToken(token))
        {
            context.Fail(new TokenRefusedException("it is an ID token, or another kind of token than an access token; send an access token issued for this API"));
            return;
        }

        if (string.IsNullOrEmpty(token.Subject))
        {
            context.Fail(new TokenRefusedException("it names no subject ('sub')"));
            return;
        }

        var (organization, role) = await MembershipAsync(context, claims, oidc);
        List<Claim> identity =
        [
            new(ClaimTypes.NameIdentifier, UserId(token.Issuer, token.Subject).ToString("D")),
            new(ClaimTypes.Name, token.Subject),
            new(ClaimTypes.Role, LowerCaseEnumNames<Role>.Name(role)),
            new(IssuerClaim, token.Issuer),
            new(SubjectClaim, token.Subject),
        ];
        if (organization is not null)
        {
            identity.Add(new(ApiKeyAuthentication.OrganizationClaim, organization.Id.ToString("D")));
        }

        context.Principal = new ClaimsPrincipal(new ClaimsIdentity(identity, Scheme));
    }

    /// <summary>The organization and role the configured claims name, or (none, public) unless both hold.</summary>
    private static async Task<(Organization? Organization, Role Role)> MembershipAsync(TokenValidatedContext context, ClaimsPrincipal claims, OidcOptions oidc)
    {
        var logger = context.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(TokenAuthentication));
        var organizationName = Single(claims, oidc.OrganizationClaim);
        var roleName = Single(claims, oidc.RoleClaim);
        if (organizationName is null || roleName is null || !LowerCaseEnumNames<Role>.TryParse(roleName, out var role))
        {
            LogNoMembership(logger, oidc.OrganizationClaim, oidc.RoleClaim);
            return (null, Role.Public);
        }

        var db = context.HttpContext.RequestServices.GetRequiredService<RegistryDbContext>();
        var organization = await db.Organizations.AsNoTracking().SingleOrDefaultAsync(o => o.Name == organizationName, context.HttpContext.RequestAborted);
        if (organization is null)
        {
            LogUnknownOrganization(logger, oidc.OrganizationClaim);
            return (null, Role.Public);
        }

        try
        {
            RegistryAdmin.CheckRoleFits(role, organization);
        }
        catch (RegistryAdminException)
        {
            LogRoleMisfit(logger, role, organization.Id, organization.Kind);
            return (null, Role.Public);
        }

        return (organization, role);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "A token's caller is public: claims {OrganizationClaim} and {RoleClaim} do not each hold one organization name and one role")]
    private static partial void LogNoMembership(ILogger logger, string organizationClaim, string roleClaim);

    [LoggerMessage(Level = LogLevel.Information, Message = "A token's caller is public: claim {OrganizationClaim} names no organization of the registry")]
    private static partial void LogUnknownOrganization(ILogger logger, string organizationClaim);

    [LoggerMessage(Level = LogLevel.Information, Message = "A token's caller is public: role {Role} does not fit organization {Organization}, a {Kind}")]
    private static partial void LogRoleMisfit(ILogger logger, Role role, Guid organization, OrganizationKind kind);

    private static string? Single(ClaimsPrincipal claims, string type)
    {
        var values = claims.FindAll(type).Select(c => c.Value).Where(v => v.Length > 0).Distinct(StringComparer.Ordinal).Take(2).ToList();
        return values.Count == 1 ? values[0] : null;
    }

    private static string? NamedKeyHeader(JsonWebToken token)
    {
        using var header = JsonDocument.Parse(Base64Url.DecodeFromChars(token.EncodedHeader));
        return KeyHeaders.FirstOrDefault(name => header.RootElement.TryGetProperty(name, out _));
    }

    private static bool IsIdToken(JsonWebToken token) =>
        IdTokenClaims.Any(name => token.TryGetPayloadValue<object>(name, out _))
        || (token.TryGetPayloadValue<string>("typ", out var typ) && string.Equals(typ, "ID", StringComparison.OrdinalIgnoreCase))
        || token.Typ is { Length: > 0 } type && !string.Equals(type, "JWT", StringComparison.OrdinalIgnoreCase)
            && !string.Equals(type, "at+jwt", StringComparison.OrdinalIgnoreCase) && !string.Equals(type, "application/at+jwt", StringComparison.OrdinalIgnoreCase);

    /// <summary>Why a token was refused, in words that never repeat the token or its claims.</summary>
    private static string Reason(Exception failure) => failure switch
    {
        TokenRefusedException refused => refused.Message,
        SecurityTokenExpiredException => "it has expired",
        SecurityTokenNotYetValidException => "it is not valid yet",
        SecurityTokenNoExpirationException => "it has no expiry ('exp')",
        SecurityTokenInvalidIssuerException => "it is not from the configured issuer",
        SecurityTokenInvalidAudienceException => "it is not for this API's audience (an ID token for a UI client is not an access token)",
        SecurityTokenInvalidAlgorithmException => $"its algorithm is not one of {string.Join(", ", Algorithms)}",
        // IDX10500: no keys at all, which happens only when the issuer's metadata or JWKS could not be fetched.
        SecurityTokenSignatureKeyNotFoundException when failure.Message.StartsWith("IDX10500:", StringComparison.Ordinal) => "the issuer's metadata or keys could not be fetched",
        SecurityTokenInvalidSignatureException => $"its signature does not verify with the issuer's published keys under {string.Join(", ", Algorithms)}",
        SecurityTokenMalformedException or ArgumentException => "it is not a well-formed JWT",
        InvalidOperationException => "the issuer's metadata or keys could not be fetched",
        _ => "it did not validate",
    };

    /// <summary>A refusal of our own, beyond IdentityModel's checks.</summary>
    private sealed class TokenRefusedException(string reason) : Exception(reason);
}
