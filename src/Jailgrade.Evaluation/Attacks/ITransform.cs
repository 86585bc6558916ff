namespace Jailgrade.Evaluation.Attacks;

/// <summary>A rewrite of an attacked prompt. Pure and deterministic: the same input gives the same output.</summary>
public interface ITransform : IEvaluationPlugin
{
    /// <summary>The settings the transform accepts in a campaign file (beside <c>id</c>).</summary>
    IReadOnlyList<string> SettingNames { get; }

    /// <summary>Checks the settings; null when they are fine, else what is wrong.</summary>
    string? Validate(IReadOnlyDictionary<string, object> settings);

    /// <summary>Applies the transform.</summary>
    AttackedPrompt Apply(AttackedPrompt prompt, IReadOnlyDictionary<string, object> settings, string behavior);
}

/// <summary>Builds attacked prompts: template first, then the transforms in the listed order.</summary>
public sealed class AttackComposer(IReadOnlyDictionary<string, ITransform> transforms)
{
    /// <summary>The slot a template puts the behavior in.</summary>
    public const string Slot = "{{behavior}}";

    /// <summary>Builds the prompt one attack makes of one behavior.</summary>
    public AttackedPrompt Compose(AttackSpec attack, string behavior)
    {
        ArgumentNullException.ThrowIfNull(attack);
        var prompt = AttackedPrompt.OneTurn(attack.Template is { } template ? template.Replace(Slot, behavior, StringComparison.Ordinal) : behavior);
        foreach (var step in attack.Transforms)
        {
            prompt = transforms[step.Id].Apply(prompt, step.Settings, behavior);
        }

        return prompt;
    }
}
