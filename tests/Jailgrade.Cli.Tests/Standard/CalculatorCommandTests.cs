using System.Security.Cryptography;
using System.Text;
using Jailgrade.Cli.Tests.TestSupport;

namespace Jailgrade.Cli.Tests.Standard;

public class CalculatorCommandTests
{
    [Fact]
    public async Task Calculator_Sha256_IsTheHashOfTheBytesItWrites()
    {
        var page = await CliRun.RunAsync("calculator");
        var hash = await CliRun.RunAsync("calculator", "--sha256");

        page.ExitCode.ShouldBe(0);
        hash.ExitCode.ShouldBe(0);
        hash.Stdout.ShouldBe(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(page.Stdout))) + "\n");
    }

    [Fact]
    public async Task Calculator_Page_IsSelfContainedAndSmall()
    {
        var page = (await CliRun.RunAsync("calculator")).Stdout;

        Encoding.UTF8.GetByteCount(page).ShouldBeLessThan(300_000, "a few hundred KB at most");
        page.ShouldNotContain("\r");
        page.ShouldNotContain("http://");
        page.ShouldNotContain("https://");
        page.ShouldNotContain(" src=");
        page.ShouldContain("connect-src 'none'");
        page.ShouldNotContain("unsafe-inline");
    }

    [Fact]
    public async Task Calculator_Readme_QuotesTheHashOfThisVersion()
    {
        var hash = (await CliRun.RunAsync("calculator", "--sha256")).Stdout.Trim();

        File.ReadAllText(Golden.PathOf("README.md")).ShouldContain($"jailgrade calculator --sha256   # {hash}");
    }
}
