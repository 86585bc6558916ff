using System.Text.Json;
using Jailgrade.Evaluation.Judges;
using Jailgrade.Evaluation.Runner;
using Jailgrade.Evaluation.Tests.TestSupport;

namespace Jailgrade.Evaluation.Tests.Runner;

public class ManifestTests
{
    private const string AnthropicTarget = "  - id: claude\n    provider: anthropic\n    base_url: https://api.anthropic.com\n    model: claude-model\n    api_key_env: ANTHROPIC_API_KEY";

    [Fact]
    public void Write_RecordsPerTargetWhetherTheSeedIsHonoured()
    {
        using var temp = new TempCampaign(TempCampaign.Yaml("http://127.0.0.1:9/v1", extraTarget: AnthropicTarget));
        var campaign = temp.Load();

        Manifest.Write(temp.Directory, campaign, new RefusalKeywordJudge(), new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 6, 12, 0, 0, 0, TimeSpan.Zero)));

        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(temp.Directory, Manifest.FileName)));
        var targets = manifest.RootElement.GetProperty("targets").EnumerateArray()
            .Select(t => (t.GetProperty("id").GetString(), t.GetProperty("seeded").GetBoolean()))
            .ToList();
        targets.ShouldBe([("mock", true), ("claude", false)]);
        manifest.RootElement.GetProperty("seed").GetString().ShouldBe("7");
        manifest.RootElement.GetProperty("started").GetString().ShouldBe("2026-06-12T00:00:00.0000000+00:00");
    }

    [Theory]
    [InlineData("openai", true)]
    [InlineData("anthropic", false)]
    public void IsSeeded_OnlyProvidersThatSendTheSeed(string provider, bool seeded) =>
        Manifest.IsSeeded(new Jailgrade.Evaluation.Targets.TargetSpec { Id = "t", Provider = provider, BaseUrl = "http://127.0.0.1:9", Model = "m" }).ShouldBe(seeded);
}
