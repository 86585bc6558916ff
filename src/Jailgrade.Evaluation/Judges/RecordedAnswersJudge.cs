namespace Jailgrade.Evaluation.Judges;

/// <summary>
/// What judges the answers a finished artifact recorded (standard 7.2): the source's own labels
/// (the default), or the campaign's judge. The other is reported beside it as a comparison.
/// </summary>
public enum RecordedAnswersJudge
{
    /// <summary>The source's recorded labels give the headline judgment; the campaign's judge is the comparison.</summary>
    Labels,

    /// <summary>The campaign's judge gives the headline judgment; the labels are the comparison.</summary>
    Judge,
}
