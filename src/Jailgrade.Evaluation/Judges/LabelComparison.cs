namespace Jailgrade.Evaluation.Judges;

/// <summary>The campaign's judge against a source's recorded labels on one (target, attack).</summary>
public sealed record LabelComparison(string Target, string Attack, ConfusionCounts Counts);
