using Jailgrade.Policy.Examples;

namespace Jailgrade.Policy.Tests.Docs;

/// <summary>The docs are part of the product: their example must load and every built-in must have a page citing its sources.</summary>
public class PolicyDocsTests
{
    private static string RepoFile(string relative)
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Jailgrade.slnx")))
            {
                return Path.Combine(directory.FullName, relative);
            }
        }

        throw new InvalidOperationException("Jailgrade.slnx not found above the test directory.");
    }

    [Fact]
    public void PolicyFormatPage_CompleteExample_LoadsAndDecidesAsStated()
    {
        var page = File.ReadAllText(RepoFile("docs/policy.md"));
        var start = page.IndexOf("```yaml\n", page.IndexOf("## A complete example", StringComparison.Ordinal), StringComparison.Ordinal) + "```yaml\n".Length;
        var yaml = page[start..page.IndexOf("```", start, StringComparison.Ordinal)];

        var result = PolicyLoader.Load(yaml, "docs/policy.md");

        result.Errors.ShouldBeEmpty(string.Join("\n", result.Errors));
        var examples = ExampleRunner.Run(result.Policy!);
        examples.Count.ShouldBeGreaterThanOrEqualTo(3);
        examples.Where(e => !e.Passed).Select(e => $"{e.Example.Name}: {string.Join("; ", e.Failures)}").ShouldBeEmpty();
    }

    public static TheoryData<string> Ids => [.. BuiltinPolicies.Ids];

    [Theory]
    [MemberData(nameof(Ids))]
    public void BuiltinPolicy_HasADocPageCitingEachOfItsSources(string id)
    {
        var path = RepoFile($"docs/policies/{id}.md");
        File.Exists(path).ShouldBeTrue($"docs/policies/{id}.md documents the built-in policy");
        var page = File.ReadAllText(path);
        var policy = BuiltinPolicies.Find(id)!;

        page.ShouldContain($"`{id}`");
        foreach (var source in policy.Sources)
        {
            page.ShouldContain(source.Url ?? source.Title, customMessage: $"the page cites source '{source.Id}'");
        }
    }
}
