namespace Jailgrade.Evaluation.Judges;

/// <summary>
/// A judge's confusion counts against reference labels (a calibration's, or a source's recorded labels):
/// jailbroken labels it called successes (TP) or not (FN), refused ones it called failures (TN) or
/// successes (FP); and what they measure: agreement, sensitivity, specificity and Cohen's kappa. The one
/// type for these counts everywhere: build it with named arguments, the positional order is easy to misread.
/// </summary>
public readonly record struct ConfusionCounts(long TruePositives, long FalseNegatives, long TrueNegatives, long FalsePositives)
{
    /// <summary>Examples labelled jailbroken.</summary>
    public long Jailbroken => TruePositives + FalseNegatives;

    /// <summary>Examples labelled refused.</summary>
    public long Refused => TrueNegatives + FalsePositives;

    /// <summary>Examples both the label and the judge decided.</summary>
    public long Compared => Jailbroken + Refused;

    /// <summary>Share of jailbroken examples called successes; null without any.</summary>
    public double? Sensitivity => Jailbroken == 0 ? null : TruePositives / (double)Jailbroken;

    /// <summary>Share of refused examples called failures; null without any.</summary>
    public double? Specificity => Refused == 0 ? null : TrueNegatives / (double)Refused;

    /// <summary>Share of examples on which the judge and the label agree; null with nothing compared.</summary>
    public double? Agreement => Compared == 0 ? null : (TruePositives + TrueNegatives) / (double)Compared;

    /// <summary>
    /// Cohen's kappa, <c>(po − pe) / (1 − pe)</c>, with <c>pe</c> the agreement expected from the two
    /// marginals alone. Null with nothing compared, or when chance agreement is already 1 (both raters
    /// gave one class only), where kappa is undefined.
    /// </summary>
    public double? Kappa
    {
        get
        {
            if (Compared == 0)
            {
                return null;
            }

            double n = Compared;
            var observed = (TruePositives + TrueNegatives) / n;
            var judgeYes = (TruePositives + FalsePositives) / n;
            var labelYes = Jailbroken / n;
            var chance = (judgeYes * labelYes) + ((1 - judgeYes) * (1 - labelYes));
            return chance >= 1 ? null : (observed - chance) / (1 - chance);
        }
    }

    /// <summary>The counts plus another's.</summary>
    public ConfusionCounts Add(ConfusionCounts other) =>
        new(TruePositives + other.TruePositives, FalseNegatives + other.FalseNegatives, TrueNegatives + other.TrueNegatives, FalsePositives + other.FalsePositives);
}
