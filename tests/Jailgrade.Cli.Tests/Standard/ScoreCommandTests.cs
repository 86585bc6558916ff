using System.Text;
using System.Text.Json;
using Jailgrade.Cli.Tests.TestSupport;

namespace Jailgrade.Cli.Tests.Standard;

public class ScoreCommandTests
{
    private const string Critical = "JG:1.0/UN:U/RL:H/AC:L/AR:N/HD:CY/UP:3/BR:W/FD:H/EX:P/DP:G";
    private const string Government = "JG:1.0/UN:C/RL:M/AC:M/AR:N/HD:CY/UP:3/BR:S/FD:H/EX:N/DP:G";

    [Fact]
    public async Task Score_Stdin_WritesOneTsvLinePerVectorAndSkipsBlankLines()
    {
        var result = await CliRun.RunWithInputAsync($"{Critical}\r\n\n   {Government}  \n\n", "score");
        result.ExitCode.ShouldBe(0);
        result.Stdout.ShouldBe($"{Critical}\t10.0\tCritical\n{Government}\t8.5\tHigh\n");
        result.Stderr.ShouldBeEmpty();
    }

    [Fact]
    public async Task Score_NoArgumentsOnATerminal_SaysItIsReadingStandardInput_AndPipedSaysNothing()
    {
        async Task<CliResult> Run(bool inputIsTerminal)
        {
            using var input = new MemoryStream(Encoding.UTF8.GetBytes(Critical + "\n"));
            using var output = new MemoryStream();
            using var error = new StringWriter { NewLine = "\n" };
            var context = new Jailgrade.Cli.Hosting.CliContext(input, output, error, outputIsTerminal: false) { InputIsTerminal = inputIsTerminal };
            var code = await Jailgrade.Cli.JailgradeCli.RunAsync(["score"], context);
            return new CliResult(code, Encoding.UTF8.GetString(output.ToArray()), error.ToString());
        }

        var typed = await Run(inputIsTerminal: true);
        var piped = await Run(inputIsTerminal: false);

        typed.Stderr.ShouldBe("jailgrade score: reading vectors from standard input, one per line; end with Ctrl+D (or give vectors as arguments: jailgrade score JG:1.0/...).\n");
        typed.Stdout.ShouldBe($"{Critical}\t10.0\tCritical\n", "the hint goes to stderr, never into the data");
        piped.Stderr.ShouldBeEmpty();
    }

    [Fact]
    public async Task Score_StdinWithoutFinalNewline_ScoresTheLastLine()
    {
        var result = await CliRun.RunWithInputAsync(Critical, "score");
        result.Stdout.ShouldBe($"{Critical}\t10.0\tCritical\n");
    }

    [Fact]
    public async Task Score_InvalidLine_GivesAnErrorRecordKeepsGoingAndExitsOne()
    {
        var result = await CliRun.RunWithInputAsync($"{Critical}\nJG:1.0/UN:Q\n{Government}\n", "score");
        result.ExitCode.ShouldBe(1);
        result.Lines.ShouldBe([
            $"{Critical}\t10.0\tCritical",
            "JG:1.0/UN:Q\terror\t2:11 bad value 'Q' for UN: expected one of N, C, U",
            $"{Government}\t8.5\tHigh",
        ]);
        result.Stderr.ShouldContain("1 of 3 vectors invalid");
    }

    [Fact]
    public async Task Score_Json_WritesTheDocumentedFieldsWithOneDecimalScores()
    {
        var result = await CliRun.RunWithInputAsync($"{Critical}/MS:P\nJG:1.0/UN:U/RL:H/AC:L/AR:N/HD:BI/UP:3/BR:W/FD:H/EX:P/DP:G\n", "score", "--json");
        result.ExitCode.ShouldBe(0);
        result.Lines[0].ShouldBe("""{"standard":"JG 1.0","vector":"JG:1.0/UN:U/RL:H/AC:L/AR:N/HD:CY/UP:3/BR:W/FD:H/EX:P/DP:G/MS:P","score":10.0,"band":"Critical","cjs":"CJS-4","subscores":{"bypass":3.2,"capability":6.1,"impact":1.2},"current_score":8.0,"current_band":"High"}""");
        using var other = JsonDocument.Parse(result.Lines[1]);
        other.RootElement.GetProperty("cjs").ValueKind.ShouldBe(JsonValueKind.Null);
        other.RootElement.TryGetProperty("current_score", out _).ShouldBeFalse();
    }

    [Fact]
    public async Task Score_JsonError_NamesInputLinePositionAndMetric()
    {
        var result = await CliRun.RunWithInputAsync("\nJG:1.0/UN:U/UN:U\n", "score", "--json");
        result.ExitCode.ShouldBe(1);
        using var record = JsonDocument.Parse(result.Lines.Single());
        record.RootElement.GetProperty("input").GetString().ShouldBe("JG:1.0/UN:U/UN:U");
        record.RootElement.GetProperty("line").GetInt32().ShouldBe(2);
        var error = record.RootElement.GetProperty("error");
        error.GetProperty("position").GetInt32().ShouldBe(13);
        error.GetProperty("metric").GetString().ShouldBe("UN");
        error.GetProperty("message").GetString()!.ShouldContain("appears twice");
    }

    [Fact]
    public async Task Score_Arguments_WhenPiped_AreData()
    {
        var result = await CliRun.RunAsync("score", Critical, "JG:1.0/bad");
        result.ExitCode.ShouldBe(1);
        result.Lines[0].ShouldBe($"{Critical}\t10.0\tCritical");
        result.Lines[1].ShouldStartWith("JG:1.0/bad\terror\t2:8 ");
    }

    [Fact]
    public async Task Score_EmptyArgument_IsAnErrorRecordNotASilentSkip()
    {
        var result = await CliRun.RunAsync("score", Critical, "");
        result.ExitCode.ShouldBe(1);
        result.Lines[1].ShouldStartWith("\terror\t2:1 empty input");
    }

    [Fact]
    public async Task Score_Arguments_OnATerminal_AreExplainedForPeople()
    {
        var result = await CliRun.RunAsync([], terminal: true, "score", Government);
        result.ExitCode.ShouldBe(0);
        result.Stdout.ShouldContain("score         8.5  High (7.0-8.9)   cyber scale CJS-3");
        result.Stdout.ShouldContain("bypass 1.9 + capability 5.8 + impact 0.8 = 8.5 raw");
        result.Stdout.ShouldContain("UP Capability gain      3 Significant");
    }

    [Fact]
    public async Task Score_OverlongLine_IsAnErrorRecordAndTheNextLineStillScores()
    {
        var input = new string('x', 200_000) + "\n" + Critical + "\n";
        var result = await CliRun.RunWithInputAsync(input, "score");
        result.ExitCode.ShouldBe(1);
        result.Lines.Length.ShouldBe(2);
        result.Lines[0].ShouldContain("\terror\t1:1 line longer than");
        result.Lines[0].Length.ShouldBeLessThan(200);
        result.Lines[1].ShouldBe($"{Critical}\t10.0\tCritical");
    }

    [Fact]
    public async Task Score_InvalidUtf8_IsAnErrorRecordNotACrash()
    {
        var bytes = Encoding.UTF8.GetBytes("JG:1.0/UN:").Concat(new byte[] { 0xFF, 0xFE }).Concat(Encoding.UTF8.GetBytes("\n")).ToArray();
        var result = await CliRun.RunAsync(bytes, terminal: false, "score");
        result.ExitCode.ShouldBe(1);
        result.Stdout.ShouldContain("\terror\t1:11 bad value");
    }

    [Fact]
    public async Task Score_ManyLines_StreamsEveryRecordInOrder()
    {
        var vectors = Enumerable.Range(0, 50_000).Select(i => i % 2 == 0 ? Critical : Government);
        var result = await CliRun.RunWithInputAsync(string.Join('\n', vectors), "score");
        result.ExitCode.ShouldBe(0);
        result.Lines.Length.ShouldBe(50_000);
        result.Lines[49_999].ShouldBe($"{Government}\t8.5\tHigh");
    }

    [Fact]
    public async Task Score_UnknownOption_IsAUsageErrorWithExitTwo()
    {
        var result = await CliRun.RunAsync("score", "--frobnicate");
        result.ExitCode.ShouldBe(2);
        result.Stderr.ShouldContain("--frobnicate");
        result.Stderr.ShouldContain("jailgrade score --help");
        result.Stdout.ShouldBeEmpty();
    }
}
