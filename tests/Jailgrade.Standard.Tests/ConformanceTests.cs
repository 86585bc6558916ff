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
    public void NaiveScorer_ReproducesThePublishedTableHash()
    {
        // The oracle below is only worth trusting because it reproduces the published hash by itself.
        var published = TableHashLine().Match(File.ReadAllText(Golden.PathOf(Doc))).Groups[1].Value;
        NaiveJg.TableSha256().ShouldBe(published);
    }

    [Fact]
    public void Score_EveryBaseVector_AgreesWithTheStandardsFormula()
    {
        var disagreements = new List<string>();
        var index = 0;
        foreach (var text in NaiveJg.BaseVectors())
        {
            var expected = NaiveJg.Score(text);
            var score = JgScorer.Score(JgVector.Parse(text));
            var actual = new NaiveJg.Scored(score.Base.Tenths, score.Bypass.Tenths, score.Capability.Tenths, score.Impact.Tenths, null);
            if (actual != expected || score.Band.ToString() != NaiveJg.Band(expected.Base))
            {
                disagreements.Add($"{text}: expected {expected}, got {actual} {score.Band}");
            }

            // The current score for a spread of vectors, each with every explicit status.
            if (index++ % 11 == 0)
            {
                foreach (var status in new[] { "V", "P", "N" })
                {
                    var withStatus = text + "/MS:" + status;
                    var current = JgScorer.Score(JgVector.Parse(withStatus)).Current?.Tenths;
                    if (current != NaiveJg.Score(withStatus).Current)
                    {
                        disagreements.Add($"{withStatus}: expected current {NaiveJg.Score(withStatus).Current}, got {current}");
                    }
                }
            }
        }

        disagreements.Take(5).ShouldBeEmpty($"{disagreements.Count} vectors disagree with Section 5.2");
    }

    [Fact]
    public void TestVectors_AreEverySixtiethTableLineThenTheAnchors()
    {
        var expected = NaiveJg.BaseVectors().Where((_, i) => i % 60 == 0)
            .Concat(Vectors.Anchors.Select(anchor => (string)anchor[0]))
            .Select(vector => NaiveJg.Score(vector).BaseLine(vector));

        CommittedLines("docs/standard/test-vectors.tsv").ShouldBe(expected);
    }

    [Fact]
    public void CurrentScoreVectors_AreEvery1200thBaseVectorWithEachStatus()
    {
        var expected = NaiveJg.BaseVectors().Where((_, i) => i % 1200 == 0)
            .SelectMany(vector => new[] { "V", "P", "N" }.Select(status => vector + "/MS:" + status))
            .Select(vector => NaiveJg.Score(vector).Current!.Value is var current ? $"{vector}\t{NaiveJg.Show(current)}\t{NaiveJg.Band(current)}" : "");

        CommittedLines("docs/standard/test-vectors-current.tsv").ShouldBe(expected);
    }

    /// <summary>A committed sample file's lines, after checking it ends every line with LF and nothing else.</summary>
    private static string[] CommittedLines(string relative)
    {
        var text = File.ReadAllText(Golden.PathOf(relative));
        text.ShouldNotContain("\r");
        text.ShouldEndWith("\n");
        return text[..^1].Split('\n');
    }

    [Theory]
    [MemberData(nameof(Vectors.Anchors), MemberType = typeof(Vectors))]
    public void TestVectors_IncludeEveryAnchorWithItsBand(string vector, Band band) =>
        File.ReadAllLines(Golden.PathOf("docs/standard/test-vectors.tsv"))
            .ShouldContain(line => line.StartsWith(vector + "\t", StringComparison.Ordinal) && line.EndsWith("\t" + band, StringComparison.Ordinal));

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

    [Fact]
    public void Doc_StatusLine_NamesTheNewestChangelogRevision()
    {
        var text = File.ReadAllText(Golden.PathOf(Doc));
        var status = StatusRevision().Match(text);
        status.Success.ShouldBeTrue("the status line says \"revised YYYY-MM-DD\"");
        var entries = ChangelogEntry().Matches(text[text.IndexOf("### 11.1 Changelog", StringComparison.Ordinal)..])
            .Select(m => m.Groups[1].Value).ToList();
        entries.ShouldNotBeEmpty();
        status.Groups[1].Value.ShouldBe(entries.Max(StringComparer.Ordinal));
    }

    [GeneratedRegex(@"Table SHA-256: `([0-9a-f]{64})`")]
    private static partial Regex TableHashLine();

    [GeneratedRegex(@"^\| (UN|RL|AC|AR|HD|UP|BR|FD|EX|DP|MS) \| ([A-Z0-9]{1,2}) \| ([^|]+) \| ([^|]+) \|\s*$", RegexOptions.Multiline)]
    private static partial Regex WeightRow();

    [GeneratedRegex(@"^Status: published, version 1\.0, revised (\d{4}-\d{2}-\d{2})", RegexOptions.Multiline)]
    private static partial Regex StatusRevision();

    [GeneratedRegex(@"^\*\*(\d{4}-\d{2}-\d{2}):", RegexOptions.Multiline)]
    private static partial Regex ChangelogEntry();
}
