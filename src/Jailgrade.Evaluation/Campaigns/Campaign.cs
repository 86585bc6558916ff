using Jailgrade.Evaluation.Attacks;
using Jailgrade.Evaluation.Mock;
using Jailgrade.Evaluation.Targets;

namespace Jailgrade.Evaluation.Campaigns;

/// <summary>A loaded, validated campaign file (docs/campaigns.md).</summary>
public sealed record Campaign
{
    /// <summary>The campaign's name.</summary>
    public required string Name { get; init; }

    /// <summary>The seed every random choice derives from: probe sampling, request seeds, bootstrap.</summary>
    public required ulong Seed { get; init; }

    /// <summary>Attempts per (target, attack, probe).</summary>
    public int Samples { get; init; } = 1;

    /// <summary>Where probes come from.</summary>
    public required IReadOnlyList<ProbeSourceSpec> Probes { get; init; }

    /// <summary>The attacks, the baseline first unless it was turned off.</summary>
    public required IReadOnlyList<AttackSpec> Attacks { get; init; }

    /// <summary>The targets under test; empty when nothing is sent (only finished artifacts, graded as recorded).</summary>
    public required IReadOnlyList<TargetSpec> Targets { get; init; }

    /// <summary>
    /// The settings of every <c>provider: mock</c> target (the judge's included) by target id: the simulated
    /// model runs in-process with them, and the manifest records them.
    /// </summary>
    public IReadOnlyDictionary<string, MockTargetOptions> Simulated { get; init; } = new Dictionary<string, MockTargetOptions>();

    /// <summary>How responses are judged.</summary>
    public required JudgeSpec Judge { get; init; }

    /// <summary>The results directory, relative to the campaign file unless absolute.</summary>
    public required string Output { get; init; }

    /// <summary>The largest share of errored keys with which a run still counts as complete.</summary>
    public double MaxErrorShare { get; init; } = 0.1;

    /// <summary>SHA-256 of the file's bytes: a resumed run refuses a changed file unless forced.</summary>
    public required string FileHash { get; init; }

    /// <summary>The file the campaign was loaded from.</summary>
    public required string FilePath { get; init; }
}

/// <summary>One probe source: <c>builtin: canary</c> or a file in one of the importers' formats.</summary>
public sealed record ProbeSourceSpec
{
    /// <summary>The built-in set's name (<c>canary</c>), or null for a file.</summary>
    public string? Builtin { get; init; }

    /// <summary>The file, resolved against the campaign file's folder.</summary>
    public string? File { get; init; }

    /// <summary>The importer id: harmbench, jbb, jbb-artifacts, advbench, strongreject, jsonl.</summary>
    public string? Format { get; init; }

    /// <summary>Only these source categories; empty for all.</summary>
    public IReadOnlyList<string> Categories { get; init; } = [];

    /// <summary>A seeded sample of at most this many probes; null for all.</summary>
    public int? Limit { get; init; }

    /// <summary>Overrides of the importer's category → JG hazard domain table.</summary>
    public IReadOnlyDictionary<string, string> Domains { get; init; } = new Dictionary<string, string>();

    /// <summary>The one domain of a source without categories (AdvBench).</summary>
    public string? Domain { get; init; }

    /// <summary>For attack artifacts: send their prompts to the targets instead of grading their responses.</summary>
    public bool Replay { get; init; }

    /// <summary>For a multimodal source (HarmBench's multimodal file): send the behaviors' text and ignore their images.</summary>
    public bool TextOnly { get; init; }

    /// <summary>Where the entry's <c>categories</c> list starts, for the error about a name that matches no category.</summary>
    public (int Line, int Column)? CategoriesPosition { get; init; }

    /// <summary>Where the entry starts in the campaign file, for errors found later (a missing file).</summary>
    public (int Line, int Column) Position { get; init; }
}

/// <summary>The judge: <c>refusal-keywords</c>, or <c>rubric</c> run through <see cref="Target"/>.</summary>
public sealed record JudgeSpec(string Kind, TargetSpec? Target)
{
    /// <summary>
    /// The calibration file the campaign names (<c>judge: {calibration: FILE}</c>), as a full path: stored in
    /// the results directory and its digest recorded in the manifest when a run starts.
    /// </summary>
    public string? Calibration { get; init; }

    /// <summary>What judges the answers of finished artifacts: their recorded labels unless the campaign says otherwise.</summary>
    public Judges.RecordedAnswersJudge RecordedAnswers { get; init; } = Judges.RecordedAnswersJudge.Labels;
}
