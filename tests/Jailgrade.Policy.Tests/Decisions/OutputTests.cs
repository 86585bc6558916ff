using System.Text.Json;
using Jailgrade.Policy.Decisions;
using Jailgrade.Policy.Obligations;
using Jailgrade.Policy.Rendering;
using Jailgrade.Standard;

namespace Jailgrade.Policy.Tests.Decisions;

public class OutputTests
{
    private const string CriticalCyberGa = "JG:1.0/UN:U/RL:H/AC:L/AR:N/HD:CY/UP:3/BR:W/FD:H/EX:P/DP:G";

    [Fact]
    public void Serialize_Decision_HasTheDocumentedShape()
    {
        var policy = BuiltinPolicies.Find("us-frontier")!;
        var request = new DecisionRequest(JgVector.Parse(CriticalCyberGa))
        {
            Clock = new CaseClock(Reported: new DateTimeOffset(2026, 6, 12, 9, 0, 0, TimeSpan.Zero)),
            Countries = ["US", "CN"],
        };

        using var json = JsonDocument.Parse(DecisionJson.Serialize(policy.Decide(request)));
        var root = json.RootElement;

        root.GetProperty("outcome").GetString().ShouldBe("Suspend");
        root.GetProperty("policy").GetProperty("id").GetString().ShouldBe("us-frontier");
        root.GetProperty("policy").GetProperty("sha256").GetString().ShouldBe(PolicyLoader.Sha256Of(BuiltinPolicies.TextOf("us-frontier")!));
        var first = root.GetProperty("obligations")[0];
        first.GetProperty("kind").GetString().ShouldBe("notify");
        first.GetProperty("party").GetString().ShouldBe("government-authority");
        first.GetProperty("due").GetString().ShouldBe("2026-06-13T09:00:00Z");
        var update = root.GetProperty("obligations").EnumerateArray().Single(o => o.GetProperty("kind").GetString() == "update");
        update.GetProperty("recurs").GetProperty("every").GetString().ShouldBe("P7D");
        root.GetProperty("eligibility").GetProperty("tier-1").GetProperty("vetted").GetProperty("decision").GetString().ShouldBe("allow-with-conditions");
        root.GetProperty("eligibility").GetProperty("tier-1").GetProperty("vetted").GetProperty("conditions")[0].GetString().ShouldBe("government-testing");
        root.GetProperty("countries").GetProperty("CN").GetString().ShouldBe("tier-3");
        root.GetProperty("rationale").GetString().ShouldStartWith("row 7");
    }

    [Fact]
    public void Serialize_DisclosureObligation_CarriesItsWindow()
    {
        var policy = BuiltinPolicies.Find("lab-safeguards")!;
        var request = new DecisionRequest(JgVector.Parse("JG:1.0/UN:C/RL:M/AC:M/AR:N/HD:FR/UP:2/BR:S/FD:M/EX:P/DP:G"))
        {
            Clock = new CaseClock(Reported: new DateTimeOffset(2026, 6, 12, 9, 0, 0, TimeSpan.Zero)),
        };

        using var json = JsonDocument.Parse(DecisionJson.Serialize(policy.Decide(request)));

        var disclose = json.RootElement.GetProperty("obligations").EnumerateArray().Single(o => o.GetProperty("kind").GetString() == "disclose");
        disclose.GetProperty("window").GetProperty("notBefore").GetString().ShouldBe("2026-07-12T09:00:00Z");
        disclose.GetProperty("window").GetProperty("notAfter").GetString().ShouldBe("2026-10-10T09:00:00Z");
        json.RootElement.TryGetProperty("countries", out _).ShouldBeFalse("countries appear only when asked");
    }

    [Fact]
    public void ParseLines_MixedCases_ReadsEachAndNamesBadLines()
    {
        var text = $$"""
            {"id": "a", "vector": "{{CriticalCyberGa}}", "incident": "death", "reported": "2026-06-12T09:00:00Z", "countries": "US,GB"}
            # a comment
            {{CriticalCyberGa}}
            {"vector": "JG:1.0/UN:X"}
            {"vector": "{{CriticalCyberGa}}", "reported": "yesterday"}
            {"vector": "{{CriticalCyberGa}}", "severity": "high"}
            """;

        var (cases, errors) = CaseJson.ParseLines(text, "cases.jsonl");

        cases.Select(c => c.Id).ShouldBe(["a", "line 3"]);
        cases[0].Request.Facts["incident"].ShouldBe("death");
        cases[0].Request.Countries.ShouldBe(["US", "GB"]);
        errors.Count.ShouldBe(3);
        var lines = text.Split('\n');
        errors[0].ToString().ShouldStartWith($"cases.jsonl:4:{lines[3].IndexOf("\"JG", StringComparison.Ordinal) + 1}: bad vector:");
        errors[1].ToString().ShouldStartWith($"cases.jsonl:5:{lines[4].IndexOf("\"yesterday", StringComparison.Ordinal) + 1}: \"reported\": 'yesterday' is not a timestamp");
        errors[2].ToString().ShouldStartWith($"cases.jsonl:6:{lines[5].IndexOf("\"high", StringComparison.Ordinal) + 1}: unknown key 'severity'");
    }

    [Fact]
    public void Compare_TwoPolicies_ListsOnlyTheCasesWhoseDecisionsChange()
    {
        var (cases, _) = CaseJson.ParseLines("""
            {"id": "government-view", "vector": "JG:1.0/UN:C/RL:M/AC:M/AR:N/HD:CY/UP:3/BR:S/FD:H/EX:N/DP:G"}
            {"id": "persona-break", "vector": "JG:1.0/UN:U/RL:H/AC:L/AR:N/HD:PO/UP:0/BR:W/FD:H/EX:A/DP:G"}
            {"id": "internal-critical", "vector": "JG:1.0/UN:U/RL:H/AC:L/AR:N/HD:BI/UP:4/BR:W/FD:H/EX:N/DP:I"}
            """, "cases");

        var (changes, errors) = PolicyDiff.Compare(BuiltinPolicies.Find("us-frontier")!, BuiltinPolicies.Find("lab-safeguards")!, cases);

        errors.ShouldBeEmpty();
        changes.ShouldNotContain(c => c.Id == "persona-break" && c.Changes.Any(l => l.StartsWith("outcome", StringComparison.Ordinal)));
        var governmentView = changes.Single(c => c.Id == "government-view");
        governmentView.Before.Outcome.ShouldBe(Outcome.Restrict);
        governmentView.After.Outcome.ShouldBe(Outcome.Restrict);
        governmentView.Changes.ShouldContain("+ notify responsible-scaling-officer due not yet (clock event unknown)");
        governmentView.Changes.ShouldContain(l => l.StartsWith("eligibility world: (no such tier)", StringComparison.Ordinal));
        governmentView.Changes.ShouldContain("eligibility tier-3: deny deny deny deny → (no such tier)");
    }

    [Fact]
    public void Compare_SamePolicy_FindsNoChanges()
    {
        var policy = BuiltinPolicies.Find("eu-gpai")!;
        var (cases, _) = CaseJson.ParseLines("{\"vector\": \"" + CriticalCyberGa + "\", \"incident\": \"death\"}", "cases");

        PolicyDiff.Compare(policy, policy, cases).Changes.ShouldBeEmpty();
    }

    [Fact]
    public void Render_BuiltinPolicy_ShowsTableObligationsAndLadders()
    {
        var markdown = PolicyMarkdown.Render(BuiltinPolicies.Find("eu-gpai")!);

        markdown.ShouldStartWith("# EU general-purpose AI serious-incident policy\n");
        markdown.ShouldContain("| # | band | exploitation | incident | outcome | note |");
        markdown.ShouldContain("| default | * | * | * | **Track** | any combination no row decides |");
        markdown.ShouldContain("| notify | ai-office | within P2D of reported | incident = infrastructure-disruption |");
        markdown.ShouldContain("| update | ai-office | every P28D from reported until resolved |");
        markdown.ShouldContain("| Suspend | eu-eea | deny | deny | deny | allow with authority-testing |");
    }
}
