using Jailgrade.Policy.Obligations;

namespace Jailgrade.Cli.Hosting;

/// <summary>
/// The clock set by <c>JAILGRADE_NOW</c> (docs/cli.md, "The clock"): every date a verb prints or records
/// is that instant, so examples in the docs and scripts print the same thing on every run. Only the date
/// is fixed; timers, timeouts and elapsed time run on the real clock, so a run still waits and times out.
/// </summary>
internal sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    /// <summary>The environment variable that sets the clock.</summary>
    public const string Variable = "JAILGRADE_NOW";

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow() => now;

    /// <summary>
    /// The clock <c>JAILGRADE_NOW</c> asks for, the system clock when it is not set, or null with the
    /// reason when its value is not a time.
    /// </summary>
    public static TimeProvider? FromEnvironment(Func<string, string?> environment, out string? error)
    {
        error = null;
        if (environment(Variable) is not { Length: > 0 } text)
        {
            return TimeProvider.System;
        }

        if (!Timestamps.TryParse(text, out var instant, out var problem))
        {
            error = $"{Variable}: {problem}";
            return null;
        }

        return new FixedClock(instant);
    }
}
