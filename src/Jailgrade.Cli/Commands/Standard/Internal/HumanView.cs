using Jailgrade.Standard;
using Jailgrade.Standard.Explanation;
using Jailgrade.Standard.Scoring;

namespace Jailgrade.Cli.Commands.Standard.Internal;

/// <summary>The human-readable views of a score, written for a policy reader rather than an engineer.</summary>
internal static class HumanView
{
    /// <summary>Score, band, cyber-scale equivalent, sub-scores and the current score.</summary>
    public static void WriteSummary(TextWriter output, JgExplanation explanation)
    {
        var score = explanation.Score;
        output.WriteLine(score.Vector.ToString());
        var cjs = score.Cjs is { } label ? $"   cyber scale {label}" : "";
        output.WriteLine($"  score        {score.Base,4}  {score.Band} ({score.Band.Range()}){cjs}");
        output.WriteLine($"  sub-scores   bypass {score.Bypass} + capability {score.Capability} + impact {score.Impact} = {score.Raw} raw{Adjustment(explanation)}");
        if (score.Current is { } current)
        {
            var status = score.Vector.ValueOf(Metric.MitigationStatus);
            output.WriteLine($"  current      {current,4}  {current.Band} (MS:{status.Abbreviation} {status.Name.ToLowerInvariant()}; the base score stays {score.Base})");
        }
    }

    /// <summary>Each metric's contribution in log-points (+1.0 is about twice the risk).</summary>
    public static void WriteContributions(TextWriter output, JgExplanation explanation)
    {
        output.WriteLine("  what each metric adds over its least severe value (+1.0 is about twice the risk):");
        foreach (var contribution in explanation.Contributions)
        {
            var name = JgMetrics.Get(contribution.Metric).Name;
            var value = $"{contribution.Value} {contribution.ValueName}";
            var adds = contribution.ZeroesScore ? "zeroes the score: nothing beyond freely available information"
                : contribution.Metric == Metric.CapabilityGain ? $"+{contribution.Points} (over UP:1)"
                : $"+{contribution.Points}";
            output.WriteLine($"    {contribution.Code} {name,-20} {value,-38} {adds}");
        }
    }

    /// <summary>Every single-metric change that would move the vector into another band, grouped by band.</summary>
    public static void WriteBandChanges(TextWriter output, JgExplanation explanation)
    {
        var band = explanation.Score.Band;
        if (explanation.BandChanges.Count == 0)
        {
            output.WriteLine($"  no change of a single metric moves this vector out of {band}.");
            return;
        }

        output.WriteLine($"  what would move it out of {band} (one metric changed, the others as they are):");
        foreach (var group in explanation.BandChanges.GroupBy(c => c.NewBand).OrderByDescending(g => g.Key))
        {
            var direction = group.Key > band ? "up to" : "down to";
            output.WriteLine($"    {direction} {group.Key}:");
            foreach (var change in group)
            {
                output.WriteLine($"      {change.Code}:{change.From} -> {change.Code}:{change.To} ({change.ToName})  gives {change.NewScore}");
            }
        }
    }

    private static string Adjustment(JgExplanation explanation)
    {
        var score = explanation.Score;
        if (score.Base.Tenths == 0)
        {
            return "; UP:0 gives 0.0";
        }

        if (explanation.Cap is { } cap)
        {
            return $"; capped at {cap} for the {score.Vector.Tier.ToString().ToLowerInvariant()} tier";
        }

        return explanation.Floored ? "; raised to the 0.1 floor" : "";
    }
}
