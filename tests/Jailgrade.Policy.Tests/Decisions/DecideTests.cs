using Jailgrade.Policy.Decisions;
using Jailgrade.Policy.Eligibility;
using Jailgrade.Policy.Obligations;
using Jailgrade.Policy.Tests.TestSupport;
using Jailgrade.Standard;
using Jailgrade.Standard.Probabilities;
using Jailgrade.Standard.Scoring;

namespace Jailgrade.Policy.Tests.Decisions;

public class DecideTests
{
    private const string CriticalCyberGa = "JG:1.0/UN:U/RL:H/AC:L/AR:N/HD:CY/UP:3/BR:W/FD:H/EX:P/DP:G";
    private const string GovernmentView = "JG:1.0/UN:C/RL:M/AC:M/AR:N/HD:CY/UP:3/BR:S/FD:H/EX:N/DP:G";
    private static readonly DateTimeOffset Reported = new(2026, 6, 12, 9, 0, 0, TimeSpan.Zero);

    private static JgPolicy UsFrontier => BuiltinPolicies.Find("us-frontier")!;

    [Fact]
    public void Decide_ObligationFromUnknownClockEvent_HasNoDueTime()
    {
        var decision = UsFrontier.Decide(new DecisionRequest(JgVector.Parse(CriticalCyberGa)) { Clock = new CaseClock(Reported: Reported) });

        var fromDecided = decision.Obligations.Where(o => o.Spec.From == ClockEvent.Decided).ToList();
        fromDecided.ShouldNotBeEmpty();
        fromDecided.ShouldAllBe(o => o.Due == null);
        decision.Obligations.First(o => o.Spec.From == ClockEvent.Reported).Due.ShouldBe(Reported.AddHours(24));
    }

    [Fact]
    public void Decide_WithInjectedClock_DecidesNowAndSchedulesFromIt()
    {
        var now = new DateTimeOffset(2026, 6, 13, 12, 0, 0, TimeSpan.FromHours(2));

        var decision = UsFrontier.Decide(new DecisionRequest(JgVector.Parse(CriticalCyberGa)) { Clock = new CaseClock(Reported: Reported) }, new FixedTimeProvider(now));

        decision.Clock.Decided.ShouldBe(now);
        decision.Obligations.Single(o => o.Spec.Party == "affected-deployers").Due.ShouldBe(new DateTimeOffset(2026, 6, 14, 10, 0, 0, TimeSpan.Zero));
    }

    [Fact]
    public void Decide_WithInjectedClock_KeepsAStatedDecisionTime()
    {
        var decided = new DateTimeOffset(2026, 6, 12, 10, 0, 0, TimeSpan.Zero);

        var decision = UsFrontier.Decide(new DecisionRequest(JgVector.Parse(CriticalCyberGa)) { Clock = new CaseClock(Decided: decided) }, new FixedTimeProvider(decided.AddDays(3)));

        decision.Clock.Decided.ShouldBe(decided);
    }

    [Fact]
    public void Decide_SameCaseAtAnotherWallClockTime_GivesTheSameJsonBytes()
    {
        // The same case built twice and decided at two wall-clock times a month apart: nothing but the
        // case may reach the bytes (countries keep the order they were asked in).
        var eu = BuiltinPolicies.Find("eu-gpai")!;
        var clock = new CaseClock(Reported: Reported, Decided: Reported.AddHours(2));
        var one = new DecisionRequest(JgVector.Parse(CriticalCyberGa))
        {
            Clock = clock,
            Countries = ["US", "CN", "DE"],
            Facts = new Dictionary<string, string> { ["incident"] = "death" },
        };
        var other = new DecisionRequest(JgVector.Parse(CriticalCyberGa))
        {
            Clock = clock,
            Countries = ["US", "CN", "DE"],
            Facts = new Dictionary<string, string> { ["incident"] = "death" },
        };

        var first = DecisionJson.Serialize(eu.Decide(one, new FixedTimeProvider(Reported.AddDays(1))));
        var second = DecisionJson.Serialize(eu.Decide(other, new FixedTimeProvider(Reported.AddDays(30))));

        second.ShouldBe(first);
        first.ShouldContain("\"outcome\": \"Suspend\"");
    }

    [Fact]
    public void Decide_UnknownFactValue_FailsWithTheDeclaredValues()
    {
        var eu = BuiltinPolicies.Find("eu-gpai")!;
        var request = new DecisionRequest(JgVector.Parse(GovernmentView)) { Facts = new Dictionary<string, string> { ["incident"] = "fire" } };

        eu.TryDecide(request, null, out var decision, out var error).ShouldBeFalse();

        decision.ShouldBeNull();
        error.ShouldBe("'fire' is not a value of 'incident' (one of: none, other-harm, death, cybersecurity-breach, infrastructure-disruption)");
        Should.Throw<ArgumentException>(() => eu.Decide(request));
    }

    [Fact]
    public void Decide_FactNotStated_UsesTheInputsDefault()
    {
        var eu = BuiltinPolicies.Find("eu-gpai")!;

        var decision = eu.Decide(new DecisionRequest(JgVector.Parse(GovernmentView)));

        decision.Inputs.Single(i => i.Key.Name == "incident").Value.ShouldBe("none");
        decision.Outcome.ShouldBe(Outcome.Mitigate);
    }

    [Fact]
    public void Decide_FactWithoutDefaultNotStated_Fails()
    {
        var text = PolicyText.Build(
            inputs: "inputs:\n  - band\n  - name: incident\n    ordered: false\n    values: [none, death]",
            table: "table:\n  rows:\n    - {incident: death, outcome: Suspend}\n    - {incident: none, outcome: Track}",
            outcomes: "");
        var policy = PolicyText.LoadValid(text);

        policy.TryDecide(new DecisionRequest(JgVector.Parse(GovernmentView)), null, out _, out var error).ShouldBeFalse();

        error.ShouldBe("the case must state 'incident' (one of: none, death)");
    }

    [Fact]
    public void Decide_Countries_MapsEachToItsTierAndLadder()
    {
        var decision = UsFrontier.Decide(new DecisionRequest(JgVector.Parse(GovernmentView)) { Countries = ["GB", "IN", "RU"] });

        decision.Countries.Select(c => (c.Country, c.Ladder.Tier.Name)).ShouldBe([("GB", "tier-1"), ("IN", "tier-2"), ("RU", "tier-3")]);
        decision.Countries[0].Ladder[IdentityLevel.Basic].Access.ShouldBe(Access.AllowWithConditions);
        decision.Countries[2].Ladder[IdentityLevel.Vetted].Access.ShouldBe(Access.Deny);
    }

    [Fact]
    public void Decide_UnknownCountry_Fails()
    {
        UsFrontier.TryDecide(new DecisionRequest(JgVector.Parse(GovernmentView)) { Countries = ["UK"] }, null, out _, out var error).ShouldBeFalse();

        error.ShouldStartWith("'UK' is not an ISO 3166-1 alpha-2 country code");
    }

    [Fact]
    public void Decide_BandProbabilities_DecideOnTheBandHeldAtThePolicysConfidence()
    {
        BandDistribution.TryCreate([new(Band.Medium, 0.3), new(Band.High, 0.45), new(Band.Critical, 0.25)], out var probabilities, out _).ShouldBeTrue();
        var request = new DecisionRequest(JgVector.Parse(CriticalCyberGa)) { BandProbabilities = probabilities };

        var government = UsFrontier.Decide(request);
        var lab = BuiltinPolicies.Find("lab-safeguards")!.Decide(request);

        government.Band.ShouldBe(Band.High, "q = 0.5 and P(≥ High) = 0.70");
        lab.Band.ShouldBe(Band.Medium, "q = 0.8 and P(≥ High) = 0.70 < 0.8");
        government.Score.Band.ShouldBe(Band.Critical, "the point grade is still reported");
        government.Rationale.ShouldContain("P(band ≥ High) = 0.7 ≥ confidence 0.5");
    }

    [Fact]
    public void Decide_Rationale_NamesTheRowAndTheInputs()
    {
        var decision = UsFrontier.Decide(new DecisionRequest(JgVector.Parse(GovernmentView)));

        var line = PolicyText.LineOf(BuiltinPolicies.TextOf("us-frontier")!, "{band: High, tier: \">=Severe\", outcome: Restrict}");
        decision.Rationale.ShouldBe($"row 4 (line {line}) decided Restrict on band=High, tier=Catastrophic, exploitation=N, exposure=G; base score 8.5 is band High.");
    }

    [Fact]
    public void Decide_DefaultDecides_RationaleSaysSo()
    {
        var decision = BuiltinPolicies.Find("eu-gpai")!.Decide(new DecisionRequest(JgVector.Parse("JG:1.0/UN:N/RL:L/AC:H/AR:N/HD:CY/UP:1/BR:N/FD:M/EX:N/DP:G")));

        decision.Row.ShouldBeNull();
        decision.Rationale.ShouldStartWith("no row matched; the table's default decided Track");
    }

    [Fact]
    public void Decide_MitigationStatusInput_ReadsAbsentMsAsNone()
    {
        var text = PolicyText.Build(
            inputs: "inputs:\n  - mitigation",
            table: "table:\n  rows:\n    - {mitigation: V, outcome: Track}\n    - {mitigation: \">=P\", outcome: Mitigate}",
            outcomes: "");
        var policy = PolicyText.LoadValid(text);

        policy.Decide(new DecisionRequest(JgVector.Parse(GovernmentView))).Outcome.ShouldBe(Outcome.Mitigate);
        policy.Decide(new DecisionRequest(JgVector.Parse(GovernmentView + "/MS:V"))).Outcome.ShouldBe(Outcome.Track);
    }

    [Theory]
    [InlineData("US", IdentityLevel.Vetted, Access.AllowWithConditions)]
    [InlineData("US", IdentityLevel.Verified, Access.Deny)]
    [InlineData("CN", IdentityLevel.Vetted, Access.Deny)]
    public void AccessFor_SuspendedRelease_AnswersTheGatesQuestion(string country, IdentityLevel level, Access expected)
    {
        var decision = UsFrontier.Decide(new DecisionRequest(JgVector.Parse(CriticalCyberGa)));

        decision.AccessFor(country, level).Access.ShouldBe(expected);
    }

    [Fact]
    public void AccessFor_UnknownCountry_Throws()
    {
        var decision = UsFrontier.Decide(new DecisionRequest(JgVector.Parse(CriticalCyberGa)));

        Should.Throw<ArgumentException>(() => decision.AccessFor("XX", IdentityLevel.Vetted));
    }

    [Fact]
    public void Decide_OnAnEvaluationsBandDistribution_UsesTheBandAtTheConfidence()
    {
        // Two equally weighted resampled vectors: one High (8.5), one Critical (10.0).
        var distribution = BandProbabilities.FromSamples([(JgVector.Parse(GovernmentView), 1.0), (JgVector.Parse(CriticalCyberGa), 1.0)]);

        var decision = UsFrontier.Decide(new DecisionRequest(JgVector.Parse(GovernmentView)) { BandProbabilities = distribution });

        decision.Band.ShouldBe(Band.Critical, "P(≥ Critical) = 0.5 meets us-frontier's q = 0.5");
        decision.Band.ShouldBe(distribution.HighestWithConfidence(UsFrontier.Confidence));
    }
}
