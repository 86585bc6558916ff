using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Jailgrade.Server.Identity;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Jailgrade.Server.Tests.Identity;

/// <summary>
/// An OpenID Connect issuer on a free loopback port, with an RSA and a P-256 key made in the test: it
/// serves its metadata and JWKS, an attacker's JWKS at another path (to show it is never fetched), and
/// counts every request by path. Tokens are minted here with the same keys.
/// </summary>
internal sealed class TestIssuer : IAsyncDisposable
{
    public const string Audience = "https://registry.test/api";
    public const string UiClient = "jailgrade-ui";

    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, int> _requests;

    private TestIssuer(WebApplication app, ConcurrentDictionary<string, int> requests, string issuer, RSA attacker)
    {
        _app = app;
        _requests = requests;
        Issuer = issuer;
        AttackerKey = new RsaSecurityKey(attacker) { KeyId = "attacker" };
    }

    /// <summary>The issuer as its tokens carry it, e.g. <c>http://127.0.0.1:41234/realms/jailgrade</c>.</summary>
    public string Issuer { get; }

    public RsaSecurityKey RsaKey { get; } = new(RSA.Create(2048)) { KeyId = "rsa-1" };

    public ECDsaSecurityKey EcKey { get; } = new(ECDsa.Create(ECCurve.NamedCurves.nistP256)) { KeyId = "ec-1" };

    /// <summary>A key the issuer never published, served at <see cref="AttackerJwks"/>.</summary>
    public RsaSecurityKey AttackerKey { get; }

    public string AttackerJwks => new Uri(new Uri(Issuer), "/attacker/jwks").AbsoluteUri;

    /// <summary>The RSA key's public part as DER (SubjectPublicKeyInfo): the bytes an algorithm-confusion attack uses as an HMAC secret.</summary>
    public byte[] RsaPublicKeyBytes => RsaKey.Rsa.ExportSubjectPublicKeyInfo();

    /// <summary>The server's configuration for this issuer, with the default organization and role claims.</summary>
    public OidcOptions Options => OidcOptions.Create(Issuer, Audience)!;

    public static async Task<TestIssuer> StartAsync()
    {
        var requests = new ConcurrentDictionary<string, int>();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var attacker = RSA.Create(2048);
        TestIssuer? issuer = null;
        app.Use((context, next) =>
        {
            requests.AddOrUpdate(context.Request.Path.Value ?? "", 1, (_, n) => n + 1);
            return next(context);
        });
        app.MapGet("/realms/jailgrade/.well-known/openid-configuration", () => Results.Text(new JsonObject
        {
            ["issuer"] = issuer!.Issuer,
            ["jwks_uri"] = issuer.Issuer + "/jwks",
            ["id_token_signing_alg_values_supported"] = new JsonArray("RS256", "ES256"),
        }.ToJsonString(), "application/json"));
        app.MapGet("/realms/jailgrade/jwks", () => Results.Text(Jwks(issuer!.RsaKey, issuer.EcKey), "application/json"));
        app.MapGet("/attacker/jwks", () => Results.Text(Jwks(issuer!.AttackerKey), "application/json"));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First().TrimEnd('/');
        issuer = new TestIssuer(app, requests, address + "/realms/jailgrade", attacker);
        return issuer;
    }

    /// <summary>How many requests reached a path.</summary>
    public int Requests(string path) => _requests.TryGetValue(path, out var n) ? n : 0;

    /// <summary>
    /// An access token for the API from this issuer, signed with <paramref name="key"/> (the RSA key by
    /// default), valid for five minutes from <paramref name="now"/>; <paramref name="change"/> alters it.
    /// </summary>
    public string Mint(DateTimeOffset now, string subject = "alice-0001", string? organization = "Example Lab", string? role = "lab",
        SecurityKey? key = null, string algorithm = SecurityAlgorithms.RsaSha256, Action<SecurityTokenDescriptor>? change = null)
    {
        var claims = new Dictionary<string, object> { ["sub"] = subject };
        if (organization is not null)
        {
            claims["jailgrade_org"] = organization;
        }

        if (role is not null)
        {
            claims["jailgrade_role"] = role;
        }

        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            Claims = claims,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = now.AddMinutes(5).UtcDateTime,
            SigningCredentials = new SigningCredentials(key ?? RsaKey, algorithm),
            AdditionalHeaderClaims = new Dictionary<string, object>(),
        };
        change?.Invoke(descriptor);
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(descriptor);
    }

    /// <summary>An RFC 7517 JWK of a public key, as an issuer publishes it (or a token embeds it).</summary>
    public static Dictionary<string, object> Jwk(SecurityKey key) => key switch
    {
        RsaSecurityKey rsa => Public(rsa.Rsa.ExportParameters(false), rsa.KeyId),
        ECDsaSecurityKey ec => Public(ec.ECDsa.ExportParameters(false), ec.KeyId),
        _ => throw new ArgumentException($"no JWK for {key.GetType().Name}", nameof(key)),
    };

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        RsaKey.Rsa.Dispose();
        EcKey.ECDsa.Dispose();
        AttackerKey.Rsa.Dispose();
    }

    private static string Jwks(params SecurityKey[] keys) => JsonSerializer.Serialize(new { keys = keys.Select(Jwk).ToList() });

    private static Dictionary<string, object> Public(RSAParameters rsa, string kid) => new()
    {
        ["kty"] = "RSA", ["kid"] = kid, ["use"] = "sig", ["n"] = Base64UrlEncoder.Encode(rsa.Modulus), ["e"] = Base64UrlEncoder.Encode(rsa.Exponent),
    };

    private static Dictionary<string, object> Public(ECParameters ec, string kid) => new()
    {
        ["kty"] = "EC", ["kid"] = kid, ["use"] = "sig", ["crv"] = "P-256", ["x"] = Base64UrlEncoder.Encode(ec.Q.X), ["y"] = Base64UrlEncoder.Encode(ec.Q.Y),
    };
}
