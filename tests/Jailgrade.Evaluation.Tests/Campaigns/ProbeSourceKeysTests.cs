using Jailgrade.Evaluation.Campaigns;

namespace Jailgrade.Evaluation.Tests.Campaigns;

/// <summary>The probe-source keys of issue 8: <c>text_only</c>, and <c>targets</c> left out when nothing is sent.</summary>
public sealed class ProbeSourceKeysTests
{
    private static CampaignException Errors(string yaml) =>
        Should.Throw<CampaignException>(() => new CampaignLoader(EvaluationRegistry.Default).Parse(yaml, "c.yaml"));

    private static Campaign Parse(string yaml) => new CampaignLoader(EvaluationRegistry.Default).Parse(yaml, "c.yaml");

    private static string Campaign(string probes) => $"""
        campaign: c
        seed: 1
        probes:
        {probes}
        judge:
          kind: refusal-keywords
        """;

    [Fact]
    public void Targets_LeftOutWithOnlyFinishedArtifacts_AreEmpty()
    {
        var campaign = Parse(Campaign("  - file: a.json\n    format: jbb-artifacts"));

        campaign.Targets.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("  - file: a.json\n    format: jbb-artifacts\n    replay: true")]
    [InlineData("  - builtin: canary")]
    [InlineData("  - file: a.json\n    format: jbb-artifacts\n  - file: h.csv\n    format: harmbench")]
    public void Targets_LeftOutWhenSomethingIsSent_IsAnErrorNamingTheEntry(string probes)
    {
        var error = Errors(Campaign(probes)).Errors.Single();

        error.Message.ShouldStartWith("missing key 'targets' in the campaign (the probe entry at line ");
        error.Message.ShouldContain("sends requests");
    }

    [Fact]
    public void TextOnly_IsReadForHarmBench()
    {
        var campaign = Parse(Campaign("  - file: h.csv\n    format: harmbench\n    text_only: true") + "\ntargets:\n  - {id: t, provider: openai, base_url: 'http://127.0.0.1:9/v1', model: m}\n");

        campaign.Probes.Single().TextOnly.ShouldBeTrue();
    }

    [Fact]
    public void TextOnly_OnAnotherFormat_IsAnErrorAtTheKey()
    {
        var error = Errors(Campaign("  - file: a.json\n    format: jbb-artifacts\n    text_only: true")).Errors.Single();

        (error.Line, error.Column).ShouldBe((6, 16));
        error.Message.ShouldBe("'text_only' applies only to format harmbench (its multimodal behaviors file)");
    }
}
