using Jailgrade.Policy.Eligibility;

namespace Jailgrade.Policy.Internal;

/// <summary>
/// Proves the eligibility ladders monotone: within a tier and outcome, a higher identity level never
/// gets less access; within a tier and level, a more severe outcome never gets more.
/// </summary>
internal static class LadderProver
{
    public static void Prove(EligibilityLadder[][] byOutcome, Diagnostics diagnostics)
    {
        foreach (var ladders in byOutcome)
        {
            foreach (var ladder in ladders)
            {
                for (var level = 1; level < ladder.Rules.Count; level++)
                {
                    if (ladder.Rules[level].Access < ladder.Rules[level - 1].Access)
                    {
                        diagnostics.Add(ladder.Position, PolicyErrorKind.Eligibility,
                            $"the ladder of {ladder.Outcome} in tier '{ladder.Tier.Name}' gives {(IdentityLevel)level} ({ladder.Rules[level].AccessName}) less than {(IdentityLevel)(level - 1)} ({ladder.Rules[level - 1].AccessName}); a higher identity level never gets less");
                    }
                }
            }
        }

        for (var outcome = 1; outcome < byOutcome.Length; outcome++)
        {
            for (var tier = 0; tier < byOutcome[outcome].Length; tier++)
            {
                var lower = byOutcome[outcome - 1][tier];
                var higher = byOutcome[outcome][tier];
                foreach (var level in IdentityLevels.All)
                {
                    if (higher[level].Access > lower[level].Access)
                    {
                        diagnostics.Add(higher.Position, PolicyErrorKind.Eligibility,
                            $"in tier '{higher.Tier.Name}' at level {level.Name()}, {higher.Outcome} gives {higher[level].AccessName} (at {higher.Position}) but the less severe {lower.Outcome} gives only {lower[level].AccessName} (at {lower.Position}); a more severe outcome never gets more");
                    }
                }
            }
        }
    }
}
