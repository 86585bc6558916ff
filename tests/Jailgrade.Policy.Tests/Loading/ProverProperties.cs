using FsCheck;
using FsCheck.Fluent;
using Jailgrade.Policy.Decisions;
using Jailgrade.Policy.Tests.TestSupport;
using Jailgrade.Standard;

namespace Jailgrade.Policy.Tests.Loading;

/// <summary>
/// Random small tables over band (5 values) and exposure (4 values), checked against a brute-force
/// oracle written independently of the loader: the loader accepts exactly the tables that are
/// overlap-free, complete and monotone, reports the right kind of error otherwise, and a loaded
/// table decides every combination as the oracle does.
/// </summary>
public class ProverProperties
{
    private static readonly string[] BandValues = ["None", "Low", "Medium", "High", "Critical"];
    private static readonly string[] ExposureValues = ["I", "L", "G", "O"];

    private sealed record Row(int BandLow, int BandHigh, int ExposureLow, int ExposureHigh, int Outcome);

    private static readonly Gen<Row> Rows =
        from b1 in Gen.Choose(0, 4)
        from b2 in Gen.Choose(0, 4)
        from e1 in Gen.Choose(0, 3)
        from e2 in Gen.Choose(0, 3)
        from outcome in Gen.Choose(0, 3)
        select new Row(Math.Min(b1, b2), Math.Max(b1, b2), Math.Min(e1, e2), Math.Max(e1, e2), outcome);

    private static readonly Arbitrary<(Row[] Rows, int Default)> Tables =
        (from count in Gen.Choose(1, 5)
         from rows in Gen.ArrayOf(Rows, count)
         from fallback in Gen.Choose(-1, 3)
         select (rows, fallback)).ToArbitrary();

    [Fact]
    public void Load_RandomTable_AcceptedExactlyWhenTheOracleSaysItIsComplete_Exclusive_AndMonotone()
    {
        int accepted = 0, rejectedShape = 0, rejectedOrder = 0;
        Prop.ForAll(Tables, table =>
        {
            var (rows, fallback) = table;
            var outcome = new int?[5, 4];
            var overlap = false;
            for (var b = 0; b < 5; b++)
            {
                for (var e = 0; e < 4; e++)
                {
                    var matches = rows.Where(r => r.BandLow <= b && b <= r.BandHigh && r.ExposureLow <= e && e <= r.ExposureHigh).ToList();
                    overlap |= matches.Count > 1;
                    outcome[b, e] = matches.Count > 0 ? matches[0].Outcome : fallback >= 0 ? fallback : null;
                }
            }

            var complete = Enumerable.Range(0, 20).All(i => outcome[i / 4, i % 4] is not null);
            var monotone = complete && Enumerable.Range(0, 20).All(i =>
            {
                var (b, e) = (i / 4, i % 4);
                return (b == 4 || outcome[b + 1, e] >= outcome[b, e]) && (e == 3 || outcome[b, e + 1] >= outcome[b, e]);
            });

            var result = PolicyText.Load(PolicyText.Build(table: Write(rows, fallback), outcomes: ""));
            var kinds = result.Errors.Select(e => e.Kind).Distinct().ToList();
            if (overlap || !complete)
            {
                rejectedShape++;
                return result.Policy is null
                    && kinds.Contains(overlap ? PolicyErrorKind.Overlap : PolicyErrorKind.Incomplete)
                    && !kinds.Contains(PolicyErrorKind.NotMonotone);
            }

            if (!monotone)
            {
                rejectedOrder++;
                return result.Policy is null && kinds.SequenceEqual([PolicyErrorKind.NotMonotone]);
            }

            accepted++;
            var policy = result.Policy;
            return policy is not null && Enumerable.Range(0, 20).All(i => (int)policy.Decide(Request(i / 4, i % 4)).Outcome == outcome[i / 4, i % 4]);
        }).Verify(maxTest: 1500);

        // The generator must reach every branch, or the property proves less than it says.
        accepted.ShouldBeGreaterThan(20);
        rejectedShape.ShouldBeGreaterThan(20);
        rejectedOrder.ShouldBeGreaterThan(20);
    }

    private static string Write(Row[] rows, int fallback)
    {
        var lines = new List<string> { "table:" };
        if (fallback >= 0)
        {
            lines.Add($"  default: {Outcomes.All[fallback]}");
        }

        lines.Add("  rows:");
        lines.AddRange(rows.Select(r =>
            $"    - {{band: {BandValues[r.BandLow]}..{BandValues[r.BandHigh]}, exposure: {ExposureValues[r.ExposureLow]}..{ExposureValues[r.ExposureHigh]}, outcome: {Outcomes.All[r.Outcome]}}}"));
        return string.Join('\n', lines);
    }

    /// <summary>A vector whose base band and DP are the given indices (bands reached by known anchors).</summary>
    private static DecisionRequest Request(int band, int exposure)
    {
        // One anchor vector per band; DP is then set, and the band re-checked so the test cannot lie.
        string[] anchors =
        [
            "JG:1.0/UN:U/RL:H/AC:L/AR:N/HD:PO/UP:0/BR:W/FD:H/EX:A/DP:G",
            "JG:1.0/UN:N/RL:L/AC:H/AR:P/HD:PO/UP:1/BR:N/FD:L/EX:N/DP:I",
            "JG:1.0/UN:N/RL:L/AC:H/AR:N/HD:FR/UP:2/BR:W/FD:M/EX:P/DP:I",
            "JG:1.0/UN:U/RL:H/AC:L/AR:N/HD:FR/UP:3/BR:W/FD:H/EX:A/DP:I",
            "JG:1.0/UN:U/RL:H/AC:L/AR:N/HD:CY/UP:4/BR:W/FD:H/EX:A/DP:I",
        ];
        var vector = JgVector.Parse(anchors[band]).With(Metric.DeploymentExposure, exposure);
        ((int)Standard.Scoring.JgScorer.Score(vector).Band).ShouldBe(band, $"anchor {vector} must stay in band {BandValues[band]}");
        return new DecisionRequest(vector);
    }
}
