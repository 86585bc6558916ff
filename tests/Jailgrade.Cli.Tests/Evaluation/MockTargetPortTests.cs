using System.Net;
using System.Net.Sockets;
using Jailgrade.Cli.Tests.TestSupport;

namespace Jailgrade.Cli.Tests.Evaluation;

/// <summary>Regression tests for issue 9 item 8: <c>mock-target --port P</c> with P taken.</summary>
public class MockTargetPortTests
{
    [Fact]
    public async Task MockTarget_PortInUse_ExitsNineWithAClearMessage()
    {
        // It ended with exit 70 ("a bug in jailgrade") and Kestrel's exception.
        using var holder = new TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        var port = ((IPEndPoint)holder.LocalEndpoint).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);

        var result = await CliRun.RunAsync("mock-target", "--port", port);

        result.ExitCode.ShouldBe(9);
        result.Stderr.ShouldBe($"jailgrade mock-target: port {port} on 127.0.0.1 is already in use; choose another with --port (0 picks a free one) or stop what holds it.\n");
        result.Stdout.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("65536")]
    public async Task MockTarget_PortOutOfRange_IsAUsageError(string port)
    {
        var result = await CliRun.RunAsync("mock-target", "--port", port);

        result.ExitCode.ShouldBe(2);
        result.Stderr.ShouldContain("expected a port from 0 to 65535");
    }
}
