using Jailgrade.Policy.Tests.TestSupport;

namespace Jailgrade.Policy.Tests.Loading;

public class TableProofTests
{
    [Fact]
    public void Load_ValidPolicy_CompilesEveryCombination()
    {
        var policy = PolicyText.LoadValid(PolicyText.Build());

        policy.CombinationCount.ShouldBe(5 * 4);
        policy.Rows.Count.ShouldBe(4);
        policy.Default.ShouldBeNull();
    }

    [Fact]
    public void Load_OverlappingRows_ReportsBothRowsWithLineAndColumn()
    {
        var text = PolicyText.Build(table: """
            table:
              rows:
                - {band: "<=Low", outcome: Track}
                - {band: Medium..High, outcome: Mitigate}
                - {band: High..Critical, exposure: "<=L", outcome: Restrict}
                - {band: Critical, exposure: ">=G", outcome: Suspend}
            """);

        var errors = PolicyText.Load(text).Errors;

        var error = errors.ShouldHaveSingleItem();
        error.Kind.ShouldBe(PolicyErrorKind.Overlap);
        var first = PolicyText.LineOf(text, "Medium..High");
        var second = PolicyText.LineOf(text, "High..Critical");
        error.Line.ShouldBe(second);
        error.Column.ShouldBe(7);
        error.Message.ShouldContain($"rows 2 (at {first}:7) and 3 (at {second}:7)");
        error.Message.ShouldContain("band=High, exposure=I");
        error.Message.ShouldContain("and 1 more combinations");
        error.ToString().ShouldStartWith($"test.yaml:{second}:7: error Overlap:");
    }

    [Fact]
    public void Load_IncompleteTableWithoutDefault_ListsTheUndecidedCombinations()
    {
        var text = PolicyText.Build(table: """
            table:
              rows:
                - {band: "<=Low", outcome: Track}
                - {band: Medium..High, outcome: Mitigate}
                - {band: Critical, exposure: ">=G", outcome: Suspend}
            """);

        var error = PolicyText.Load(text).Errors.ShouldHaveSingleItem();

        error.Kind.ShouldBe(PolicyErrorKind.Incomplete);
        error.Line.ShouldBe(PolicyText.LineOf(text, "rows:"));
        error.Message.ShouldContain("2 of 20 input combinations");
        error.Message.ShouldContain("band=Critical, exposure=I; band=Critical, exposure=L");
    }

    [Fact]
    public void Load_IncompleteTableWithDefault_DefaultDecidesTheRest()
    {
        var text = PolicyText.Build(table: """
            table:
              default: Track
              rows:
                - {band: Medium..High, outcome: Mitigate}
                - {band: Critical, exposure: "<=L", outcome: Restrict}
                - {band: Critical, exposure: ">=G", outcome: Suspend}
            """);

        var policy = PolicyText.LoadValid(text);

        policy.Default.ShouldBe(Outcome.Track);
    }

    [Fact]
    public void Load_HigherInputGivesLowerOutcome_ReportsBothRowsAndTheInput()
    {
        var text = PolicyText.Build(table: """
            table:
              rows:
                - {band: "<=Low", outcome: Track}
                - {band: Medium..High, outcome: Mitigate}
                - {band: Critical, exposure: "<=L", outcome: Suspend}
                - {band: Critical, exposure: ">=G", outcome: Restrict}
            """);

        var error = PolicyText.Load(text).Errors.ShouldHaveSingleItem();

        error.Kind.ShouldBe(PolicyErrorKind.NotMonotone);
        var lower = PolicyText.LineOf(text, "outcome: Suspend");
        var higher = PolicyText.LineOf(text, "outcome: Restrict");
        error.Line.ShouldBe(higher);
        error.Message.ShouldContain("not monotone in 'exposure'");
        error.Message.ShouldContain($"band=Critical, exposure=L gives Suspend (row 3 at {lower}:7)");
        error.Message.ShouldContain($"raising exposure to G (band=Critical, exposure=G) gives the lower Restrict (row 4 at {higher}:7)");
    }

    [Fact]
    public void Load_DefaultBelowALowerRow_IsNotMonotone()
    {
        var text = PolicyText.Build(table: """
            table:
              default: Track
              rows:
                - {band: "<=Medium", outcome: Mitigate}
                - {band: Critical, outcome: Suspend}
            """);

        var error = PolicyText.Load(text).Errors.ShouldHaveSingleItem();

        error.Kind.ShouldBe(PolicyErrorKind.NotMonotone);
        error.Message.ShouldContain("raising band to High");
        error.Message.ShouldContain("gives the lower Track (the default Track)");
        error.Message.ShouldContain("3 more combinations break the same way");
    }

    [Fact]
    public void Load_UnorderedFact_IsNotCheckedForMonotonicity()
    {
        var text = PolicyText.Build(
            inputs: """
                inputs:
                  - band
                  - name: incident
                    ordered: false
                    values: [death, none]
                """,
            table: """
                table:
                  rows:
                    - {incident: death, outcome: Suspend}
                    - {incident: none, outcome: Track}
                """,
            outcomes: "");

        PolicyText.LoadValid(text).Inputs[1].Ordered.ShouldBeFalse();
    }

    [Fact]
    public void Load_OrderedFact_IsCheckedForMonotonicity()
    {
        var text = PolicyText.Build(
            inputs: """
                inputs:
                  - band
                  - name: harm
                    ordered: true
                    values: [minor, grave]
                """,
            table: """
                table:
                  rows:
                    - {harm: minor, outcome: Suspend}
                    - {harm: grave, outcome: Track}
                """,
            outcomes: "");

        PolicyText.Load(text).Errors.ShouldContain(e => e.Kind == PolicyErrorKind.NotMonotone && e.Message.Contains("'harm'"));
    }

    [Fact]
    public void Load_RangeOnUnorderedInput_IsAnError()
    {
        var text = PolicyText.Build(
            inputs: """
                inputs:
                  - name: incident
                    ordered: false
                    values: [none, death]
                """,
            table: """
                table:
                  default: Track
                  rows:
                    - {incident: ">=death", outcome: Suspend}
                """,
            outcomes: "");

        var error = PolicyText.Load(text).Errors.ShouldHaveSingleItem();

        error.Kind.ShouldBe(PolicyErrorKind.BadValue);
        error.Message.ShouldContain("'incident' is unordered");
    }

    [Fact]
    public void Load_RowNamingAValueTheInputDoesNotHave_ReportsValueAndChoices()
    {
        var text = PolicyText.Build(table: """
            table:
              default: Track
              rows:
                - {band: Severe, outcome: Suspend}
            """);

        var error = PolicyText.Load(text).Errors.ShouldHaveSingleItem();

        error.Kind.ShouldBe(PolicyErrorKind.UnknownReference);
        error.Line.ShouldBe(PolicyText.LineOf(text, "Severe"));
        error.Column.ShouldBe(14);
        error.Message.ShouldBe("'Severe' is not a value of 'band' (one of: None, Low, Medium, High, Critical)");
    }

    [Fact]
    public void Load_StandardInputWithReorderedValues_IsAnError()
    {
        var text = PolicyText.Build(inputs: """
            inputs:
              - {name: band, values: [Critical, High, Medium, Low, None]}
              - exposure
            """);

        PolicyText.Load(text).Errors.ShouldContain(e => e.Kind == PolicyErrorKind.BadValue && e.Message.Contains("fixed by JG 1.0"));
    }

    [Fact]
    public void Load_RowWithUnknownInput_ReportsTheKey()
    {
        var text = PolicyText.Build(table: """
            table:
              default: Track
              rows:
                - {band: Critical, tier: Catastrophic, outcome: Suspend}
            """);

        var error = PolicyText.Load(text).Errors.ShouldHaveSingleItem();

        error.Kind.ShouldBe(PolicyErrorKind.UnknownKey);
        error.Message.ShouldContain("unknown key 'tier' in row 1");
    }

    [Fact]
    public void Load_TableErrorsAndAnUnrelatedError_ReportsBoth()
    {
        var text = PolicyText.Build(
            table: """
                table:
                  rows:
                    - {band: "<=Low", outcome: Track}
                    - {band: Medium..High, outcome: Mitigate}
                    - {band: Critical, exposure: ">=G", outcome: Suspend}
                """,
            extra: "examples:\n  - name: typo\n    vectr: JG:1.0\n    expect: {outcome: Track}");

        var kinds = PolicyText.Load(text).Errors.Select(e => e.Kind).ToList();

        kinds.ShouldContain(PolicyErrorKind.Incomplete);
        kinds.ShouldContain(PolicyErrorKind.UnknownKey);
    }

    [Fact]
    public void Load_ManyOverlappingRows_ReportsTenAndSummarizesTheRest()
    {
        var rows = string.Join("\n", Enumerable.Range(0, 12).Select(_ => "    - {outcome: Track}"));

        var errors = PolicyText.Load(PolicyText.Build(table: "table:\n  rows:\n" + rows)).Errors;

        errors.Count(e => e.Kind == PolicyErrorKind.Overlap).ShouldBe(11);
        errors.ShouldContain(e => e.Message == "1 more pairs of overlapping rows not shown");
    }

    [Fact]
    public void Load_CrlfFile_ReportsTheSamePositionsAsLf()
    {
        var text = PolicyText.Build(table: "table:\n  rows:\n    - {band: Severe, outcome: Track}");

        var lf = PolicyText.Load(text).Errors.ShouldHaveSingleItem();
        var crlf = PolicyText.Load(text.Replace("\n", "\r\n", StringComparison.Ordinal)).Errors.ShouldHaveSingleItem();

        (crlf.Line, crlf.Column).ShouldBe((lf.Line, lf.Column));
    }
}
