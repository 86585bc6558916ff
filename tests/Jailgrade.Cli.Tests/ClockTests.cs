using System.Text;
using Jailgrade.Cli.Hosting;
using Jailgrade.Cli.Tests.TestSupport;

namespace Jailgrade.Cli.Tests;

/// <summary><c>JAILGRADE_NOW</c>: the clock every verb that prints or records a date reads (docs/cli.md, "The clock").</summary>
public class ClockTests
{
    private const string Vector = "JG:1.0/UN:U/RL:H/AC:L/AR:N/HD:CY/UP:3/BR:W/FD:H/EX:P/DP:G";

    [Fact]
    public async Task Decide_WithJailgradeNow_DecidesAtThatInstantAndCountsDueDatesFromIt()
    {
        var result = await CliRun.RunAsync([], terminal: false, name => name == FixedClock.Variable ? "2026-06-12T09:00:00Z" : null,
            "decide", "--policy", "us-frontier", "--vector", Vector, "--countries", "US", "--json");

        result.ExitCode.ShouldBe(0, result.Stderr);
        using var decision = System.Text.Json.JsonDocument.Parse(result.Stdout);
        decision.RootElement.GetProperty("clock").GetProperty("decided").GetString().ShouldBe("2026-06-12T09:00:00Z");
        // Critical: notify within 24 hours (docs/policies/us-frontier.md); with no --reported it counts from the decision.
        decision.RootElement.GetProperty("obligations").EnumerateArray().Select(o => o.GetProperty("due").GetString()).ShouldContain("2026-06-13T09:00:00Z");
    }

    [Fact]
    public async Task AnyVerb_JailgradeNowNotATime_IsExit2NamingTheVariableAndTheValue()
    {
        var result = await CliRun.RunAsync(Encoding.UTF8.GetBytes(Vector + "\n"), terminal: false,
            name => name == FixedClock.Variable ? "yesterday" : null, "score");

        result.ExitCode.ShouldBe((int)ExitCode.UsageError);
        result.Stdout.ShouldBeEmpty();
        result.Stderr.ShouldBe("jailgrade: JAILGRADE_NOW: 'yesterday' is not a timestamp with an offset (e.g. 2026-06-12T09:00:00Z) or a date (2026-06-12, taken as 00:00 UTC)\n");
    }

    [Fact]
    public void FixedClock_FixesTheDateOnly_TimersAndElapsedTimeStillRun()
    {
        var clock = FixedClock.FromEnvironment(_ => "2026-06-12", out var error)!;

        error.ShouldBeNull();
        clock.GetUtcNow().ShouldBe(new DateTimeOffset(2026, 6, 12, 0, 0, 0, TimeSpan.Zero));
        clock.TimestampFrequency.ShouldBe(TimeProvider.System.TimestampFrequency);
        FixedClock.FromEnvironment(_ => null, out _).ShouldBeSameAs(TimeProvider.System);
    }
}
