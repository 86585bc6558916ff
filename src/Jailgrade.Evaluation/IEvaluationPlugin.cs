namespace Jailgrade.Evaluation;

/// <summary>
/// The contract every pluggable part shares (target providers, transforms, judges, importers):
/// a stable id used in campaign files and results, a version recorded in the manifest, and a line
/// of description for <c>--help</c> and the docs. Parts are registered explicitly in
/// <see cref="EvaluationRegistry"/>.
/// </summary>
public interface IEvaluationPlugin
{
    /// <summary>The id used in campaign files (<c>openai</c>, <c>base64</c>, <c>refusal-keywords</c>).</summary>
    string Id { get; }

    /// <summary>Changes whenever the part's behaviour changes, so results say what produced them.</summary>
    string Version { get; }

    /// <summary>One line saying what the part does.</summary>
    string Description { get; }
}
