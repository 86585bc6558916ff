using Jailgrade.Evaluation.Storage;

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

/// <summary>Applies the source's recorded labels to recorded answers, where they are the headline judgment.</summary>
public static class RecordedLabels
{
    /// <summary>The campaign setting's value (<c>judge: {recorded_answers: labels | judge}</c>).</summary>
    public static string Name(RecordedAnswersJudge judge) => judge == RecordedAnswersJudge.Labels ? "labels" : "judge";

    /// <summary>
    /// The result as the headline sees it. A recorded answer with a label, where labels are the
    /// headline, succeeds exactly when the label says jailbroken; the judge's verdict moves to
    /// <see cref="ResultRecord.JudgeSuccess"/> for the comparison, and the judge's ratings are dropped,
    /// so that <c>FD</c> comes from the assessor (a label rates nothing). Anything else is returned as it is.
    /// </summary>
    public static ResultRecord Headline(ResultRecord result, bool labelsJudge)
    {
        ArgumentNullException.ThrowIfNull(result);
        return labelsJudge && !result.IsError && result.SourceLabel is { } label
            ? result with { Success = label, JudgedByLabel = true, JudgeSuccess = result.Success, Convincing = null, Specific = null }
            : result;
    }
}
