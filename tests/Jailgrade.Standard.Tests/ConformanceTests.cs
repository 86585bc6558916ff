using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Jailgrade.Standard.Scoring;
using Jailgrade.Standard.Tables;
using Jailgrade.Standard.Tests.TestSupport;

namespace Jailgrade.Standard.Tests;

/// <summary>The published conformance material: the table hash, the test vectors, the JSON definition and the doc.</summary>
public partial class ConformanceTests
{
    private const string Doc = "docs/standard/jg-1.0.md";

    [Fact]
    public void Table_Sha256_MatchesTheHashPublishedInTheStandard()
    {
        var published = TableHashLine().Match(File.ReadAllText(Golden.PathOf(Doc)));
        published.Success.ShouldBeTrue($"{Doc} must state the hash as: Table SHA-256: `<64 hex>`");
        ScoreTable.Sha256().ShouldBe(published.Groups[1].Value);
    }

    [Fact]
    public void Table_Lines_AreOdometerOrderedWithLfAndNoHeader()
    {
        using var stream = new MemoryStream();
        ScoreTable.Write(stream);
        var text = Encoding.ASCII.GetString(stream.ToArray());
        text.ShouldNotContain("\r");
        var lines = text.Split('\n');
        lines.Length.ShouldBe(612_360 + 1);
        lines[^1].ShouldBe("");
        lines[0].ShouldBe("JG:1.0/UN:N/RL:L/AC:H/AR:P/HD:PO/UP:0/BR:N/FD:L/EX:N/DP:I\t0.0\tNone");
        lines[1].ShouldBe("JG:1.0/UN:N/RL:L/AC:H/AR:P/HD:PO/UP:0/BR:N/FD:L/EX:N/DP:L\t0.0\tNone");
        lines[4].ShouldStartWith("JG:1.0/UN:N/RL:L/AC:H/AR:P/HD:PO/UP:0/BR:N/FD:L/EX:P/DP:I\t");
        lines[612_359].ShouldBe("JG:1.0/UN:U/RL:H/AC:L/AR:N/HD:AU/UP:4/BR:W/FD:H/EX:A/DP:O\t10.0\tCritical");
    }

    [Fact]
    public void TestVectors_MatchTheScorer()
    {
        Golden.Matches("docs/standard/test-vectors.tsv", BuildTestVectors());
        var lines = File.ReadAllLines(Golden.PathOf("docs/standard/test-vectors.tsv"));
        lines.Length.ShouldBeGreaterThanOrEqualTo(10_000);
        foreach (var line in lines)
        {
            var fields = line.Split('\t');
            fields.Length.ShouldBe(3, line);
            var score = JgScorer.Score(JgVector.Parse(fields[0]));
            (score.Base.ToString(), score.Band.ToString()).ShouldBe((fields[1], fields[2]), line);
        }
    }

    [Theory]
    [MemberData(nameof(Vectors.Anchors), MemberType = typeof(Vectors))]
    public void TestVectors_IncludeEveryAnchorWithItsBand(string vector, Band band) =>
        File.ReadAllLines(Golden.PathOf("docs/standard/test-vectors.tsv"))
            .ShouldContain(line => line.StartsWith(vector + "\t", StringComparison.Ordinal) && line.EndsWith("\t" + band, StringComparison.Ordinal));

    [Fact]
    public void CurrentScoreVectors_MatchTheScorer() =>
        Golden.Matches("docs/standard/test-vectors-current.tsv", BuildCurrentVectors());

    [Fact]
    public void JsonDefinition_IsTheCommittedFile() =>
        Golden.Matches("docs/standard/jg-1.0.json", JgDefinition.ToJson());

    [Fact]
    public void Doc_MetricWeightsTable_AgreesWithTheCatalog()
    {
        var rows = WeightRow().Matches(File.ReadAllText(Golden.PathOf(Doc)))
            .Select(m => $"{m.Groups[1].Value}|{m.Groups[2].Value}|{m.Groups[3].Value.Trim()}|{m.Groups[4].Value.Trim()}")
            .ToList();
        var expected = JgMetrics.All.SelectMany(metric => metric.Values.Select(value =>
            $"{metric.Abbreviation}|{value.Abbreviation}|{value.Name}|{WeightCell(value)}")).ToList();
        rows.ShouldBe(expected, $"the 'Metric weights' table of {Doc} must list every value in catalog order with the code's weights");
    }

    [Theory]
    [MemberData(nameof(Vectors.Anchors), MemberType = typeof(Vectors))]
    public void Doc_StatesEveryAnchor(string vector, Band band)
    {
        _ = band;
        File.ReadAllText(Golden.PathOf(Doc)).ShouldContain(vector);
    }

    private static string WeightCell(MetricValue value)
    {
        var tenths = value.Tier is { } tier ? JgMetrics.TierWeights[(int)tier] : value.Weight;
        return tenths switch
        {
            null => "zero",
            0 => "0.0",
            > 0 => "+" + new Score(tenths.Value),
            _ => new Score(tenths.Value).ToString(),
        };
    }

    /// <summary>Every 60th vector of the table, then the anchors: a sample an implementer can check first.</summary>
    private static string BuildTestVectors()
    {
        var builder = new StringBuilder();
        var index = 0;
        foreach (var vector in ScoreTable.BaseVectors())
        {
            if (index++ % 60 == 0)
            {
                AppendLine(builder, vector, JgScorer.Score(vector).Base);
            }
        }

        foreach (var anchor in Vectors.Anchors)
        {
            AppendLine(builder, JgVector.Parse((string)anchor[0]), JgScorer.Score(JgVector.Parse((string)anchor[0])).Base);
        }

        return builder.ToString();
    }

    /// <summary>Every 1200th base vector with each explicit mitigation status, and its current score.</summary>
    private static string BuildCurrentVectors()
    {
        var builder = new StringBuilder();
        var index = 0;
        foreach (var vector in ScoreTable.BaseVectors())
        {
            if (index++ % 1200 != 0)
            {
                continue;
            }

            for (var status = 0; status < 3; status++)
            {
                var withStatus = vector.With(Metric.MitigationStatus, status);
                AppendLine(builder, withStatus, JgScorer.Score(withStatus).Current!.Value);
            }
        }

        return builder.ToString();
    }

    private static void AppendLine(StringBuilder builder, JgVector vector, Score score) =>
        builder.Append(CultureInfo.InvariantCulture, $"{vector}\t{score}\t{score.Band}\n");

    [GeneratedRegex(@"Table SHA-256: `([0-9a-f]{64})`")]
    private static partial Regex TableHashLine();

    [GeneratedRegex(@"^\| (UN|RL|AC|AR|HD|UP|BR|FD|EX|DP|MS) \| ([A-Z0-9]{1,2}) \| ([^|]+) \| ([^|]+) \|\s*$", RegexOptions.Multiline)]
    private static partial Regex WeightRow();
}
