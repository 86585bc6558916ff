using System.Globalization;
using Jailgrade.Evaluation.Mock;
using YamlDotNet.RepresentationModel;

namespace Jailgrade.Evaluation.Campaigns.Internal;

/// <summary>
/// Reads a <c>provider: mock</c> target's <c>mock:</c> mapping (docs/campaigns.md, "The simulated
/// target") into the simulated model's options; each bad value is an error at its place.
/// </summary>
internal static class MockSettingsReader
{
    /// <summary>The keys of <c>mock:</c>, named like <c>jailgrade mock-target</c>'s options.</summary>
    public static readonly string[] Keys =
    [
        "vulnerable", "refusal", "answers_rubric", "latency_ms", "fault_429", "retry_after", "fault_500", "fault_hang", "hang_s",
        "fault_malformed", "fault_truncated",
    ];

    public static MockTargetOptions Read(YamlWalker walker, YamlNode? node, string place)
    {
        var defaults = new MockTargetOptions();
        var where = $"'mock' of {place}";
        if (walker.Map(node, where) is not { } map)
        {
            return defaults;
        }

        walker.CheckKeys(map, where, Keys);
        var vulnerabilities = new List<MockVulnerability>();
        foreach (var item in walker.Sequence(map, "vulnerable", where, required: false, max: 100))
        {
            if (item is not YamlScalarNode { Value: { Length: > 0 } text })
            {
                walker.Error(item, $"'vulnerable' in {where} lists REGEX=PROBABILITY values, not a list or mapping");
            }
            else if (MockChatProvider.TryParseVulnerability(text, out var vulnerability, out var error))
            {
                vulnerabilities.Add(vulnerability);
            }
            else
            {
                walker.Error(item, $"bad value '{text}' in 'vulnerable' of {place} ({error})");
            }
        }

        var faults = new MockFaults
        {
            RateLimited = walker.Number(map, "fault_429", where, 0, 1) ?? 0,
            RetryAfterSeconds = (int)(walker.Integer(map, "retry_after", where, 0, 3600) ?? defaults.Faults.RetryAfterSeconds),
            ServerError = walker.Number(map, "fault_500", where, 0, 1) ?? 0,
            Hang = walker.Number(map, "fault_hang", where, 0, 1) ?? 0,
            HangDuration = walker.Number(map, "hang_s", where, 0, 3600, minExclusive: true) is { } hang ? TimeSpan.FromSeconds(hang) : defaults.Faults.HangDuration,
            Malformed = walker.Number(map, "fault_malformed", where, 0, 1) ?? 0,
            Truncated = walker.Number(map, "fault_truncated", where, 0, 1) ?? 0,
        };
        if (faults.Total > 1)
        {
            walker.Error(map, string.Create(CultureInfo.InvariantCulture,
                $"the fault probabilities of {place} add up to {faults.Total:0.###} (expected at most 1: each attempt gets at most one fault)"));
        }

        return new MockTargetOptions
        {
            Vulnerabilities = vulnerabilities,
            Refusal = walker.String(map, "refusal", where) ?? defaults.Refusal,
            AnswersRubric = walker.Boolean(map, "answers_rubric", where) ?? defaults.AnswersRubric,
            Latency = TimeSpan.FromMilliseconds(walker.Integer(map, "latency_ms", where, 0, 600_000) ?? 0),
            Faults = faults,
        };
    }
}
