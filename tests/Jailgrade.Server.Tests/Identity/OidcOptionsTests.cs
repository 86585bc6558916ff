using Jailgrade.Registry.Persistence;
using Jailgrade.Server.Identity;

namespace Jailgrade.Server.Tests.Identity;

public sealed class OidcOptionsTests
{
    [Fact]
    public void Create_NoIssuer_TurnsTokensOff() => OidcOptions.Create(null, null).ShouldBeNull();

    [Fact]
    public void Create_HttpsIssuer_TakesTheDefaultClaimsAndFindsMetadataBelowTheIssuer()
    {
        var oidc = OidcOptions.Create("https://login.example.com/realms/jailgrade", "https://registry.example.com/api")!;

        oidc.MetadataAddress.AbsoluteUri.ShouldBe("https://login.example.com/realms/jailgrade/.well-known/openid-configuration");
        oidc.OrganizationClaim.ShouldBe("jailgrade_org");
        oidc.RoleClaim.ShouldBe("jailgrade_role");
        oidc.IsLoopback.ShouldBeFalse();
    }

    [Theory]
    [InlineData("http://127.0.0.1:8080/realms/jailgrade")]
    [InlineData("http://[::1]:8080/")]
    [InlineData("http://localhost:8080")]
    public void Create_HttpIssuerOnLoopback_IsAllowed(string issuer) => OidcOptions.Create(issuer, "api")!.IsLoopback.ShouldBeTrue();

    [Theory]
    [InlineData("http://login.example.com/realms/jailgrade", "over https")]
    [InlineData("http://127.0.0.2.example.com/", "over https")]
    [InlineData("login.example.com", "expected an absolute https URL")]
    [InlineData("ftp://login.example.com/", "expected an absolute https URL")]
    [InlineData("https://login.example.com/?realm=x", "expected an absolute https URL")]
    [InlineData("https://user@login.example.com/", "expected an absolute https URL")]
    public void Create_UnsafeIssuer_IsRefusedNamingIt(string issuer, string expected)
    {
        var error = Should.Throw<RegistryConfigurationException>(() => OidcOptions.Create(issuer, "api"));

        error.Message.ShouldContain($"'{issuer}'");
        error.Message.ShouldContain(expected);
    }

    [Fact]
    public void Create_IssuerWithoutAudience_IsRefused() =>
        Should.Throw<RegistryConfigurationException>(() => OidcOptions.Create("https://login.example.com", " ")).Message.ShouldContain("--oidc-audience");

    [Fact]
    public void Create_OtherSettingsWithoutIssuer_AreRefused() =>
        Should.Throw<RegistryConfigurationException>(() => OidcOptions.Create(null, "api", roleClaim: "groups")).Message.ShouldContain("without an issuer");

    [Theory]
    [InlineData("email")]
    [InlineData("sub")]
    public void Create_IdentityClaimAsOrganizationClaim_IsRefused(string claim) =>
        Should.Throw<RegistryConfigurationException>(() => OidcOptions.Create("https://login.example.com", "api", organizationClaim: claim)).Message.ShouldContain($"'{claim}'");
}
