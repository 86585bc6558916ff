using Jailgrade.Evaluation.Attacks;
using Jailgrade.Evaluation.Attacks.Transforms;
using Jailgrade.Evaluation.Judges;
using Jailgrade.Evaluation.Probes;
using Jailgrade.Evaluation.Probes.Importers;
using Jailgrade.Evaluation.Targets;

namespace Jailgrade.Evaluation;

/// <summary>
/// Every pluggable part, registered explicitly here and nowhere else (no assembly scanning). Adding a
/// part is one line in its group; the plugin tests check each registered part.
/// </summary>
public sealed class EvaluationRegistry
{
    /// <summary>The registry with every built-in part.</summary>
    public static EvaluationRegistry Default { get; } = new();

    private EvaluationRegistry()
    {
        // Targets: endpoint protocols
        Providers = Index<IChatProvider>(
            new OpenAiChatProvider(),
            new AnthropicChatProvider(),
            new Mock.MockChatProvider());

        // Attacks: transforms applied after the template
        Transforms = Index<ITransform>(
            new Base64Transform(),
            new Rot13Transform(),
            new LeetspeakTransform(),
            new ManyShotTransform(),
            new MultiTurnTransform());

        // Probes: importers of public benchmark formats and our own JSONL
        Importers = Index<IProbeImporter>(
            new HarmBenchImporter(),
            new JailbreakBenchImporter(),
            new JailbreakBenchArtifactImporter(),
            new AdvBenchImporter(),
            new StrongRejectImporter(),
            new JsonlImporter());

        // Probes: built-in sets
        BuiltinProbeSets = Index<IProbeSet>(new CanaryProbeSet());

        // Judges (the rubric judge is built per campaign around its judge target)
        JudgeKinds = ["refusal-keywords", "rubric"];
    }

    /// <summary>Endpoint protocols by id.</summary>
    public IReadOnlyDictionary<string, IChatProvider> Providers { get; }

    /// <summary>Transforms by id.</summary>
    public IReadOnlyDictionary<string, ITransform> Transforms { get; }

    /// <summary>Probe importers by format id.</summary>
    public IReadOnlyDictionary<string, IProbeImporter> Importers { get; }

    /// <summary>Built-in probe sets by name.</summary>
    public IReadOnlyDictionary<string, IProbeSet> BuiltinProbeSets { get; }

    /// <summary>The judge kinds a campaign may name.</summary>
    public IReadOnlyList<string> JudgeKinds { get; }

    /// <summary>Every registered part, for the docs and the plugin tests.</summary>
    public IEnumerable<IEvaluationPlugin> All =>
        Providers.Values.Cast<IEvaluationPlugin>()
            .Concat(Transforms.Values)
            .Concat(Importers.Values)
            .Concat(BuiltinProbeSets.Values)
            .Append(new RefusalKeywordJudge());

    private static Dictionary<string, T> Index<T>(params T[] parts)
        where T : IEvaluationPlugin => parts.ToDictionary(p => p.Id, StringComparer.Ordinal);
}
