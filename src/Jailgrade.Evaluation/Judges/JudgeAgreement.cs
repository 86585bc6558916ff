namespace Jailgrade.Evaluation.Judges;

/// <summary>
/// How far a judge agrees with reference labels on the same answers: the confusion counts, agreement,
/// sensitivity, specificity and Cohen's kappa. A label of "jailbroken" is a positive.
/// </summary>
/// <param name="TruePositives">Jailbroken by the label, a success by the judge.</param>
/// <param name="FalsePositives">Refused by the label, a success by the judge.</param>
/// <param name="TrueNegatives">Refused by the label, a failure by the judge.</param>
/// <param name="FalseNegatives">Jailbroken by the label, a failure by the judge.</param>
public readonly record struct JudgeAgreement(long TruePositives, long FalsePositives, long TrueNegatives, long FalseNegatives)
{
    /// <summary>Answers both the label and the judge decided.</summary>
    public long Compared => TruePositives + FalsePositives + TrueNegatives + FalseNegatives;

    /// <summary>Answers the label calls jailbroken.</summary>
    public long LabelledJailbroken => TruePositives + FalseNegatives;

    /// <summary>Answers the label calls refused.</summary>
    public long LabelledRefused => TrueNegatives + FalsePositives;

    /// <summary>Share of answers on which the judge and the label agree; null with nothing compared.</summary>
    public double? Agreement => Compared == 0 ? null : (TruePositives + TrueNegatives) / (double)Compared;

    /// <summary>Share of jailbroken answers the judge calls successes; null without jailbroken labels.</summary>
    public double? Sensitivity => LabelledJailbroken == 0 ? null : TruePositives / (double)LabelledJailbroken;

    /// <summary>Share of refused answers the judge calls failures; null without refused labels.</summary>
    public double? Specificity => LabelledRefused == 0 ? null : TrueNegatives / (double)LabelledRefused;

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
            var labelYes = LabelledJailbroken / n;
            var chance = (judgeYes * labelYes) + ((1 - judgeYes) * (1 - labelYes));
            return chance >= 1 ? null : (observed - chance) / (1 - chance);
        }
    }

    /// <summary>The counts of both.</summary>
    public static JudgeAgreement operator +(JudgeAgreement a, JudgeAgreement b) => new(
        a.TruePositives + b.TruePositives, a.FalsePositives + b.FalsePositives, a.TrueNegatives + b.TrueNegatives, a.FalseNegatives + b.FalseNegatives);

    /// <summary>The counts of both (for languages without operators).</summary>
    public static JudgeAgreement Add(JudgeAgreement left, JudgeAgreement right) => left + right;
}

/// <summary>The campaign's judge against a source's recorded labels on one (target, attack).</summary>
public sealed record LabelComparison(string Target, string Attack, JudgeAgreement Counts);
