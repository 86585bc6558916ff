using System.Text;
using Jailgrade.Cli.Tests.TestSupport;

namespace Jailgrade.Cli.Tests.Standard;

/// <summary>Regression tests for issue 9 item 14: what standard input may start with and how long a line may be.</summary>
public class ScoreInputTests
{
    private const string Critical = "JG:1.0/UN:U/RL:H/AC:L/AR:N/HD:CY/UP:3/BR:W/FD:H/EX:P/DP:G";
    private const string Government = "JG:1.0/UN:C/RL:M/AC:M/AR:N/HD:CY/UP:3/BR:S/FD:H/EX:N/DP:G";
    private const int MaxLine = 65_536;

    private static string Padded(int bytes) => Critical + new string(' ', bytes - Critical.Length);

    [Fact]
    public async Task Score_Utf8ByteOrderMarkAtTheStart_FirstVectorScores()
    {
        // The first vector failed, with an invisible character in the message.
        var input = "\uFEFF"u8.ToArray().Concat(Encoding.UTF8.GetBytes($"{Critical}\n{Government}\n")).ToArray();

        var result = await CliRun.RunAsync(input, terminal: false, "score");

        result.ExitCode.ShouldBe(0);
        result.Stdout.ShouldBe($"{Critical}\t10.0\tCritical\n{Government}\t8.5\tHigh\n");
    }

    [Fact]
    public async Task Score_ByteOrderMarkOnALaterLine_IsStillAnError()
    {
        var result = await CliRun.RunWithInputAsync($"{Critical}\n\uFEFF{Government}\n", "score");

        result.ExitCode.ShouldBe(1);
        result.Lines[1].ShouldContain("\terror\t2:1 ");
    }

    [Theory]
    [InlineData("\n")]
    [InlineData("\r\n")]
    [InlineData("")]
    public async Task Score_LineOfExactly65536Bytes_IsReadWhole(string ending)
    {
        // It was rejected as "longer than 65536 bytes".
        var result = await CliRun.RunWithInputAsync(Padded(MaxLine) + ending + (ending.Length > 0 ? Government + "\n" : ""), "score");

        result.ExitCode.ShouldBe(0);
        result.Lines[0].ShouldBe($"{Critical}\t10.0\tCritical");
    }

    [Theory]
    [InlineData("\n")]
    [InlineData("\r\n")]
    [InlineData("")]
    public async Task Score_LineOf65537Bytes_IsTooLongAndTheNextLineStillScores(string ending)
    {
        var result = await CliRun.RunWithInputAsync(Padded(MaxLine + 1) + ending + (ending.Length > 0 ? Government + "\n" : ""), "score");

        result.ExitCode.ShouldBe(1);
        result.Lines[0].ShouldContain("\terror\t1:1 line longer than 65536 bytes");
        result.Lines[0].ShouldStartWith(Critical);
        if (ending.Length > 0)
        {
            result.Lines[1].ShouldBe($"{Government}\t8.5\tHigh");
        }
    }
}
