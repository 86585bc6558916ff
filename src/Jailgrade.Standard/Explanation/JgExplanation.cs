using Jailgrade.Standard.Scoring;

namespace Jailgrade.Standard.Explanation;

/// <summary>
/// What one metric adds: the log-points (tenths) of its value over the metric's least severe value,
/// the others fixed, before the tier cap and floor. For UP the reference is UP:1, since UP:0 zeroes
/// the score (then <see cref="ZeroesScore"/> is set and <see cref="Points"/> is 0.0).
/// </summary>
public sealed record MetricContribution(Metric Metric, string Code, string Value, string ValueName, Score Points, bool ZeroesScore);

/// <summary>A change of one metric to another value that moves the vector into another band.</summary>
public sealed record BandChange(Metric Metric, string Code, string From, string To, string ToName, Score NewScore, Band NewBand);

/// <summary>The explanation of one vector's score.</summary>
/// <param name="Score">The score being explained.</param>
/// <param name="Contributions">Every base metric's contribution, in vector order.</param>
/// <param name="BandChanges">Every single-metric change that moves the base score into another band, in vector order, then value order.</param>
/// <param name="Cap">The tier cap that applied, when the raw sum exceeded it.</param>
public sealed record JgExplanation(JgScore Score, IReadOnlyList<MetricContribution> Contributions, IReadOnlyList<BandChange> BandChanges, Score? Cap)
{
    /// <summary>Whether the raw sum was below 0.1 and the floor lifted it.</summary>
    public bool Floored => Score.Base.Tenths == 1 && Score.Raw.Tenths < 1;
}
