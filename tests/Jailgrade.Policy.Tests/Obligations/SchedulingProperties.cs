using FsCheck;
using FsCheck.Fluent;
using Jailgrade.Policy.Decisions;
using Jailgrade.Policy.Obligations;
using Jailgrade.Standard;

namespace Jailgrade.Policy.Tests.Obligations;

public class SchedulingProperties
{
    private static readonly DateTimeOffset Origin = new(2026, 6, 12, 9, 0, 0, TimeSpan.Zero);
    private static readonly string[] Incidents = ["none", "other-harm", "death", "cybersecurity-breach", "infrastructure-disruption"];

    /// <summary>
    /// Due times are pure functions of the case clock: moving every event by the same number of hours
    /// moves every due time, window and recurrence end by exactly that much (the built-ins use days
    /// and hours only, which UTC calendar time adds without drift).
    /// </summary>
    [Fact]
    public void Schedule_ShiftingTheWholeClock_ShiftsEveryDueTimeByTheSameAmount()
    {
        var cases =
            from draws in Gen.ArrayOf(Gen.Choose(0, 9_999), JgMetrics.BaseMetricCount)
            from policy in Gen.Choose(0, BuiltinPolicies.Ids.Count - 1)
            from incident in Gen.Choose(0, Incidents.Length - 1)
            from shiftHours in Gen.Choose(-50_000, 50_000)
            from known in Gen.ArrayOf(Gen.Elements(true, false), 4)
            select (draws, policy, incident, shiftHours, known);

        Prop.ForAll(cases.ToArbitrary(), sample =>
        {
            var (draws, policyIndex, incident, shiftHours, known) = sample;
            var vector = JgVector.FromIndices([.. draws.Select((d, i) => d % JgMetrics.All[i].Values.Count)]);
            var policy = BuiltinPolicies.Find(BuiltinPolicies.Ids[policyIndex])!;
            var shift = TimeSpan.FromHours(shiftHours);
            CaseClock Clock(TimeSpan by) => new(
                known[0] ? Origin + by : null,
                known[1] ? Origin.AddHours(5) + by : null,
                known[2] ? Origin.AddDays(1) + by : null,
                known[3] ? Origin.AddDays(40) + by : null);
            var facts = new Dictionary<string, string> { ["incident"] = Incidents[incident] };

            var before = policy.Decide(new DecisionRequest(vector) { Facts = facts, Clock = Clock(TimeSpan.Zero) }).Obligations;
            var after = policy.Decide(new DecisionRequest(vector) { Facts = facts, Clock = Clock(shift) }).Obligations;

            return before.Count == after.Count && before.Zip(after).All(pair =>
                pair.First.Spec == pair.Second.Spec
                && pair.Second.Due == pair.First.Due + shift
                && pair.Second.NotBefore == pair.First.NotBefore + shift
                && pair.Second.Until == pair.First.Until + shift
                && (pair.First.Due is null) == (Clock(TimeSpan.Zero)[pair.First.Spec.From] is null));
        }).Verify(maxTest: 2000);
    }
}
