using FsCheck;
using FsCheck.Fluent;
using Jailgrade.Policy.Decisions;
using Jailgrade.Policy.Tables;
using Jailgrade.Standard;
using Jailgrade.Standard.Probabilities;

namespace Jailgrade.Policy.Tests.Decisions;

public class DecisionPropertyTests
{
    private static readonly Gen<JgVector> Vectors =
        from draws in Gen.ArrayOf(Gen.Choose(0, 9_999), JgMetrics.MetricCount)
        select JgVector.FromIndices([.. draws.Select((draw, i) => draw % JgMetrics.All[i].Values.Count)]);

    private static readonly Arbitrary<(JgVector Vector, int Metric, int PolicyIndex, int Incident)> Steps =
        (from vector in Vectors
         from metric in Gen.Choose(0, JgMetrics.MetricCount - 1)
         from policy in Gen.Choose(0, BuiltinPolicies.Ids.Count - 1)
         from incident in Gen.Choose(0, 4)
         select (vector, metric, policy, incident)).ToArbitrary();

    private static readonly string[] Incidents = ["none", "other-harm", "death", "cybersecurity-breach", "infrastructure-disruption"];

    /// <summary>
    /// The standard's score is monotone and the tables are proved monotone, so the composition must be:
    /// raising any metric of a vector one step never lowers a built-in policy's outcome.
    /// </summary>
    [Fact]
    public void Decide_RaisingAnyMetricOneStep_NeverLowersABuiltinOutcome()
    {
        Prop.ForAll(Steps, step =>
        {
            var (vector, metric, policyIndex, incident) = step;
            var values = JgMetrics.All[metric].Values;
            var current = vector[(Metric)metric];
            // MS is listed V, P, N, X; X reads as N, so steps are taken over V < P < N only.
            var top = metric == (int)Metric.MitigationStatus ? 2 : values.Count - 1;
            if (current >= top)
            {
                return true;
            }

            var policy = BuiltinPolicies.Find(BuiltinPolicies.Ids[policyIndex])!;
            var facts = new Dictionary<string, string> { ["incident"] = Incidents[incident] };
            var lower = policy.Decide(new DecisionRequest(vector) { Facts = facts });
            var higher = policy.Decide(new DecisionRequest(vector.With((Metric)metric, current + 1)) { Facts = facts });
            return higher.Outcome >= lower.Outcome;
        }).Verify(maxTest: 5000);
    }

    /// <summary>The compiled lookup agrees with reading the rows directly: the first (only) matching row, else the default.</summary>
    [Fact]
    public void Decide_CompiledLookup_AgreesWithEvaluatingTheRows()
    {
        Prop.ForAll(Steps, step =>
        {
            var policy = BuiltinPolicies.Find(BuiltinPolicies.Ids[step.PolicyIndex])!;
            var decision = policy.Decide(new DecisionRequest(step.Vector) { Facts = new Dictionary<string, string> { ["incident"] = Incidents[step.Incident] } });
            var inputs = decision.Inputs;
            var matching = policy.Rows.Where(row => inputs.All(i => !row.Conditions.TryGetValue(i.Key.Name, out var set) || set.Contains(i.Key.IndexOf(i.Value)))).ToList();
            var expected = matching.Count == 1 ? matching[0].Outcome : policy.Default;
            return matching.Count <= 1 && decision.Outcome == expected && decision.Row == matching.FirstOrDefault();
        }).Verify(maxTest: 5000);
    }

    [Fact]
    public void HighestWithConfidence_HigherConfidence_NeverGivesAHigherBand()
    {
        var distributions =
            from weights in Gen.ArrayOf(Gen.Choose(0, 100), 5)
            where weights.Sum() > 0
            from q1 in Gen.Choose(1, 100)
            from q2 in Gen.Choose(1, 100)
            select (weights, Math.Min(q1, q2) / 100.0, Math.Max(q1, q2) / 100.0);

        Prop.ForAll(distributions.ToArbitrary(), sample =>
        {
            var (weights, lowQ, highQ) = sample;
            var total = (double)weights.Sum();
            BandDistribution.TryCreate(weights.Select((w, i) => new KeyValuePair<Standard.Scoring.Band, double>((Standard.Scoring.Band)i, w / total)), out var probabilities, out _).ShouldBeTrue();
            var band = probabilities!.HighestWithConfidence(lowQ);
            return probabilities.HighestWithConfidence(highQ) <= band && probabilities.AtLeast(band) >= lowQ - BandDistribution.Tolerance;
        }).Verify(maxTest: 2000);
    }

    [Fact]
    public void ValueSet_Range_ContainsExactlyTheBounds()
    {
        var set = ValueSet.Range(1, 3);

        Enumerable.Range(0, 6).Select(set.Contains).ShouldBe([false, true, true, true, false, false]);
    }
}
