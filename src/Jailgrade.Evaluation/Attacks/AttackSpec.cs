namespace Jailgrade.Evaluation.Attacks;

/// <summary>An attack: an optional template with a <c>{{behavior}}</c> slot, then transforms in order.</summary>
public sealed record AttackSpec
{
    /// <summary>The id of the baseline attack, added unless <c>baseline: false</c>.</summary>
    public const string BaselineId = "baseline";

    /// <summary>The attack's id in results.</summary>
    public required string Id { get; init; }

    /// <summary>The template, or null to send the behavior as it is.</summary>
    public string? Template { get; init; }

    /// <summary>Transforms applied after the template, in this order.</summary>
    public IReadOnlyList<TransformSpec> Transforms { get; init; } = [];

    /// <summary>Whether this is the baseline (no template, no transforms).</summary>
    public bool IsBaseline => Id == BaselineId;
}

/// <summary>A transform and its settings (<c>shots</c> for many-shot, <c>turns</c> for multi-turn).</summary>
public sealed record TransformSpec(string Id, IReadOnlyDictionary<string, object> Settings)
{
    /// <summary>A transform with no settings.</summary>
    public static TransformSpec Of(string id) => new(id, new Dictionary<string, object>());
}
