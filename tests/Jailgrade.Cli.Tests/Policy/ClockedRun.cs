using System.Text;
using Jailgrade.Cli.Hosting;
using Jailgrade.Cli.Tests.TestSupport;

namespace Jailgrade.Cli.Tests.Policy;

/// <summary>Runs the CLI with a fixed clock, so a decision taken "now" is the same on every run.</summary>
internal static class ClockedRun
{
    public static async Task<CliResult> RunAsync(DateTimeOffset now, bool terminal, params string[] args)
    {
        using var input = new MemoryStream();
        using var output = new MemoryStream();
        using var error = new StringWriter { NewLine = "\n" };
        var context = new CliContext(input, output, error, terminal, new FixedClock(now), _ => null);
        var code = await JailgradeCli.RunAsync(args, context);
        return new CliResult(code, Encoding.UTF8.GetString(output.ToArray()), error.ToString());
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
