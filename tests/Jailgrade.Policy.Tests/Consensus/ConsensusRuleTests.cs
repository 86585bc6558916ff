using Jailgrade.Policy.Consensus;
using Jailgrade.Policy.Tests.TestSupport;
using Jailgrade.Standard;

namespace Jailgrade.Policy.Tests.Consensus;

public class ConsensusRuleTests
{
    private static readonly PartyAssessment Lab = new("lab", JgVector.Parse("JG:1.0/UN:N/RL:L/AC:H/AR:N/HD:CY/UP:1/BR:N/FD:M/EX:N/DP:G"));
    private static readonly PartyAssessment Government = new("government", JgVector.Parse("JG:1.0/UN:C/RL:M/AC:M/AR:N/HD:CY/UP:3/BR:S/FD:H/EX:N/DP:G"));
    private static readonly PartyAssessment Auditor = new("accredited-auditor", JgVector.Parse("JG:1.0/UN:C/RL:M/AC:H/AR:N/HD:CY/UP:2/BR:S/FD:M/EX:N/DP:G"));

    private static ConsensusRule UsFrontier => BuiltinPolicies.Find("us-frontier")!.Consensus;

    [Fact]
    public void Resolve_DisputeWithoutAuditor_HigherGradeStandsUntilResolved()
    {
        var result = UsFrontier.Resolve([Lab, Government]);

        result.Standing.ShouldBe(Government);
        result.Reason.ShouldBe("no accredited-auditor assessment; the highest grade (government, 8.5) stands until the dispute is resolved");
    }

    [Fact]
    public void Resolve_AuditorAssessed_AuditorsGradeStandsEvenIfLower()
    {
        var result = UsFrontier.Resolve([Lab, Government, Auditor]);

        result.Standing.ShouldBe(Auditor);
        result.Reason.ShouldBe("accredited-auditor's assessment decides under this policy");
    }

    [Fact]
    public void Resolve_LowestFallback_LowerGradeStands()
    {
        new ConsensusRule(null, ConsensusFallback.Lowest).Resolve([Government, Lab]).Standing.ShouldBe(Lab);
    }

    [Fact]
    public void Resolve_EqualScores_HigherTierStands()
    {
        // Both capped: 8.9 in the moderate tier and a catastrophic vector scoring the same.
        var moderate = new PartyAssessment("lab", JgVector.Parse("JG:1.0/UN:U/RL:H/AC:L/AR:N/HD:FR/UP:3/BR:W/FD:H/EX:A/DP:G"));
        var catastrophic = new PartyAssessment("government", JgVector.Parse("JG:1.0/UN:C/RL:M/AC:M/AR:N/HD:CY/UP:3/BR:S/FD:H/EX:P/DP:G"));
        Standard.Scoring.JgScorer.BaseTenths(catastrophic.Vector).ShouldBe(Standard.Scoring.JgScorer.BaseTenths(moderate.Vector));

        ConsensusRule.Default.Resolve([moderate, catastrophic]).Standing.ShouldBe(catastrophic);
    }

    [Fact]
    public void Resolve_NoAssessments_Throws()
    {
        Should.Throw<ArgumentException>(() => ConsensusRule.Default.Resolve([]));
    }

    [Fact]
    public void Load_ConsensusNamingUndeclaredParty_IsAnError()
    {
        var text = PolicyText.Build(extra: "consensus: {deciding-party: referee}");

        var error = PolicyText.Load(text).Errors.ShouldHaveSingleItem();

        error.Kind.ShouldBe(PolicyErrorKind.UnknownReference);
        error.Message.ShouldBe("party 'referee' is not declared under 'parties' (lab, authority)");
    }
}
