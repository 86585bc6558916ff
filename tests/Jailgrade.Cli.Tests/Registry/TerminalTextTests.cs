using Jailgrade.Cli.Remote;

namespace Jailgrade.Cli.Tests.Registry;

public class TerminalTextTests
{
    [Theory]
    [InlineData("Example Lab", "Example Lab")]
    [InlineData("Laboratoire d'essai é 实验室", "Laboratoire d'essai é 实验室")]
    [InlineData("a\u001b[31mred", @"a\u001b[31mred")]
    [InlineData("two\nlines\r", @"two\nlines\r")]
    [InlineData("col\tumn", @"col\tumn")]
    [InlineData("bell\u0007 del\u007f c1\u009b", @"bell\u0007 del\u007f c1\u009b")]
    [InlineData("abc\u202edcba\u2066x\u2069", @"abc\u202edcba\u2066x\u2069")]
    [InlineData("line\u2028sep", @"line\u2028sep")]
    public void Escape_ControlAndReorderingCharacters_BecomeVisibleEscapes(string text, string expected) =>
        TerminalText.Escape(text).ShouldBe(expected);

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("127.8.9.10", true)]
    [InlineData("[::1]", true)]
    [InlineData("::ffff:127.0.0.1", true)]
    [InlineData("localhost", true)]
    [InlineData("LOCALHOST", true)]
    [InlineData("localhost.example.org", false)]
    [InlineData("128.0.0.1", false)]
    [InlineData("10.0.0.1", false)]
    [InlineData("[::2]", false)]
    [InlineData("registry.example.org", false)]
    public void IsLoopback_OnlyLoopbackAddressesAndLocalhost(string host, bool loopback) =>
        ServerAddress.IsLoopback(host).ShouldBe(loopback);

    [Theory]
    [InlineData("https://registry.example.org", "https://registry.example.org/")]
    [InlineData("https://registry.example.org/jg", "https://registry.example.org/jg/")]
    [InlineData("http://127.0.0.1:5080", "http://127.0.0.1:5080/")]
    public void Parse_BaseUrl_EndsInASlashSoPathsAppend(string text, string expected) =>
        ServerAddress.Parse(text).ToString().ShouldBe(expected);

    [Theory]
    [InlineData("ftp://registry.example.org")]
    [InlineData("registry.example.org")]
    [InlineData("https://user:pw@registry.example.org")]
    [InlineData("https://registry.example.org/?key=x")]
    public void Parse_NotABaseUrl_IsAUsageError(string text) =>
        Should.Throw<RemoteException>(() => ServerAddress.Parse(text)).Code.ShouldBe(Jailgrade.Cli.Hosting.ExitCode.UsageError);
}
