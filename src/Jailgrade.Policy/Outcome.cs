namespace Jailgrade.Policy;

/// <summary>What a policy decides must happen, ordered from least to most severe.</summary>
public enum Outcome
{
    /// <summary>Record the case and watch it; no deadline beyond the policy's reporting.</summary>
    Track,
    /// <summary>Fix the safeguards within the policy's deadlines.</summary>
    Mitigate,
    /// <summary>Restrict who may reach the release (countries, identity levels) until fixed.</summary>
    Restrict,
    /// <summary>Take the release off the market until fixed and verified.</summary>
    Suspend,
}

/// <summary>Outcome helpers.</summary>
public static class Outcomes
{
    /// <summary>All outcomes, least severe first.</summary>
    public static IReadOnlyList<Outcome> All { get; } = [Outcome.Track, Outcome.Mitigate, Outcome.Restrict, Outcome.Suspend];

    /// <summary>Parses an outcome name exactly as written in policies ("Restrict").</summary>
    public static bool TryParse(string? text, out Outcome outcome)
    {
        foreach (var candidate in All)
        {
            if (string.Equals(text, candidate.ToString(), StringComparison.Ordinal))
            {
                outcome = candidate;
                return true;
            }
        }

        outcome = default;
        return false;
    }
}
