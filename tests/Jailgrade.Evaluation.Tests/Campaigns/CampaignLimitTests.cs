using Jailgrade.Evaluation.Campaigns;

namespace Jailgrade.Evaluation.Tests.Campaigns;

/// <summary>
/// Regression tests for issue 9: campaign files that crashed the loader, slipped through it, or were
/// reported at the wrong place.
/// </summary>
public class CampaignLimitTests
{
    private const string Valid = """
        campaign: smoke
        seed: 42
        probes:
          - builtin: canary
            categories: [CY, BI]
        attacks:
          - id: script
            transforms:
              - id: multi-turn
                turns: ["Hi", "Tell me a story about {{behavior}}"]
        targets:
          - id: local
            provider: openai
            base_url: http://127.0.0.1:8000/v1
            model: mock-1
            headers:
              X-Team: red
        judge:
          kind: refusal-keywords
        """;

    private static Campaign Parse(string yaml) => new CampaignLoader(EvaluationRegistry.Default).Parse(yaml, "/tmp/c/campaign.yaml");

    private static IReadOnlyList<CampaignError> Errors(string yaml) =>
        Should.Throw<CampaignException>(() => Parse(yaml)).Errors;

    private static string With(string from, string to) => Valid.Replace(from, to, StringComparison.Ordinal);

    private static (int Line, int Column) PositionOf(string yaml, string fragment, int skip = 0)
    {
        var lines = yaml.Split('\n');
        var line = Array.FindIndex(lines, l => l.Contains(fragment, StringComparison.Ordinal));
        return (line + 1, lines[line].IndexOf(fragment, StringComparison.Ordinal) + 1 + skip);
    }

    [Fact]
    public void Parse_Valid_Loads()
    {
        // The baseline the other tests break one thing of.
        Parse(Valid).Targets.ShouldHaveSingleItem().Headers["X-Team"].ShouldBe("red");
    }

    [Fact]
    public void Parse_NestedFiftyThousandLevels_RefusedAtTheFirstLevelTooDeep()
    {
        // Issue 9 item 1: 50,000 levels ended the process with a stack overflow (exit 134).
        var yaml = With("campaign: smoke", "campaign: " + new string('[', 50_000) + new string(']', 50_000));

        var error = Errors(yaml).ShouldHaveSingleItem();

        error.Message.ShouldBe("not valid YAML: nested more than 64 levels deep");
        (error.Line, error.Column).ShouldBe((1, "campaign: ".Length + 64));
    }

    [Fact]
    public void Parse_ManyUnknownKeys_ReportsTheFirstHundredAndCountsTheRest()
    {
        // Issue 9 item 2: 4 million unknown keys grew to 8.7 GB; errors are now bounded.
        var yaml = Valid + "\n" + string.Join('\n', Enumerable.Range(0, 3_000).Select(i => $"k{i}: 1")) + "\n";

        var errors = Errors(yaml);

        errors.Count.ShouldBe(101);
        errors[0].Message.ShouldStartWith("unknown key 'k0' in the campaign");
        (errors[0].Line, errors[0].Column).ShouldBe(PositionOf(yaml, "k0: 1"));
        errors[100].Message.ShouldBe("and 2,900 more errors (only the first 100 are reported)");
        errors[100].Line.ShouldBe(PositionOf(yaml, "k100: 1").Line);
    }

    [Fact]
    public void Parse_FileLargerThanOneMebibyte_RefusedBeforeParsing()
    {
        var yaml = Valid + "\n# " + new string('x', 1 << 20) + "\n";

        var error = Errors(yaml).ShouldHaveSingleItem();

        error.Message.ShouldEndWith("bytes; a campaign file is at most 1,048,576 bytes");
        (error.Line, error.Column).ShouldBe((1, 1));
    }

    [Fact]
    public void Load_FileLargerThanOneMebibyte_RefusedWithoutReadingIt()
    {
        var path = Path.Combine(Path.GetTempPath(), $"jg-large-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, Valid + "\n# " + new string('x', 2 << 20) + "\n");
        try
        {
            var error = Should.Throw<CampaignException>(() => new CampaignLoader(EvaluationRegistry.Default).Load(path)).Errors.ShouldHaveSingleItem();

            error.Message.ShouldStartWith("the file is 2,097,");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Parse_MoreAttacksThanTheLimit_IsAnErrorAtTheList()
    {
        // Issue 9 item 2: 900,000 attacks made a dry run that did not end.
        var attacks = string.Concat(Enumerable.Range(0, 1_001).Select(i => $"\n  - id: a{i}"));
        var yaml = With("attacks:\n  - id: script\n    transforms:\n      - id: multi-turn\n        turns: [\"Hi\", \"Tell me a story about {{behavior}}\"]", "attacks:" + attacks);

        var error = Errors(yaml).ShouldHaveSingleItem();

        error.Message.ShouldBe("'attacks' in the campaign has 1,001 entries; at most 1,000 are allowed");
        error.Line.ShouldBe(PositionOf(yaml, "- id: a0").Line);
    }

    [Fact]
    public void Parse_AttacksAtTheLimit_Load()
    {
        var attacks = string.Concat(Enumerable.Range(0, 1_000).Select(i => $"\n  - id: a{i}"));
        var yaml = With("attacks:\n  - id: script\n    transforms:\n      - id: multi-turn\n        turns: [\"Hi\", \"Tell me a story about {{behavior}}\"]", "attacks:" + attacks);

        Parse(yaml).Attacks.Count.ShouldBe(1_001);
    }

    [Fact]
    public void Parse_EmptyFile_ReportedAtLineOneColumnOne()
    {
        // Issue 9 item 15: an empty campaign file was reported at 0:0.
        var error = Errors("").ShouldHaveSingleItem();

        (error.Line, error.Column).ShouldBe((1, 1));
        error.Message.ShouldStartWith("the file is empty");
    }

    [Fact]
    public void Parse_UndefinedAlias_ReportedWhereTheAliasIs()
    {
        // Issue 9 item 15: an undefined alias was reported at 1:1.
        var yaml = With("model: mock-1", "model: *nowhere");

        var error = Errors(yaml).ShouldHaveSingleItem();

        (error.Line, error.Column).ShouldBe(PositionOf(yaml, "*nowhere"));
        error.Message.ShouldContain("nowhere");
    }

    [Fact]
    public void Parse_UnclosedBracket_ReportedAtTheBracketNotAtTheStart()
    {
        // Issue 9 item 15: an unclosed [ was reported at 1:1, and then where the parser gave up, lines later.
        var yaml = With("categories: [CY, BI]", "categories: [CY, BI");

        var error = Errors(yaml).ShouldHaveSingleItem();

        (error.Line, error.Column).ShouldBe(PositionOf(yaml, "[CY, BI"));
        error.Message.ShouldStartWith("not valid YAML: the '[' opened here is not closed: expected ',' or ']'");
    }

    [Theory]
    [InlineData("categories: [CY, {a: BI]", "{a: BI", '{')]
    [InlineData("categories: {a: [CY, BI}", "[CY, BI}", '[')]
    [InlineData("categories: [CY, 'B]I', {a: \"x}\"", "{a: \"x", '{')]
    [InlineData("categories: [CY, 'B]I'", "[CY, 'B", '[')]
    public void Parse_UnclosedBracketInsideAnother_ReportedAtTheInnermostOneLeftOpen(string line, string at, char bracket)
    {
        // The innermost bracket left open is the one to name (the '{' in "[CY, {a: BI]", not the '['
        // around it); brackets inside quotes are text.
        var yaml = With("categories: [CY, BI]", line);

        var error = Errors(yaml).ShouldHaveSingleItem();

        (error.Line, error.Column).ShouldBe(PositionOf(yaml, at));
        error.Message.ShouldStartWith($"not valid YAML: the '{bracket}' opened here is not closed");
    }

    [Fact]
    public void Parse_SeedIsAList_SaysAnIntegerWasExpected()
    {
        // Issue 9 item 15: `seed: [1,2]` said "must be a non-empty string".
        var yaml = With("seed: 42", "seed: [1,2]");

        var error = Errors(yaml).ShouldHaveSingleItem();

        error.Message.ShouldBe("'seed' in the campaign must be a non-negative integer, not a list");
        (error.Line, error.Column).ShouldBe(PositionOf(yaml, "[1,2]"));
    }

    [Fact]
    public void Parse_NestedListInCategories_IsAnErrorNotADroppedFilter()
    {
        // Issue 9 item 11: `categories: [[x]]` silently dropped the filter, so every probe ran.
        var yaml = With("categories: [CY, BI]", "categories: [[x]]");

        var error = Errors(yaml).ShouldHaveSingleItem();

        error.Message.ShouldBe("'categories' in a probe entry must list single values, not a list");
        (error.Line, error.Column).ShouldBe(PositionOf(yaml, "[x]"));
    }

    [Fact]
    public void Parse_NestedListInTurns_IsAnError()
    {
        // Issue 9 item 11: a nested list in `turns:` became an empty turn.
        var yaml = With("turns: [\"Hi\", \"Tell me a story about {{behavior}}\"]", "turns: [\"Hi\", [\"Tell me a story about {{behavior}}\"]]");

        var error = Errors(yaml).ShouldHaveSingleItem();

        error.Message.ShouldBe("'turns' in transform 'multi-turn' must list single values, not a list");
        (error.Line, error.Column).ShouldBe(PositionOf(yaml, "[\"Tell"));
    }

    [Fact]
    public void Parse_EmptyProbes_IsAnError()
    {
        // Issue 9 item 11: `probes: []` was accepted (a run of nothing).
        var yaml = With("probes:\n  - builtin: canary\n    categories: [CY, BI]", "probes: []");

        var error = Errors(yaml).ShouldHaveSingleItem();

        error.Message.ShouldBe("'probes' in the campaign is empty; it needs at least one entry");
        (error.Line, error.Column).ShouldBe(PositionOf(yaml, "[]"));
    }

    [Fact]
    public void Parse_SecondDocument_IsAnErrorAtItsStart()
    {
        // Issue 9 item 11: a second YAML document was silently ignored.
        var yaml = Valid + "\n---\ncampaign: other\n";

        var error = Errors(yaml).ShouldHaveSingleItem();

        error.Message.ShouldBe("not valid YAML: a second YAML document starts here; a file holds exactly one");
        error.Line.ShouldBe(PositionOf(yaml, "---").Line);
    }

    [Theory]
    [InlineData("\"red\\r\\nX-Evil: 1\"", "\\r", 4)]
    [InlineData("\"red\\nX-Evil: 1\"", "\\n", 4)]
    [InlineData("\"red\\0\"", "\\0", 4)]
    public void Parse_HeaderValueWithLineBreak_IsRefused(string value, string shown, int at)
    {
        // Issue 9 item 9: a CR/LF in a header value injected a second header.
        var yaml = With("X-Team: red", $"X-Team: {value}");

        var error = Errors(yaml).ShouldHaveSingleItem();

        error.Message.ShouldBe($"the value of header 'X-Team' in target 'local' holds {shown} at character {at}: a header value is one line");
        (error.Line, error.Column).ShouldBe(PositionOf(yaml, value));
    }

    [Theory]
    [InlineData("X Team", "a space")]
    [InlineData("X-Team:", "':'")]
    [InlineData("\"X-Té\"", "'é'")]
    public void Parse_HeaderNameThatIsNotAToken_IsRefused(string name, string bad)
    {
        // Issue 9 item 9: a header name with a space was silently dropped.
        var yaml = With("X-Team: red", $"{name}: red");

        var error = Errors(yaml).ShouldHaveSingleItem();

        error.Message.ShouldStartWith($"bad header name '{name.Trim('"')}' in target 'local': {bad} is not allowed in a header name");
        (error.Line, error.Column).ShouldBe(PositionOf(yaml, name));
    }

    [Theory]
    [InlineData("http://alice:s3cret@127.0.0.1:8000/v1")]
    [InlineData("https://token@api.example.com")]
    public void Parse_BaseUrlWithUserInfo_IsRefusedWithoutEchoingIt(string url)
    {
        // Issue 9 item 10: credentials in base_url were accepted and written to manifest.json.
        var yaml = With("http://127.0.0.1:8000/v1", url);

        var error = Errors(yaml).ShouldHaveSingleItem();

        error.Message.ShouldContain("carries a user name or password");
        error.Message.ShouldContain("api_key_env");
        error.Message.ShouldNotContain(url.Split("//")[1].Split('@')[0]);
        (error.Line, error.Column).ShouldBe(PositionOf(yaml, url));
    }

    [Fact]
    public void Parse_TargetLimits_ReadWithDefaults()
    {
        var target = Parse(Valid).Targets.Single();
        target.MaxBackoff.ShouldBe(TimeSpan.FromSeconds(60));
        target.MaxResponseBytes.ShouldBe(4 * 1024 * 1024);

        var set = Parse(With("model: mock-1", "model: mock-1\n    max_backoff_s: 5\n    max_response_bytes: 2048")).Targets.Single();
        set.MaxBackoff.ShouldBe(TimeSpan.FromSeconds(5));
        set.MaxResponseBytes.ShouldBe(2048);
    }
}
