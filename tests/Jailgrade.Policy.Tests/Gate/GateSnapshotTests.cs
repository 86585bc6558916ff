using Jailgrade.Policy.Decisions;
using Jailgrade.Policy.Eligibility;
using Jailgrade.Policy.Gate;
using Jailgrade.Standard;

namespace Jailgrade.Policy.Tests.Gate;

public class GateSnapshotTests
{
    private static readonly JgVector CriticalCyberGa = JgVector.Parse("JG:1.0/UN:U/RL:H/AC:L/AR:N/HD:CY/UP:3/BR:W/FD:H/EX:P/DP:G");
    private static readonly JgVector GovernmentView = JgVector.Parse("JG:1.0/UN:C/RL:M/AC:M/AR:N/HD:CY/UP:3/BR:S/FD:H/EX:N/DP:G");

    private static GateCase Case(string release, string id, string policy, JgVector vector) =>
        new(release, id, BuiltinPolicies.Find(policy)!.Decide(new DecisionRequest(vector)));

    [Fact]
    public void Ask_ReleaseWithoutOpenCases_IsAllowed()
    {
        var gate = GateSnapshot.Build([Case("model-a", "case-1", "us-frontier", GovernmentView)]);

        var answer = gate.Ask("model-b", "FR", IdentityLevel.None);

        answer.Access.ShouldBe(Access.Allow);
        answer.Reason.ShouldBe("no open case restricts this release");
    }

    [Fact]
    public void Ask_RestrictedRelease_AnswersByCountryTierAndLevelWithTheReason()
    {
        var gate = GateSnapshot.Build([Case("model-a", "case-1", "us-frontier", GovernmentView)]);

        gate.Ask("model-a", "GB", IdentityLevel.Verified).Access.ShouldBe(Access.Allow);
        gate.Ask("model-a", "GB", IdentityLevel.None).Access.ShouldBe(Access.Deny);
        gate.Ask("model-a", "CN", IdentityLevel.Vetted).Access.ShouldBe(Access.Deny);
        var conditional = gate.Ask("model-a", "IN", IdentityLevel.Verified);
        conditional.Access.ShouldBe(Access.AllowWithConditions);
        conditional.Conditions.ShouldBe(["monitoring", "identity-logging"]);
        conditional.Reason.ShouldBe("allow-with-conditions at level verified: case case-1: Restrict under us-frontier 1.0.0, tier tier-2");
    }

    [Fact]
    public void Ask_SeveralOpenCases_TheMostRestrictiveBindsAndIsNamed()
    {
        var gate = GateSnapshot.Build(
        [
            Case("model-a", "case-1", "us-frontier", GovernmentView),
            Case("model-a", "case-2", "lab-safeguards", CriticalCyberGa),
        ]);

        var answer = gate.Ask("model-a", "US", IdentityLevel.Vetted);

        answer.Access.ShouldBe(Access.AllowWithConditions, "the lab's Suspend keeps only its trusted-access program");
        answer.Conditions.ShouldBe(["monitoring", "trusted-access-program"]);
        answer.Reason.ShouldContain("case case-2: Suspend under lab-safeguards");
        answer.Reason.ShouldNotContain("case-1");
    }

    [Fact]
    public void Ask_UnknownCountry_FailsClosed()
    {
        var gate = GateSnapshot.Build([Case("model-a", "case-1", "us-frontier", GovernmentView)]);

        gate.Ask("model-a", "XX", IdentityLevel.Vetted).Access.ShouldBe(Access.Deny);
        gate.Ask("model-b", "XX", IdentityLevel.Vetted).Access.ShouldBe(Access.Deny);
    }

    [Fact]
    public void Replace_NewSnapshot_IsWhatReadersSeeNext()
    {
        var holder = new GateHolder();
        holder.Current.Ask("model-a", "US", IdentityLevel.None).Access.ShouldBe(Access.Allow);

        holder.Replace(GateSnapshot.Build([Case("model-a", "case-1", "us-frontier", CriticalCyberGa)]));

        holder.Current.Ask("model-a", "US", IdentityLevel.None).Access.ShouldBe(Access.Deny);
    }
}
