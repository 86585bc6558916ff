using Jailgrade.Evaluation.Judges;

namespace Jailgrade.Evaluation.Storage;

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
