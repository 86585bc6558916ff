using System.Text.Json;
using Jailgrade.Calculator.Tests.TestSupport;
using Jailgrade.Standard;
using Jailgrade.Standard.Explanation;
using Jailgrade.Standard.Scoring;
using Jailgrade.Standard.Tables;

namespace Jailgrade.Calculator.Tests;

/// <summary>
/// The page against the reference implementation (C#): current scores, sub-scores, CJS, the changes
/// that move the band, and the parser's error class, column and metric on a corpus of invalid vectors.
/// </summary>
[Collection(ChromiumTests.Name)]
public sealed class ReferenceAgreementTests(Chromium chromium)
{
    private const string ScoreScript = """
        vectors => vectors.map(text => {
          const parsed = JG.parse(text);
          if (!parsed.ok) return { vector: text, error: parsed.error.kind };
          const s = JG.score(parsed.vector);
          const explained = JG.explain(parsed.vector);
          const changes = explained.changes.map(c => c.metric + ':' + c.from + '>' + c.to + '=' + JG.show(c.score) + ' ' + c.band);
          const contributions = explained.contributions.map(c => c.metric + ':' + c.value + (c.points === null ? ' zeroes' : ' ' + JG.show(c.points)));
          return {
            vector: JG.format(parsed.vector), base: JG.show(s.base), band: s.band, cjs: s.cjs,
            bypass: JG.show(s.bypass), capability: JG.show(s.capability), impact: JG.show(s.impact),
            current: s.current === null ? null : JG.show(s.current), currentBand: s.currentBand,
            changes: changes.join(' | '), contributions: contributions.join(' '),
          };
        })
        """;

    private const string ParseScript = """
        inputs => inputs.map(text => {
          const parsed = JG.parse(text);
          return parsed.ok ? { kind: 'valid', column: 0, metric: JG.format(parsed.vector) }
                           : { kind: parsed.error.kind, column: parsed.error.column, metric: parsed.error.metric };
        })
        """;

    [BrowserFact]
    public async Task Score_VectorsWithMitigationStatus_EqualTheReferenceCurrentScoreBandAndSubScores()
    {
        // Every 200th base vector with each MS value (V, P, N and X, which normalizes away), and the
        // standard's current-score sample file.
        var sample = ScoreTable.BaseVectors().Where((_, i) => i % 200 == 0)
            .SelectMany(v => new[] { "V", "P", "N", "X" }.Select(ms => $"{v}/MS:{ms}"))
            .Concat(File.ReadLines(Golden.PathOf("docs/standard/test-vectors-current.tsv")).Select(line => line.Split('\t')[0]))
            .ToArray();
        await using var session = await CalculatorSession.OpenAsync(chromium);

        JsonElement[] results = [.. (await session.EvaluateAsync(ScoreScript, sample)).EnumerateArray()];

        results.Length.ShouldBe(sample.Length);
        for (var i = 0; i < sample.Length; i++)
        {
            var reference = JgScorer.Score(JgVector.Parse(sample[i]));
            Describe(results[i]).ShouldBe(Describe(reference), $"vector {sample[i]}");
        }

        await session.ShouldBeCleanAsync();
    }

    [BrowserFact]
    public async Task Explain_ContributionsAndBandChanges_EqualTheReferenceForEverySampledVector()
    {
        var sample = ScoreTable.BaseVectors().Where((_, i) => i % 997 == 0).Select(v => v.ToString()).ToArray();
        await using var session = await CalculatorSession.OpenAsync(chromium);

        JsonElement[] results = [.. (await session.EvaluateAsync(ScoreScript, sample)).EnumerateArray()];

        for (var i = 0; i < sample.Length; i++)
        {
            var reference = JgExplainer.Explain(JgVector.Parse(sample[i]));
            results[i].GetProperty("contributions").GetString().ShouldBe(
                string.Join(' ', reference.Contributions.Select(c => $"{c.Code}:{c.Value} {(c.ZeroesScore ? "zeroes" : c.Points.ToString())}")),
                $"contributions for {sample[i]}");
            results[i].GetProperty("changes").GetString().ShouldBe(
                string.Join(" | ", reference.BandChanges.Select(c => $"{c.Code}:{c.From}>{c.To}={c.NewScore} {c.NewBand}")),
                $"what would it take for {sample[i]}");
        }
    }

    [BrowserFact]
    public async Task Parse_InvalidVectorCorpus_ReportsTheReferenceClassColumnAndMetric()
    {
        var corpus = InvalidVectors.Corpus();
        await using var session = await CalculatorSession.OpenAsync(chromium);

        JsonElement[] results = [.. (await session.EvaluateAsync(ParseScript, corpus)).EnumerateArray()];

        results.Length.ShouldBe(corpus.Count);
        var disagreements = new List<string>();
        for (var i = 0; i < corpus.Count; i++)
        {
            var page = $"{results[i].GetProperty("kind").GetString()} @{results[i].GetProperty("column").GetInt32()} {Text(results[i], "metric")}";
            var reference = JgVector.TryParse(corpus[i], out var vector, out var error)
                ? $"valid @0 {vector}"
                : $"{InvalidVectors.ClassName(error.Kind)} @{error.Position} {error.Metric}";
            if (page != reference)
            {
                disagreements.Add($"{corpus[i]}: page says {page}, reference {reference}");
            }
        }

        disagreements.ShouldBeEmpty();
        corpus.Count.ShouldBeGreaterThan(3000);
        await session.ShouldBeCleanAsync();
    }

    [BrowserFact]
    public async Task Parse_JunkAfterAValueOtherThanDpOrMs_IsBadValueNotTrailingJunk()
    {
        // The one class the page, written from the text, first disagreed on (changelog 2026-12-02):
        // trailing junk only where a vector may end.
        await using var session = await CalculatorSession.OpenAsync(chromium);

        var results = await session.EvaluateAsync(ParseScript, new[]
        {
            "JG:1.0/UN:CU",
            "JG:1.0/UN:U/RL:H/AC:L/AR:N/HD:CY/UP:3/BR:W/FD:H/EX:PA",
            "JG:1.0/UN:U/RL:H/AC:L/AR:N/HD:CY/UP:3/BR:W/FD:H/EX:P/DP:GX",
            "JG:1.0/UN:U/RL:H/AC:L/AR:N/HD:CY/UP:3/BR:W/FD:H/EX:P/DP:G/MS:N:",
        });

        results.EnumerateArray().Select(r => $"{r.GetProperty("kind").GetString()} @{r.GetProperty("column").GetInt32()} {Text(r, "metric")}")
            .ShouldBe(["bad value @11 UN", "bad value @52 EX", "trailing junk @58 ", "trailing junk @63 "]);
    }

    private static string Describe(JsonElement r) =>
        $"{Text(r, "vector")} base {Text(r, "base")} {Text(r, "band")} cjs {Text(r, "cjs")} "
        + $"sub {Text(r, "bypass")}+{Text(r, "capability")}+{Text(r, "impact")} current {Text(r, "current")} {Text(r, "currentBand")}";

    private static string Describe(JgScore s) =>
        $"{s.Vector} base {s.Base} {s.Band} cjs {s.Cjs} sub {s.Bypass}+{s.Capability}+{s.Impact} current {s.Current} {s.Current?.Band}";

    private static string Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value.ToString() : "";
}
