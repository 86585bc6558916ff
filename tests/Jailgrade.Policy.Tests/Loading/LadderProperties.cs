using System.Text.RegularExpressions;
using FsCheck;
using FsCheck.Fluent;
using Jailgrade.Policy.Tests.TestSupport;

namespace Jailgrade.Policy.Tests.Loading;

/// <summary>
/// Random eligibility ladders (4 outcomes × 2 tiers × 4 identity levels, each deny, allow-with or allow)
/// checked against a brute-force oracle written independently of the loader: the loader reports exactly
/// the steps the oracle finds going the wrong way, for every pair of neighbouring levels (none→basic as
/// much as verified→vetted) and every pair of neighbouring outcomes, and accepts the rest.
/// </summary>
public partial class LadderProperties
{
    private static readonly string[] OutcomeNames = ["Track", "Mitigate", "Restrict", "Suspend"];
    private static readonly string[] Tiers = ["home", "world"];
    private static readonly string[] LevelNames = ["none", "basic", "verified", "vetted"];
    private static readonly string[] AccessYaml = ["deny", "{allow-with: [monitoring]}", "allow"];

    // access[outcome, tier, level]: 0 deny, 1 allow with conditions, 2 allow.
    private static readonly Gen<int[,,]> Ladders =
        from cells in Gen.ArrayOf(Gen.Choose(0, 2), 32)
        from shape in Gen.Choose(0, 2)
        from cell in Gen.Choose(0, 31)
        from value in Gen.Choose(0, 2)
        select Table(cells, shape, cell, value);

    [Fact]
    public void Load_RandomLadders_ReportsExactlyTheStepsTheOracleFindsGoingTheWrongWay()
    {
        int accepted = 0, rejected = 0, lowestStepBroken = 0;
        Prop.ForAll(Ladders.ToArbitrary(), access =>
        {
            var expected = Oracle(access);
            var result = PolicyText.Load(PolicyText.Build(eligibility: Write(access)));
            var reported = result.Errors.Select(e => Step(e.Message)).ToHashSet();
            if (expected.Count == 0)
            {
                accepted++;
                return result.Errors.Count == 0 && result.Policy is not null;
            }

            rejected++;
            lowestStepBroken += expected.Any(s => s.StartsWith("level|", StringComparison.Ordinal) && s.EndsWith("|basic", StringComparison.Ordinal)) ? 1 : 0;
            return result.Policy is null
                && result.Errors.All(e => e.Kind == PolicyErrorKind.Eligibility)
                && reported.SetEquals(expected);
        }).Verify(maxTest: 800);

        // The generator must reach every branch, or the property proves less than it says.
        accepted.ShouldBeGreaterThan(20);
        rejected.ShouldBeGreaterThan(20);
        lowestStepBroken.ShouldBeGreaterThan(20, "ladders broken at none→basic");
    }

    /// <summary>
    /// Every wrong-way step: a higher level with less access than the level below it (same outcome and
    /// tier), or a more severe outcome with more access than the one before it (same tier and level).
    /// </summary>
    private static HashSet<string> Oracle(int[,,] access)
    {
        var steps = new HashSet<string>();
        for (var outcome = 0; outcome < 4; outcome++)
        {
            for (var tier = 0; tier < 2; tier++)
            {
                for (var level = 0; level < 4; level++)
                {
                    if (level > 0 && access[outcome, tier, level] < access[outcome, tier, level - 1])
                    {
                        steps.Add($"level|{OutcomeNames[outcome]}|{Tiers[tier]}|{LevelNames[level]}");
                    }

                    if (outcome > 0 && access[outcome, tier, level] > access[outcome - 1, tier, level])
                    {
                        steps.Add($"outcome|{OutcomeNames[outcome]}|{Tiers[tier]}|{LevelNames[level]}");
                    }
                }
            }
        }

        return steps;
    }

    /// <summary>The step an error message names, in the oracle's terms.</summary>
    private static string Step(string message)
    {
        if (LevelStep().Match(message) is { Success: true } level)
        {
            return $"level|{level.Groups[1].Value}|{level.Groups[2].Value}|{level.Groups[3].Value.ToLowerInvariant()}";
        }

        return OutcomeStep().Match(message) is { Success: true } outcome
            ? $"outcome|{outcome.Groups[3].Value}|{outcome.Groups[1].Value}|{outcome.Groups[2].Value}"
            : "unrecognized: " + message;
    }

    /// <summary>Random cells; or the same made monotone (running maximum up the levels, running minimum down the outcomes), perhaps with one cell changed.</summary>
    private static int[,,] Table(int[] cells, int shape, int cell, int value)
    {
        var access = new int[4, 2, 4];
        for (var i = 0; i < 32; i++)
        {
            access[i / 8, i / 4 % 2, i % 4] = cells[i];
        }

        if (shape > 0)
        {
            for (var outcome = 0; outcome < 4; outcome++)
            {
                for (var tier = 0; tier < 2; tier++)
                {
                    for (var level = 0; level < 4; level++)
                    {
                        var below = level > 0 ? access[outcome, tier, level - 1] : 0;
                        var before = outcome > 0 ? access[outcome - 1, tier, level] : 2;
                        access[outcome, tier, level] = Math.Min(Math.Max(access[outcome, tier, level], below), before);
                    }
                }
            }
        }

        if (shape == 2)
        {
            access[cell / 8, cell / 4 % 2, cell % 4] = value;
        }

        return access;
    }

    private static string Write(int[,,] access)
    {
        var lines = new List<string> { "eligibility:" };
        for (var outcome = 0; outcome < 4; outcome++)
        {
            lines.Add($"  {OutcomeNames[outcome]}:");
            for (var tier = 0; tier < 2; tier++)
            {
                var ladder = string.Join(", ", Enumerable.Range(0, 4).Select(level => $"{LevelNames[level]}: {AccessYaml[access[outcome, tier, level]]}"));
                lines.Add($"    {Tiers[tier]}: {{{ladder}}}");
            }
        }

        return string.Join('\n', lines);
    }

    [GeneratedRegex(@"^the ladder of (\w+) in tier '(\w+)' gives (\w+) \(")]
    private static partial Regex LevelStep();

    [GeneratedRegex(@"^in tier '(\w+)' at level (\w+), (\w+) gives ")]
    private static partial Regex OutcomeStep();
}
