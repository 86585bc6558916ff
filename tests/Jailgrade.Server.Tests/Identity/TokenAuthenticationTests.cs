using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Jailgrade.Server.Identity;
using Jailgrade.Server.Tests.Security;
using Microsoft.IdentityModel.Logging;
using Microsoft.IdentityModel.Tokens;

namespace Jailgrade.Server.Tests.Identity;

/// <summary>
/// Bearer tokens from a configured OpenID Connect issuer (SECURITY.md 1): minted here with keys made
/// here, the issuer's metadata and JWKS served on loopback by <see cref="TestIssuer"/>.
/// </summary>
public sealed class TokenAuthenticationTests
{
    [Theory]
    [InlineData(SecurityAlgorithms.RsaSha256)]
    [InlineData(SecurityAlgorithms.RsaSsaPssSha256)]
    [InlineData(SecurityAlgorithms.EcdsaSha256)]
    public async Task Me_AccessTokenFromTheIssuer_AnswersTheMappedOrganizationRoleAndIssuerSubject(string algorithm)
    {
        await using var issuer = await TestIssuer.StartAsync();
        await using var registry = await StartAsync(issuer);
        var token = issuer.Mint(registry.Time.GetUtcNow(), key: algorithm == SecurityAlgorithms.EcdsaSha256 ? issuer.EcKey : issuer.RsaKey, algorithm: algorithm);

        var me = await MeAsync(registry, token);

        me.GetProperty("organization").GetGuid().ShouldBe(await registry.OrganizationOfAsync(registry.LabKey));
        me.GetProperty("organizationName").GetString().ShouldBe("Example Lab");
        me.GetProperty("role").GetString().ShouldBe("lab");
        me.GetProperty("issuer").GetString().ShouldBe(issuer.Issuer);
        me.GetProperty("subject").GetString().ShouldBe("alice-0001");
        me.GetProperty("name").GetString().ShouldBe("alice-0001");
        me.TryGetProperty("key", out _).ShouldBeFalse();
    }

    [Fact]
    public async Task Me_Tokens_AreOneUserPerIssuerAndSubjectWhateverTheirEmail()
    {
        await using var issuer = await TestIssuer.StartAsync();
        await using var registry = await StartAsync(issuer);
        var now = registry.Time.GetUtcNow();

        var alice = await UserOfAsync(registry, issuer.Mint(now, subject: "alice-0001", change: d => d.Claims["email"] = "shared@lab.test"));
        var aliceAgain = await UserOfAsync(registry, issuer.Mint(now, subject: "alice-0001", change: d => d.Claims["email"] = "alice@lab.test"));
        var bob = await UserOfAsync(registry, issuer.Mint(now, subject: "bob-0002", change: d => d.Claims["email"] = "shared@lab.test"));

        aliceAgain.ShouldBe(alice);
        bob.ShouldNotBe(alice);
    }

    [Fact]
    public async Task Me_TokenFromAnotherIssuer_Is401()
    {
        await using var issuer = await TestIssuer.StartAsync();
        await using var registry = await StartAsync(issuer);

        var detail = await RefusedAsync(registry, issuer.Mint(registry.Time.GetUtcNow(), change: d => d.Issuer = "https://login.other.test/realms/jailgrade"));

        detail.ShouldBe("the bearer token was refused: it is not from the configured issuer");
    }

    [Fact]
    public async Task Me_TokenForAnotherAudience_Is401()
    {
        await using var issuer = await TestIssuer.StartAsync();
        await using var registry = await StartAsync(issuer);

        var detail = await RefusedAsync(registry, issuer.Mint(registry.Time.GetUtcNow(), change: d => d.Audience = "https://other.test/api"));

        detail.ShouldContain("it is not for this API's audience");
    }

    [Fact]
    public async Task Me_IdTokenForTheUiClient_Is401()
    {
        await using var issuer = await TestIssuer.StartAsync();
        await using var registry = await StartAsync(issuer);
        var idToken = issuer.Mint(registry.Time.GetUtcNow(), change: d =>
        {
            d.Audience = TestIssuer.UiClient;
            d.Claims["nonce"] = "n-0S6_WzA2Mj";
            d.Claims["azp"] = TestIssuer.UiClient;
        });

        (await RefusedAsync(registry, idToken)).ShouldContain("it is not for this API's audience");
    }

    [Theory]
    [InlineData("nonce")]
    [InlineData("at_hash")]
    [InlineData("c_hash")]
    [InlineData("typ")]
    public async Task Me_IdTokenNamingTheApiAudience_Is401(string marker)
    {
        await using var issuer = await TestIssuer.StartAsync();
        await using var registry = await StartAsync(issuer);
        var idToken = issuer.Mint(registry.Time.GetUtcNow(), change: d => d.Claims[marker] = marker == "typ" ? "ID" : "n-0S6_WzA2Mj");

        (await RefusedAsync(registry, idToken)).ShouldContain("it is an ID token");
    }

    [Fact]
    public async Task Me_TokenTypedAsSomethingElseThanAnAccessToken_Is401()
    {
        await using var issuer = await TestIssuer.StartAsync();
        await using var registry = await StartAsync(issuer);

        var logoutToken = issuer.Mint(registry.Time.GetUtcNow(), change: d => d.TokenType = "logout+jwt");

        (await RefusedAsync(registry, logoutToken)).ShouldContain("another kind of token than an access token");
    }

    [Fact]
    public async Task Me_AccessTokenTypedAtJwt_IsAccepted()
    {
        await using var issuer = await TestIssuer.StartAsync();
        await using var registry = await StartAsync(issuer);

        var me = await MeAsync(registry, issuer.Mint(registry.Time.GetUtcNow(), change: d => d.TokenType = "at+jwt"));

        me.GetProperty("role").GetString().ShouldBe("lab");
    }

    [Fact]
    public async Task Me_UnsignedTokenAlgNone_Is401()
    {
        await using var issuer = await TestIssuer.StartAsync();
        await using var registry = await StartAsync(issuer);
        var payload = issuer.Mint(registry.Time.GetUtcNow()).Split('.')[1];
        var unsigned = Base64UrlEncoder.Encode("""{"alg":"none","typ":"JWT"}""") + "." + payload + ".";

        (await RefusedAsync(registry, unsigned)).ShouldStartWith("the bearer token was refused: its signature does not verify");
    }

    [Fact]
    public async Task Me_Hs256SignedWithTheIssuersPublicKeyBytes_Is401()
    {
        await using var issuer = await TestIssuer.StartAsync();
        await using var registry = await StartAsync(issuer);
        var payload = issuer.Mint(registry.Time.GetUtcNow()).Split('.')[1];
        var header = Base64UrlEncoder.Encode("""{"alg":"HS256","typ":"JWT","kid":"rsa-1"}""");
        var pem = Encoding.ASCII.GetBytes(issuer.RsaKey.Rsa.ExportSubjectPublicKeyInfoPem());

        foreach (var secret in new[] { issuer.RsaPublicKeyBytes, pem })
        {
            var signature = Base64UrlEncoder.Encode(HMACSHA256.HashData(secret, Encoding.ASCII.GetBytes(header + "." + payload)));
            (await RefusedAsync(registry, header + "." + payload + "." + signature)).ShouldStartWith("the bearer token was refused: its");
        }
    }

    [Fact]
    public async Task Me_Rs512FromTheIssuersOwnKey_Is401NamingTheAlgorithmsAccepted()
    {
        await using var issuer = await TestIssuer.StartAsync();
        await using var registry = await StartAsync(issuer);

        var detail = await RefusedAsync(registry, issuer.Mint(registry.Time.GetUtcNow(), algorithm: SecurityAlgorithms.RsaSha512));

        detail.ShouldContain("RS256, PS256, ES256");
    }

    [Fact]
    public async Task Me_TokenExpiredMoreThan60SecondsAgo_Is401()
    {
        await using var issuer = await TestIssuer.StartAsync();
        await using var registry = await StartAsync(issuer);
        var token = issuer.Mint(registry.Time.GetUtcNow());

        registry.Time.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(61));

        (await RefusedAsync(registry, token)).ShouldBe("the bearer token was refused: it has expired");
    }

    [Fact]
    public async Task Me_TokenExpiredWithinTheClockSkew_IsStillAccepted()
    {
        await using var issuer = await TestIssuer.StartAsync();
        await using var registry = await StartAsync(issuer);
        var token = issuer.Mint(registry.Time.GetUtcNow());

        registry.Time.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(59));

        (await MeAsync(registry, token)).GetProperty("role").GetString().ShouldBe("lab");
    }

    [Fact]
    public async Task Me_TokenNotValidForAnotherMinute_Is401()
    {
        await using var issuer = await TestIssuer.StartAsync();
        await using var registry = await StartAsync(issuer);

        var early = issuer.Mint(registry.Time.GetUtcNow().AddSeconds(61));

        (await RefusedAsync(registry, early)).ShouldBe("the bearer token was refused: it is not valid yet");
    }

    [Fact]
    public async Task Me_AttackerKeyPublishedAtAJkuUrl_Is401AndTheUrlIsNeverFetched()
    {
        await using var issuer = await TestIssuer.StartAsync();
        await using var registry = await StartAsync(issuer);
        var now = registry.Time.GetUtcNow();
        var viaJku = issuer.Mint(now, key: issuer.AttackerKey, change: d => d.AdditionalHeaderClaims["jku"] = issuer.AttackerJwks);
        var viaX5u = issuer.Mint(now, key: issuer.AttackerKey, change: d => d.AdditionalHeaderClaims["x5u"] = issuer.AttackerJwks);
        var viaJwk = issuer.Mint(now, key: issuer.AttackerKey, change: d => d.AdditionalHeaderClaims["jwk"] = TestIssuer.Jwk(issuer.AttackerKey));

        foreach (var token in new[] { viaJku, viaX5u, viaJwk })
        {
            (await RefusedAsync(registry, token)).ShouldStartWith("the bearer token was refused: its signature does not verify");
        }

        issuer.Requests("/realms/jailgrade/jwks").ShouldBeGreaterThan(0);
        issuer.Requests("/attacker/jwks").ShouldBe(0);
    }

    [Theory]
    [InlineData("jku")]
    [InlineData("x5u")]
    [InlineData("jwk")]
    [InlineData("x5c")]
    public async Task Me_IssuerSignedTokenNamingAKeyOfItsOwn_Is401(string header)
    {
        await using var issuer = await TestIssuer.StartAsync();
        await using var registry = await StartAsync(issuer);
        object named = header switch
        {
            "jwk" => TestIssuer.Jwk(issuer.RsaKey),
            "x5c" => new List<string> { Convert.ToBase64String(issuer.RsaPublicKeyBytes) },
            _ => issuer.AttackerJwks,
        };
        var token = issuer.Mint(registry.Time.GetUtcNow(), change: d => d.AdditionalHeaderClaims[header] = named);

        (await RefusedAsync(registry, token)).ShouldBe($"the bearer token was refused: it carries a '{header}' header; keys come only from the issuer's published JWKS");
        issuer.Requests("/attacker/jwks").ShouldBe(0);
    }

    [Fact]
    public async Task Me_TokenWithoutSubject_Is401()
    {
        await using var issuer = await TestIssuer.StartAsync();
        await using var registry = await StartAsync(issuer);

        var anonymous = issuer.Mint(registry.Time.GetUtcNow(), change: d => d.Claims.Remove("sub"));

        (await RefusedAsync(registry, anonymous)).ShouldBe("the bearer token was refused: it names no subject ('sub')");
    }

    [Fact]
    public async Task Me_TokenWithoutExpiry_Is401()
    {
        await using var issuer = await TestIssuer.StartAsync();
        await using var registry = await StartAsync(issuer);

        var forever = issuer.Mint(registry.Time.GetUtcNow(), change: d => d.Expires = null);

        (await RefusedAsync(registry, forever)).ShouldBe("the bearer token was refused: it has no expiry ('exp')");
    }

    [Theory]
    [InlineData("No Such Lab", "lab")]       // an organization the registry does not have
    [InlineData("Example Lab", "regulator")] // a role above what a lab's users may hold
    [InlineData("Example Lab", "admin")]
    [InlineData("Example Lab", "superuser")] // not a role
    [InlineData(null, "lab")]                // no organization claim
    [InlineData("Example Lab", null)]        // no role claim
    public async Task Me_ClaimsThatNameNoFittingOrganizationAndRole_MakeTheCallerPublic(string? organization, string? role)
    {
        await using var issuer = await TestIssuer.StartAsync();
        await using var registry = await StartAsync(issuer);

        var me = await MeAsync(registry, issuer.Mint(registry.Time.GetUtcNow(), organization: organization, role: role));

        me.GetProperty("role").GetString().ShouldBe("public");
        me.GetProperty("organization").ValueKind.ShouldBe(JsonValueKind.Null);
        me.GetProperty("subject").GetString().ShouldBe("alice-0001");
    }

    [Fact]
    public async Task Orgs_PublicTokenCaller_SeesNoOrganization()
    {
        await using var issuer = await TestIssuer.StartAsync();
        await using var registry = await StartAsync(issuer);
        var token = issuer.Mint(registry.Time.GetUtcNow(), role: "regulator");

        using var response = await registry.SendAsync(HttpMethod.Get, "/api/v1/orgs", token);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).ShouldBe("""{"items":[],"next":null}""");
    }

    [Fact]
    public async Task Me_ApiKeysBesideTokens_StillGoToTheKeyCheck()
    {
        await using var issuer = await TestIssuer.StartAsync();
        await using var registry = await StartAsync(issuer);

        (await MeAsync(registry, registry.LabKey)).GetProperty("role").GetString().ShouldBe("lab");
        (await RefusedAsync(registry, registry.LabKey[..^2] + "xx")).ShouldStartWith("the API key was refused: ");
        (await RefusedAsync(registry, "not-a-jwt-nor-a-key")).ShouldBe("the bearer token was refused: it is not a well-formed JWT");
    }

    [Fact]
    public async Task Me_IssuerUnreachable_RefusesTokensAndStillTakesKeys()
    {
        TestIssuer gone;
        string token;
        await using var registry = await TestRegistry.CreateAsync(start: false);
        await using (gone = await TestIssuer.StartAsync())
        {
            registry.Oidc = gone.Options;
            token = gone.Mint(registry.Time.GetUtcNow());
        }

        await registry.StartAsync();

        (await RefusedAsync(registry, token)).ShouldBe("the bearer token was refused: the issuer's metadata or keys could not be fetched");
        (await MeAsync(registry, registry.LabKey)).GetProperty("role").GetString().ShouldBe("lab");
    }

    [Fact]
    public async Task Me_NoIssuerConfigured_RefusesATokenAsNotAnApiKey()
    {
        await using var issuer = await TestIssuer.StartAsync();
        await using var registry = await TestRegistry.CreateAsync();

        (await RefusedAsync(registry, issuer.Mint(registry.Time.GetUtcNow()))).ShouldContain("the API key was refused");
        issuer.Requests("/realms/jailgrade/.well-known/openid-configuration").ShouldBe(0);
    }

    [Fact]
    public async Task RefusedTokens_LeaveNoTokenSegmentInAnyLog_AndIdentityModelShowsNoPii()
    {
        IdentityModelEventSource.ShowPII.ShouldBeFalse();
        IdentityModelEventSource.LogCompleteSecurityArtifact.ShouldBeFalse();
        await using var issuer = await TestIssuer.StartAsync();
        using var logs = new CapturedLogs();
        await using var registry = await TestRegistry.CreateAsync(start: false);
        registry.Oidc = issuer.Options;
        registry.ConfigureLogging = logs.Configure;
        await registry.StartAsync();
        var now = registry.Time.GetUtcNow();
        var refused = new[]
        {
            issuer.Mint(now, change: d => d.Audience = "https://other.test/api"),
            issuer.Mint(now, change: d => d.Issuer = "https://login.other.test/realms/jailgrade"),
            issuer.Mint(now, key: issuer.AttackerKey, change: d => d.AdditionalHeaderClaims["jku"] = issuer.AttackerJwks),
            issuer.Mint(now, change: d => d.Claims["nonce"] = "n-0S6_WzA2Mj"),
            issuer.Mint(now, algorithm: SecurityAlgorithms.RsaSha512),
            issuer.Mint(now.AddMinutes(-10)),
            Base64UrlEncoder.Encode("""{"alg":"none"}""") + "." + issuer.Mint(now).Split('.')[1] + ".",
        };

        foreach (var token in refused)
        {
            await RefusedAsync(registry, token);
        }

        var captured = logs.All;
        captured.ShouldContain("Oidc was not authenticated");
        foreach (var segment in refused.SelectMany(t => t.Split('.')).Where(s => s.Length >= 8).Distinct())
        {
            captured.ShouldNotContain(segment);
        }
    }

    private static async Task<TestRegistry> StartAsync(TestIssuer issuer)
    {
        var registry = await TestRegistry.CreateAsync(start: false);
        registry.Oidc = issuer.Options;
        await registry.StartAsync();
        return registry;
    }

    private static async Task<JsonElement> MeAsync(TestRegistry registry, string bearer)
    {
        using var response = await registry.SendAsync(HttpMethod.Get, "/api/v1/me", bearer);
        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, body);
        using var document = JsonDocument.Parse(body);
        return document.RootElement.Clone();
    }

    private static async Task<Guid> UserOfAsync(TestRegistry registry, string token) => (await MeAsync(registry, token)).GetProperty("user").GetGuid();

    /// <summary>Asserts a 401 problem details with <c>WWW-Authenticate: Bearer</c> that repeats no part of the credential; returns its detail.</summary>
    private static async Task<string> RefusedAsync(TestRegistry registry, string bearer)
    {
        using var response = await registry.SendAsync(HttpMethod.Get, "/api/v1/me", bearer);
        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized, body);
        response.Headers.WwwAuthenticate.ToString().ShouldBe("Bearer");
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        foreach (var part in bearer.Split('.', '_').Where(p => p.Length >= 8))
        {
            body.ShouldNotContain(part);
        }

        using var problem = JsonDocument.Parse(body);
        return problem.RootElement.GetProperty("detail").GetString()!;
    }
}
