using Jailgrade.Policy.Tests.TestSupport;

namespace Jailgrade.Policy.Tests.Loading;

public class FormatErrorTests
{
    [Fact]
    public void Load_UnknownTopLevelKey_ReportsKeyWithPosition()
    {
        var text = PolicyText.Build(extra: "thresholds: {}");

        var error = PolicyText.Load(text).Errors.ShouldHaveSingleItem();

        error.Kind.ShouldBe(PolicyErrorKind.UnknownKey);
        error.Line.ShouldBe(PolicyText.LineOf(text, "thresholds"));
        error.Column.ShouldBe(1);
        error.Message.ShouldStartWith("unknown key 'thresholds' in the policy");
    }

    [Fact]
    public void Load_MissingRequiredKeys_ReportsEach()
    {
        var text = PolicyText.Build(header: "policy: x\nparties: {lab: The lab, authority: The authority}");

        var errors = PolicyText.Load(text).Errors;

        errors.Where(e => e.Kind == PolicyErrorKind.MissingKey).Select(e => e.Message)
            .ShouldBe(["the policy needs 'version'", "the policy needs 'title'"]);
    }

    [Theory]
    [InlineData("P5", 1, "has no unit")]
    [InlineData("5D", 0, "starts with 'P'")]
    [InlineData("P1.5D", 2, "fractional")]
    [InlineData("PT", 1, "'T' must be followed")]
    [InlineData("P2DT", 3, "'T' must be followed")]
    [InlineData("P1H", 2, "not a date unit")]
    [InlineData("P1D2Y", 4, "out of order")]
    [InlineData("P-1D", 1, "non-negative")]
    public void Load_BadDuration_ReportsTheFaultAtItsColumn(string duration, int offset, string reason)
    {
        var outcomes = $"outcomes:\n  Mitigate:\n    obligations:\n      - {{kind: mitigate, party: lab, from: reported, within: {duration}}}";
        var text = PolicyText.Build(outcomes: outcomes);

        var error = PolicyText.Load(text).Errors.ShouldHaveSingleItem();

        error.Kind.ShouldBe(PolicyErrorKind.BadDuration);
        error.Line.ShouldBe(PolicyText.LineOf(text, "within:"));
        error.Column.ShouldBe(PolicyText.Build(outcomes: outcomes).Split('\n')[error.Line - 1].IndexOf(duration, StringComparison.Ordinal) + 1 + offset);
        error.Message.ShouldStartWith($"'{duration}' is not an ISO 8601 duration");
        error.Message.ShouldContain(reason);
    }

    [Fact]
    public void Load_ObligationTimingThatDoesNotFitItsKind_IsAnError()
    {
        var outcomes = "outcomes:\n  Mitigate:\n    obligations:\n      - {kind: disclose, party: lab, from: reported, within: P5D}";

        var errors = PolicyText.Load(PolicyText.Build(outcomes: outcomes)).Errors;

        errors.Select(e => e.Message).ShouldBe(
            [
                "'within' does not apply to a disclose obligation (it takes not-before and not-after)",
                "a disclose obligation needs 'not-after'",
            ],
            ignoreOrder: true);
    }

    [Fact]
    public void Load_DisclosureWindowThatClosesBeforeItOpens_IsAnError()
    {
        var outcomes = "outcomes:\n  Mitigate:\n    obligations:\n      - {kind: disclose, party: lab, from: reported, not-before: P90D, not-after: P30D}";

        var error = PolicyText.Load(PolicyText.Build(outcomes: outcomes)).Errors.ShouldHaveSingleItem();

        error.Message.ShouldBe("the disclosure window opens (P90D) after it closes (P30D)");
    }

    [Fact]
    public void Load_ObligationForUndeclaredParty_ListsTheDeclaredOnes()
    {
        var outcomes = "outcomes:\n  Mitigate:\n    obligations:\n      - {kind: notify, party: regulator, from: reported, within: P5D}";

        var error = PolicyText.Load(PolicyText.Build(outcomes: outcomes)).Errors.ShouldHaveSingleItem();

        error.Kind.ShouldBe(PolicyErrorKind.UnknownReference);
        error.Message.ShouldBe("party 'regulator' is not declared under 'parties' (lab, authority)");
    }

    [Fact]
    public void Load_UnknownClockEvent_ListsTheEvents()
    {
        var outcomes = "outcomes:\n  Mitigate:\n    obligations:\n      - {kind: notify, party: lab, from: fixed, within: P5D}";

        var error = PolicyText.Load(PolicyText.Build(outcomes: outcomes)).Errors.ShouldHaveSingleItem();

        error.Message.ShouldBe("'fixed' is not a clock event (one of: discovered, reported, decided, resolved)");
    }

    [Fact]
    public void Load_UnknownCountry_ReportsCodeAndTier()
    {
        var text = PolicyText.Build(jurisdictions: "jurisdictions:\n  home: [US, UK]\n  world: rest");

        var error = PolicyText.Load(text).Errors.ShouldHaveSingleItem();

        error.Kind.ShouldBe(PolicyErrorKind.UnknownCountry);
        error.Line.ShouldBe(PolicyText.LineOf(text, "[US, UK]"));
        error.Column.ShouldBe(14);
        error.Message.ShouldBe("'UK' is not an ISO 3166-1 alpha-2 country code: did you mean 'GB'? (ISO 3166 has no UK; the United Kingdom is GB) (tier 'home')");
    }

    [Fact]
    public void Load_CountryInTwoTiers_ReportsBothPlaces()
    {
        var text = PolicyText.Build(
            jurisdictions: "jurisdictions:\n  home: [US, GB]\n  allies: [FR, GB]\n  world: rest",
            eligibility: PolicyText.Eligibility.Replace("\"*\"", "\"*\"", StringComparison.Ordinal).Replace("    home:", "    allies: {none: deny, basic: deny, verified: allow, vetted: allow}\n    home:", StringComparison.Ordinal));

        var error = PolicyText.Load(text).Errors.ShouldHaveSingleItem();

        error.Kind.ShouldBe(PolicyErrorKind.CountryCoverage);
        var firstLine = PolicyText.LineOf(text, "home: [US, GB]");
        error.Line.ShouldBe(PolicyText.LineOf(text, "allies: [FR, GB]"));
        error.Message.ShouldBe($"GB is listed in tier 'allies' and already in tier 'home' at {firstLine}:14; each country belongs to one tier");
    }

    [Fact]
    public void Load_TiersThatLeaveCountriesOut_ListsTheMissingCountries()
    {
        var text = PolicyText.Build(jurisdictions: "jurisdictions:\n  home: [US, GB]\n  world: [FR]");

        var error = PolicyText.Load(text).Errors.ShouldHaveSingleItem();

        error.Kind.ShouldBe(PolicyErrorKind.CountryCoverage);
        error.Message.ShouldStartWith("246 countries are in no tier (AD, AE, AF,");
        error.Message.ShouldEndWith("list them or make one tier 'rest'");
    }

    [Fact]
    public void Load_EligibilityNamingUnknownTier_ReportsTheTierAsUnknownKey()
    {
        var eligibility = PolicyText.Eligibility.Replace("    world:", "    elsewhere:", StringComparison.Ordinal);

        var errors = PolicyText.Load(PolicyText.Build(eligibility: eligibility)).Errors;

        errors.ShouldContain(e => e.Kind == PolicyErrorKind.UnknownKey && e.Message.StartsWith("unknown key 'elsewhere' in the eligibility of Restrict", StringComparison.Ordinal));
        errors.ShouldContain(e => e.Kind == PolicyErrorKind.Eligibility && e.Message == "the eligibility of Restrict does not cover tier 'world' (name it or add '*')");
    }

    [Fact]
    public void Load_LadderGivingAHigherLevelLess_IsReportedAtTheLadder()
    {
        var eligibility = PolicyText.Eligibility.Replace("world: {none: deny, basic: deny, verified: {allow-with: [monitoring]}, vetted: allow}", "world: {none: deny, basic: deny, verified: allow, vetted: {allow-with: [monitoring]}}", StringComparison.Ordinal);
        var text = PolicyText.Build(eligibility: eligibility);

        var error = PolicyText.Load(text).Errors.ShouldHaveSingleItem();

        error.Kind.ShouldBe(PolicyErrorKind.Eligibility);
        error.Line.ShouldBe(PolicyText.LineOf(text, "world: {none: deny, basic: deny, verified: allow"));
        error.Message.ShouldBe("the ladder of Restrict in tier 'world' gives Vetted (allow-with-conditions) less than Verified (allow); a higher identity level never gets less");
    }

    [Fact]
    public void Load_LadderGivingAMoreSevereOutcomeMore_IsReportedWithBothLadders()
    {
        var eligibility = PolicyText.Eligibility.Replace("\"*\": {none: deny, basic: deny, verified: deny, vetted: deny}", "\"*\": {none: deny, basic: deny, verified: deny, vetted: allow}", StringComparison.Ordinal)
            .Replace("world: {none: deny, basic: deny, verified: {allow-with: [monitoring]}, vetted: allow}", "world: {none: deny, basic: deny, verified: {allow-with: [monitoring]}, vetted: {allow-with: [monitoring]}}", StringComparison.Ordinal);

        var error = PolicyText.Load(PolicyText.Build(eligibility: eligibility)).Errors.ShouldHaveSingleItem();

        error.Kind.ShouldBe(PolicyErrorKind.Eligibility);
        error.Message.ShouldStartWith("in tier 'world' at level vetted, Suspend gives allow");
        error.Message.ShouldContain("the less severe Restrict gives only allow-with-conditions");
    }

    [Fact]
    public void Load_LadderMissingALevel_IsAnError()
    {
        var eligibility = PolicyText.Eligibility.Replace("{none: deny, basic: deny, verified: deny, vetted: deny}", "{none: deny, basic: deny, verified: deny}", StringComparison.Ordinal);

        var error = PolicyText.Load(PolicyText.Build(eligibility: eligibility)).Errors.ShouldHaveSingleItem();

        error.Message.ShouldBe("the ladder of Suspend in tier '*' needs every identity level (none, basic, verified, vetted); 'vetted' is missing");
    }

    [Fact]
    public void Load_MalformedYaml_ReportsSyntaxErrorWithPositionNotAStackTrace()
    {
        var result = PolicyText.Load("policy: x\ninputs: [band\ntable: {}\n");

        var error = result.Errors.ShouldHaveSingleItem();
        result.Policy.ShouldBeNull();
        error.Kind.ShouldBe(PolicyErrorKind.Syntax);
        error.Line.ShouldBe(2, "the unclosed '[' is on line 2");
        error.Message.ShouldNotContain("   at ");
    }

    [Fact]
    public void Load_DuplicateKey_IsASyntaxErrorAtTheSecondKey()
    {
        var result = PolicyText.Load("policy: x\nversion: 1\npolicy: y\n");

        var error = result.Errors.ShouldHaveSingleItem();
        error.Kind.ShouldBe(PolicyErrorKind.Syntax);
        error.Line.ShouldBe(3);
    }

    [Fact]
    public void Load_UnreadableFile_IsReportedAsAnError()
    {
        var result = PolicyLoader.LoadFile(Path.Combine(Path.GetTempPath(), "jailgrade-no-such-policy.yaml"));

        var error = result.Errors.ShouldHaveSingleItem();
        error.Kind.ShouldBe(PolicyErrorKind.Unreadable);
        error.Message.ShouldBe("policy file not found");
        error.ToString().ShouldEndWith("jailgrade-no-such-policy.yaml: error Unreadable: policy file not found", Case.Sensitive, "no line and column for a file that is not there");
    }

    [Fact]
    public void Load_CrlfAndLfText_HaveTheSameSha256()
    {
        var lf = PolicyText.Build();
        var crlf = lf.Replace("\n", "\r\n", StringComparison.Ordinal);

        var a = PolicyText.LoadValid(lf).Stamp;
        var b = PolicyText.LoadValid("\uFEFF" + crlf).Stamp;

        b.Sha256.ShouldBe(a.Sha256);
        a.Sha256.ShouldBe(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(lf))));
    }

    [Fact]
    public void Load_BadExample_ReportsVectorErrorAtItsColumn()
    {
        var text = PolicyText.Build(extra: "examples:\n  - name: broken\n    vector: JG:1.0/UN:X/RL:H\n    expect: {outcome: Track}");

        var error = PolicyText.Load(text).Errors.ShouldHaveSingleItem();

        error.Line.ShouldBe(PolicyText.LineOf(text, "UN:X"));
        error.Column.ShouldBe(13 + "JG:1.0/UN:".Length);
        error.Message.ShouldStartWith("bad vector:");
    }

    [Fact]
    public void Load_ExampleExpectingAnUndeclaredParty_IsAnErrorAtTheParty()
    {
        var text = PolicyText.Build(extra: "examples:\n  - name: typo\n    vector: JG:1.0/UN:N/RL:L/AC:H/AR:N/HD:CY/UP:1/BR:N/FD:M/EX:N/DP:G\n    expect:\n      outcome: Track\n      obligations:\n        - {kind: notify, party: authorty, due: null}");

        var error = PolicyText.Load(text).Errors.ShouldHaveSingleItem();

        error.Kind.ShouldBe(PolicyErrorKind.UnknownReference);
        error.Line.ShouldBe(PolicyText.LineOf(text, "authorty"));
        error.Message.ShouldBe("party 'authorty' is not declared under 'parties' (lab, authority)");
    }

    [Fact]
    public void Load_SeveralErrors_AreListedInFileOrder()
    {
        var text = PolicyText.Build(
            jurisdictions: "jurisdictions:\n  home: [US, UK]\n  world: rest",
            outcomes: "outcomes:\n  Mitigate:\n    obligations:\n      - {kind: mitigate, party: lab, from: reported, within: 14 days}",
            table: "table:\n  rows:\n    - {band: \"<=Low\", outcome: Mitigate}\n    - {band: \">=Medium\", outcome: Track}");

        var errors = PolicyText.Load(text).Errors;

        errors.Select(e => e.Kind).ShouldBe([PolicyErrorKind.NotMonotone, PolicyErrorKind.BadDuration, PolicyErrorKind.UnknownCountry]);
        errors.Select(e => e.Line).ShouldBeInOrder();
    }

    [Theory]
    [InlineData("2.5")]
    [InlineData("0")]
    public void Load_ExampleExpectingARowThatIsNotARowNumber_IsAnError(string row)
    {
        var text = PolicyText.Build(extra: $"examples:\n  - name: bad row\n    vector: JG:1.0/UN:N/RL:L/AC:H/AR:N/HD:CY/UP:1/BR:N/FD:M/EX:N/DP:G\n    expect: {{outcome: Track, row: {row}}}");

        var error = PolicyText.Load(text).Errors.ShouldHaveSingleItem();

        error.Message.ShouldBe($"'row' is a row number (1, 2, …), not {row}");
    }
}
