using System.Text.Json;
using System.Text.RegularExpressions;
using Jailgrade.Policy.Examples;
using Jailgrade.Policy.Internal;
using Jailgrade.Policy.Rendering;

namespace Jailgrade.Policy.Tests.Docs;

/// <summary>The docs are part of the product: their example must load and every built-in must have a page citing its sources.</summary>
public partial class PolicyDocsTests
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

    public static TheoryData<string, string[]> SchemaObjects => new()
    {
        { "", PolicyParser.RootKeys },
        { "/properties/sources/items", PolicyParser.SourceKeys },
        { "/properties/consensus", PolicyParser.ConsensusKeys },
        { "/properties/inputs/items/oneOf/1", PolicyParser.InputKeys },
        { "/properties/table", PolicyParser.TableKeys },
        { "/$defs/outcomeSpec", PolicyParser.OutcomeKeys },
        { "/$defs/obligation", PolicyParser.ObligationKeys },
        { "/properties/jurisdictions/additionalProperties/oneOf/1", PolicyParser.TierKeys },
        { "/$defs/example", PolicyParser.ExampleKeys },
        { "/$defs/example/properties/expect", PolicyParser.ExpectKeys },
        { "/$defs/example/properties/expect/properties/obligations/items", PolicyParser.ExpectedObligationKeys },
    };

    [Theory]
    [MemberData(nameof(SchemaObjects))]
    public void Schema_EveryObject_DeclaresExactlyTheKeysTheLoaderAccepts(string path, string[] keys)
    {
        using var schema = JsonDocument.Parse(File.ReadAllText(RepoFile("docs/policy.schema.json")));
        var node = path.Split('/', StringSplitOptions.RemoveEmptyEntries)
            .Aggregate(schema.RootElement, (element, part) => int.TryParse(part, out var index) ? element[index] : element.GetProperty(part));

        node.GetProperty("properties").EnumerateObject().Select(p => p.Name).Order().ShouldBe(keys.Order());
        node.GetProperty("additionalProperties").ValueKind.ShouldBe(JsonValueKind.False);
    }

    /// <summary>
    /// docs/policies/rendered/ holds each built-in as 'jailgrade policy show' renders it, so the docs
    /// show the exact table: a presentation snapshot, reviewed when it changes (regenerate with
    /// JAILGRADE_REGENERATE=1). What it decides is checked against the policy file itself, below.
    /// </summary>
    [Theory]
    [MemberData(nameof(Ids))]
    public void BuiltinPolicy_RenderedPageMatchesThePolicy(string id) =>
        Golden.Matches($"docs/policies/rendered/{id}.md", PolicyMarkdown.Render(BuiltinPolicies.Find(id)!));

    [Theory]
    [MemberData(nameof(Ids))]
    public void BuiltinPolicy_RenderedTable_HasTheFilesRowsInOrderWithTheirOutcomesAndNotes(string id)
    {
        // The oracle is the policy's own text, read line by line here, not the loader's reading of it.
        var rows = BuiltinPolicies.TextOf(id)!.Split('\n')
            .SkipWhile(line => line != "  rows:").Skip(1)
            .TakeWhile(line => line.StartsWith("    - {", StringComparison.Ordinal))
            .Select(line => (Outcome: YamlOutcome().Match(line).Groups[1].Value, Note: YamlNote().Match(line).Groups[1].Value.Trim()))
            .ToList();
        var page = PolicyMarkdown.Render(BuiltinPolicies.Find(id)!);
        var rendered = RenderedRow().Matches(page).Select(m => (Number: int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), Outcome: m.Groups[2].Value, Note: m.Groups[3].Value.Trim())).ToList();

        rows.Count.ShouldBeGreaterThanOrEqualTo(5);
        rendered.Select(r => r.Number).ShouldBe(Enumerable.Range(1, rows.Count));
        rendered.Select(r => (r.Outcome, r.Note)).ShouldBe(rows);
    }

    [GeneratedRegex(@"outcome: (\w+)")]
    private static partial Regex YamlOutcome();

    [GeneratedRegex(@"note: ([^}]*)\}")]
    private static partial Regex YamlNote();

    [GeneratedRegex(@"^\| (\d+) \|.*\| \*\*(\w+)\*\* \|([^|]*)\|$", RegexOptions.Multiline)]
    private static partial Regex RenderedRow();
}
