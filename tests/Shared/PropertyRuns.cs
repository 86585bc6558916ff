using FsCheck;
using Microsoft.FSharp.Core;

namespace Jailgrade.Tests.Shared;

/// <summary>
/// How every property test runs. Locally each run draws a fresh seed, so new counterexamples keep
/// turning up (FsCheck prints the seed of a failure). In CI (<c>CI=true</c>) every property replays one
/// fixed seed, so a red build is the code's doing and reproduces exactly. <c>JAILGRADE_PROPERTY_SEED</c>
/// replays any seed, e.g. one a local failure printed.
/// </summary>
internal static class PropertyRuns
{
    /// <summary>The seed CI replays.</summary>
    public const ulong CiSeed = 20261122;

    /// <summary>Checks <paramref name="property"/> with <paramref name="maxTest"/> cases, throwing on a counterexample.</summary>
    public static void Verify(this Property property, int maxTest = 100)
    {
        ArgumentNullException.ThrowIfNull(property);
        property.Check(Config(maxTest));
    }

    /// <summary>The configuration <see cref="Verify"/> uses.</summary>
    public static Config Config(int maxTest = 100)
    {
        var config = FsCheck.Config.QuickThrowOnFailure.WithMaxTest(maxTest);
        return Seed() is { } seed
            ? config.WithReplay(FSharpOption<Replay>.Some(new Replay(new Rnd(seed), FSharpOption<int>.None)))
            : config;
    }

    private static ulong? Seed()
    {
        if (ulong.TryParse(Environment.GetEnvironmentVariable("JAILGRADE_PROPERTY_SEED"), out var chosen))
        {
            return chosen;
        }

        return string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase) ? CiSeed : null;
    }
}
