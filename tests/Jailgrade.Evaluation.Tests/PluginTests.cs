using Jailgrade.Evaluation.Judges;

namespace Jailgrade.Evaluation.Tests;

/// <summary>Every registered part is checked here, so a new one cannot ship undocumented.</summary>
public class PluginTests
{
    private static readonly string Docs = FindDocs();

    public static TheoryData<string> PluginIds()
    {
        var data = new TheoryData<string>();
        foreach (var plugin in EvaluationRegistry.Default.All)
        {
            data.Add(plugin.Id);
        }

        data.Add("rubric");
        return data;
    }

    [Theory]
    [MemberData(nameof(PluginIds))]
    public void EveryPlugin_HasVersionDescriptionAndADocPage(string id)
    {
        var plugin = EvaluationRegistry.Default.All.FirstOrDefault(p => p.Id == id);
        if (plugin is not null)
        {
            plugin.Version.ShouldNotBeNullOrWhiteSpace();
            plugin.Description.Length.ShouldBeGreaterThan(20);
        }

        var documented = Directory.GetFiles(Path.Combine(Docs, "evaluation"), "*.md").Append(Path.Combine(Docs, "campaigns.md"))
            .Any(file => File.ReadAllText(file).Contains($"`{id}`", StringComparison.Ordinal));
        documented.ShouldBeTrue($"'{id}' is registered but no page under docs/ names it in backticks");
    }

    [Fact]
    public void CampaignsDoc_CompleteExample_LoadsAsDocumented()
    {
        var page = File.ReadAllText(Path.Combine(Docs, "campaigns.md"));
        var start = page.IndexOf("```yaml\n", StringComparison.Ordinal) + "```yaml\n".Length;
        var yaml = page[start..page.IndexOf("```", start, StringComparison.Ordinal)];

        var campaign = new Jailgrade.Evaluation.Campaigns.CampaignLoader(EvaluationRegistry.Default).Parse(yaml, "campaigns.md");

        campaign.Attacks.Select(a => a.Id).ShouldBe(["baseline", "roleplay", "roleplay-b64", "many-shot-leet", "crescendo"]);
        campaign.Probes.Count.ShouldBe(5);
        campaign.Probes[^1].TextOnly.ShouldBeTrue();
        campaign.Judge.Target!.Provider.ShouldBe("mock");
        campaign.Simulated["sim"].Vulnerabilities.Count.ShouldBe(4);
    }

    [Fact]
    public void Registry_IdsAreUniqueAcrossKinds()
    {
        var ids = EvaluationRegistry.Default.All.Select(p => p.Id).ToList();
        ids.Distinct().Count().ShouldBe(ids.Count);
    }

    [Fact]
    public void JudgesDoc_ListsEveryRefusalPhrase()
    {
        var page = File.ReadAllText(Path.Combine(Docs, "evaluation", "judges.md"));
        RefusalKeywordJudge.Phrases.ShouldAllBe(phrase => page.Contains($"`{phrase}`", StringComparison.Ordinal));
    }

    [Fact]
    public void ImportersDoc_ListsEveryDefaultCategoryMapping()
    {
        var page = File.ReadAllText(Path.Combine(Docs, "evaluation", "importers.md"));
        foreach (var importer in EvaluationRegistry.Default.Importers.Values)
        {
            foreach (var (category, domain) in importer.DefaultDomains)
            {
                page.ShouldContain($"| `{category}` | `{domain}` |");
            }
        }
    }

    private static string FindDocs()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Jailgrade.slnx")))
            {
                return Path.Combine(directory.FullName, "docs");
            }
        }

        throw new InvalidOperationException("Jailgrade.slnx not found above the test directory.");
    }
}
