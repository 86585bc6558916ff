using Jailgrade.Policy.Decisions;
using Jailgrade.Policy.Obligations;
using Jailgrade.Policy.Tests.TestSupport;
using Jailgrade.Standard;

namespace Jailgrade.Policy.Tests.Loading;

/// <summary>
/// Regression tests for issue 9: inputs that crashed the loader or the decision (stack overflow,
/// memory, unrepresentable dates) are refused with their position instead.
/// </summary>
public class LimitTests
{
    private const string CriticalCyberGa = "JG:1.0/UN:U/RL:H/AC:L/AR:N/HD:CY/UP:3/BR:W/FD:H/EX:P/DP:G";

    [Fact]
    public void Load_NestedFiftyThousandLevels_RefusedAtTheFirstLevelTooDeep()
    {
        // Issue 9 item 1: 50,000 levels ended the process with a stack overflow.
        var text = "policy: x\nsummary: " + new string('[', 50_000) + new string(']', 50_000) + "\n";

        var error = PolicyText.Load(text).Errors.ShouldHaveSingleItem();

        error.Kind.ShouldBe(PolicyErrorKind.Syntax);
        error.Message.ShouldContain("nested more than 64 levels deep");
        error.Line.ShouldBe(2);
        error.Column.ShouldBe("summary: ".Length + 64);
    }

    [Fact]
    public void Load_NestedExactlyAtTheLimit_IsNotRefusedForDepth()
    {
        // The root mapping is level 1, so 63 brackets reach level 64.
        var text = PolicyText.Build(extra: "summary: " + new string('[', 63) + new string(']', 63));

        PolicyText.Load(text).Errors.ShouldNotContain(e => e.Message.Contains("levels deep", StringComparison.Ordinal));
    }

    [Fact]
    public void Load_MillionUnknownKeys_ReportsTheFirstHundredAndCountsTheRest()
    {
        // Issue 9 item 2: millions of unknown keys grew memory without bound; now the file size and
        // the number of values are limited, and errors are reported up to a bound.
        var keys = string.Join('\n', Enumerable.Range(0, 5_000).Select(i => $"k{i}: 1"));
        var text = PolicyText.Build(extra: keys);

        var errors = PolicyText.Load(text).Errors;

        errors.Count.ShouldBe(101);
        errors[0].Message.ShouldStartWith("unknown key 'k0'");
        errors[0].Line.ShouldBe(PolicyText.LineOf(text, "k0: 1"));
        errors[99].Message.ShouldStartWith("unknown key 'k99'");
        errors[100].Message.ShouldBe("and 4,900 more errors (only the first 100 are reported)");
        errors[100].Line.ShouldBe(PolicyText.LineOf(text, "k100: 1"));
    }

    [Fact]
    public void Load_FileLargerThanOneMebibyte_RefusedBeforeParsing()
    {
        var text = PolicyText.Build(extra: "summary: \"" + new string('x', 1 << 20) + "\"");

        var error = PolicyText.Load(text).Errors.ShouldHaveSingleItem();

        error.Message.ShouldStartWith("the file is 1,049,");
        error.Message.ShouldEndWith("bytes; a policy file is at most 1,048,576 bytes");
        (error.Line, error.Column).ShouldBe((1, 1));
    }

    [Fact]
    public void Load_MoreValuesThanTheLimit_RefusedWhereTheLimitIsCrossed()
    {
        var text = "policy: x\nsummary: [" + string.Join(',', Enumerable.Repeat("1", 100_000)) + "]\n";

        var error = PolicyText.Load(text).Errors.ShouldHaveSingleItem();

        error.Message.ShouldContain("more than 100,000 values in one file");
        error.Line.ShouldBe(2);
    }

    [Fact]
    public void Load_SecondDocument_RefusedAtItsStart()
    {
        var text = PolicyText.Build() + "---\npolicy: other\n";

        var error = PolicyText.Load(text).Errors.ShouldHaveSingleItem();

        error.Message.ShouldContain("a second YAML document starts here");
        error.Line.ShouldBe(PolicyText.LineOf(text, "---"));
    }

    [Theory]
    [InlineData("P9000Y")]
    [InlineData("P101Y")]
    [InlineData("P1201M")]
    [InlineData("P36526D")]
    [InlineData("P5218W")]
    [InlineData("PT876601H")]
    [InlineData("P100Y1M", "P99Y13M")]
    public void Load_DurationBeyondOneHundredYears_IsAnErrorAtLoadTime(string duration, string? alsoBad = null)
    {
        // Issue 9 item 3: `within: P9000Y` passed validation, after which every decision crashed.
        foreach (var text in new[] { duration, alsoBad }.OfType<string>())
        {
            var outcomes = $"outcomes:\n  Mitigate:\n    obligations:\n      - {{kind: mitigate, party: lab, from: reported, within: {text}}}";

            var error = PolicyText.Load(PolicyText.Build(outcomes: outcomes)).Errors.ShouldHaveSingleItem();

            error.Kind.ShouldBe(PolicyErrorKind.BadDuration);
            error.Message.ShouldBe($"'{text}' is not an ISO 8601 duration: longer than the longest duration a policy may state (100 years)");
        }
    }

    [Theory]
    [InlineData("P100Y")]
    [InlineData("P1200M")]
    [InlineData("P36525D")]
    [InlineData("PT876600H")]
    [InlineData("P100Y36525D")]
    public void Load_DurationOfOneHundredYears_Loads(string duration)
    {
        var outcomes = $"outcomes:\n  Mitigate:\n    obligations:\n      - {{kind: mitigate, party: lab, from: reported, within: {duration}}}";

        PolicyText.Load(PolicyText.Build(outcomes: outcomes)).Errors.ShouldBeEmpty();
    }

    [Fact]
    public void Decide_LongestDurationFromTheLatestInstant_HasARepresentableDueDate()
    {
        var outcomes = "outcomes:\n  Suspend:\n    obligations:\n      - {kind: notify, party: authority, from: reported, within: P100Y36525D}";
        var policy = PolicyText.Load(PolicyText.Build(outcomes: outcomes)).Policy!;
        var request = new DecisionRequest(JgVector.Parse(CriticalCyberGa)) { Clock = new CaseClock(Reported: Timestamps.Latest) };

        var decision = policy.Decide(request);

        decision.Obligations.ShouldHaveSingleItem().Due!.Value.Year.ShouldBe(3200);
    }

    [Theory]
    [InlineData("9999-12-31T23:59:59Z", false)]
    [InlineData("3000-01-01T00:00:00Z", false)]
    [InlineData("2999-12-31T23:59:59Z", true)]
    [InlineData("1970-01-01T00:00:00Z", true)]
    [InlineData("1969-12-31T23:59:59Z", false)]
    [InlineData("0001-01-01T00:00:00Z", false)]
    [InlineData("2999-12-31T23:59:59-01:00", false)]
    public void TryParse_Timestamp_AcceptsOnlyTheDocumentedRange(string text, bool accepted)
    {
        Timestamps.TryParse(text, out _, out var error).ShouldBe(accepted);
        if (!accepted)
        {
            error.ShouldBe($"'{text}' is outside the supported range 1970-01-01T00:00:00Z to 2999-12-31T23:59:59Z");
        }
    }

    [Fact]
    public void TryDecide_ClockOutsideTheRange_FailsWithoutThrowing()
    {
        // A library caller can build a clock the parsers would refuse; deciding must not crash on it.
        var policy = BuiltinPolicies.Find("us-frontier")!;
        var request = new DecisionRequest(JgVector.Parse(CriticalCyberGa)) { Clock = new CaseClock(Reported: DateTimeOffset.MaxValue) };

        policy.TryDecide(request, null, out var decision, out var error).ShouldBeFalse();

        decision.ShouldBeNull();
        error.ShouldBe("'reported' 9999-12-31T23:59:59Z is outside the supported range 1970-01-01T00:00:00Z to 2999-12-31T23:59:59Z");
    }

    [Fact]
    public void ParseLines_OneCaseOutOfRange_IsAnErrorAtItsValueAndTheOthersStillParse()
    {
        // Issue 9 item 3: one far-future case aborted a whole --cases batch.
        var text = $$"""
            {"id": "a", "vector": "{{CriticalCyberGa}}", "reported": "9999-12-31T23:59:59Z"}
            {"id": "b", "vector": "{{CriticalCyberGa}}", "reported": "2026-06-12T09:00:00Z"}
            """;

        var (cases, errors) = CaseJson.ParseLines(text, "cases.jsonl");

        cases.ShouldHaveSingleItem().Id.ShouldBe("b");
        errors.ShouldHaveSingleItem().ToString().ShouldBe(
            $"cases.jsonl:1:{text.IndexOf("\"9999", StringComparison.Ordinal) + 1}: \"reported\": '9999-12-31T23:59:59Z' is outside the supported range 1970-01-01T00:00:00Z to 2999-12-31T23:59:59Z");
    }

    [Fact]
    public void Load_ExampleClockOutOfRange_ReportedAtTheTimestamp()
    {
        var examples = $"examples:\n  - name: far\n    vector: {CriticalCyberGa}\n    clock: {{reported: 9999-12-31T23:59:59Z}}\n    expect: {{outcome: Suspend}}";
        var text = PolicyText.Build(extra: examples);

        var error = PolicyText.Load(text).Errors.ShouldHaveSingleItem();

        error.Line.ShouldBe(PolicyText.LineOf(text, "9999"));
        error.Column.ShouldBe(text.Split('\n')[error.Line - 1].IndexOf("9999", StringComparison.Ordinal) + 1);
        error.Message.ShouldContain("outside the supported range");
    }
}
