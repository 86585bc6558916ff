namespace Jailgrade.Evaluation.Targets;

/// <summary>
/// The headers only the built-in mock target reads. They go to targets with <c>mock_headers: true</c>
/// (<see cref="TargetSpec.MockHeaders"/>), never to a real endpoint.
/// </summary>
public static class MockTargetHeaders
{
    /// <summary>The attempt number (0 for the first try): the mock's injected faults derive from it, so a retry can succeed.</summary>
    public const string Attempt = "X-Jailgrade-Attempt";

    /// <summary>The sample's seed, for the Anthropic protocol, whose body has no <c>seed</c> field.</summary>
    public const string Seed = "X-Jailgrade-Seed";
}
