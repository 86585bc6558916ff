using System.Net;
using Jailgrade.Registry.Persistence;

namespace Jailgrade.Server.Identity;

/// <summary>
/// The one OpenID Connect issuer whose bearer tokens the API accepts beside API keys (SECURITY.md 1,
/// docs/registry.md "Identity"). Made by <see cref="Create"/>, which refuses what would be unsafe.
/// </summary>
public sealed record OidcOptions
{
    /// <summary>The claim that names the caller's organization when none is configured.</summary>
    public const string DefaultOrganizationClaim = "jailgrade_org";

    /// <summary>The claim that names the caller's role when none is configured.</summary>
    public const string DefaultRoleClaim = "jailgrade_role";

    private OidcOptions(Uri issuer, string audience, string organizationClaim, string roleClaim)
    {
        Issuer = issuer;
        Audience = audience;
        OrganizationClaim = organizationClaim;
        RoleClaim = roleClaim;
    }

    /// <summary>The issuer exactly as its tokens carry it in <c>iss</c>; its metadata is at <c>/.well-known/openid-configuration</c> below it.</summary>
    public Uri Issuer { get; }

    /// <summary>The API's own audience: a token must name it in <c>aud</c> (an ID token for a UI client does not).</summary>
    public string Audience { get; }

    /// <summary>The claim whose one value is the name of the caller's organization.</summary>
    public string OrganizationClaim { get; }

    /// <summary>The claim whose one value is the caller's role (<c>lab</c>, <c>regulator</c>, ...).</summary>
    public string RoleClaim { get; }

    /// <summary>Whether the issuer is on loopback, where metadata may come over plain HTTP (tests).</summary>
    public bool IsLoopback => IsLoopbackHost(Issuer);

    /// <summary>Where the issuer's metadata is fetched from (OpenID Connect Discovery 1.0, section 4).</summary>
    public Uri MetadataAddress => new(Issuer.OriginalString.TrimEnd('/') + "/.well-known/openid-configuration");

    /// <summary>
    /// The issuer configuration, or null when no issuer is given (tokens off). Refuses an issuer that is
    /// not an absolute https URL (http only on loopback), a missing audience, and settings that need an
    /// issuer without one.
    /// </summary>
    /// <exception cref="RegistryConfigurationException">A setting is missing or unsafe; the message names it.</exception>
    public static OidcOptions? Create(string? issuer, string? audience, string? organizationClaim = null, string? roleClaim = null)
    {
        if (string.IsNullOrWhiteSpace(issuer))
        {
            if (!string.IsNullOrWhiteSpace(audience) || !string.IsNullOrWhiteSpace(organizationClaim) || !string.IsNullOrWhiteSpace(roleClaim))
            {
                throw new RegistryConfigurationException("OpenID Connect settings without an issuer: name it with --oidc-issuer or JAILGRADE_OIDC_ISSUER, or drop the other --oidc-* settings");
            }

            return null;
        }

        if (!Uri.TryCreate(issuer, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http") || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment) || !string.IsNullOrEmpty(uri.UserInfo))
        {
            throw new RegistryConfigurationException($"OpenID Connect issuer '{issuer}': expected an absolute https URL with no query, fragment or user (e.g. https://login.example.com/realms/jailgrade)");
        }

        if (uri.Scheme == "http" && !IsLoopbackHost(uri))
        {
            throw new RegistryConfigurationException($"OpenID Connect issuer '{issuer}': its metadata and keys must come over https (http is allowed on loopback only, for tests)");
        }

        if (string.IsNullOrWhiteSpace(audience))
        {
            throw new RegistryConfigurationException("OpenID Connect issuer without an audience: name the API's own audience with --oidc-audience or JAILGRADE_OIDC_AUDIENCE (the value the issuer puts in 'aud' of the API's access tokens)");
        }

        return new OidcOptions(uri, audience.Trim(), Claim(organizationClaim, DefaultOrganizationClaim, "organization"), Claim(roleClaim, DefaultRoleClaim, "role"));
    }

    private static string Claim(string? configured, string fallback, string what)
    {
        if (string.IsNullOrWhiteSpace(configured))
        {
            return fallback;
        }

        var name = configured.Trim();
        // The identity comes from iss and sub alone; a claim that names them, or the e-mail address, cannot name an organization or a role.
        if (name is "iss" or "sub" or "aud" or "email")
        {
            throw new RegistryConfigurationException($"OpenID Connect {what} claim '{name}': expected a claim the issuer sets for this purpose, not iss, sub, aud or email");
        }

        return name;
    }

    private static bool IsLoopbackHost(Uri uri) =>
        uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
}
