using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Jailgrade.Evaluation.Attacks;
using Jailgrade.Evaluation.Judges;
using Jailgrade.Evaluation.Statistics;
using Jailgrade.Evaluation.Storage;

namespace Jailgrade.Evaluation.Reports;

/// <summary>
/// The campaign report as JSON (<c>summary.json</c>), Markdown or self-contained HTML (inline SVG, no
/// external assets). Deterministic: the same results and seed give the same bytes. Payloads never
/// appear here; <c>--include-payloads</c> is handled by the caller with the results key.
/// </summary>
public static class ReportWriter
{
    /// <summary>Said in every output of a run judged by keywords only.</summary>
    public const string OverstatesNote =
        "Judged by refusal keywords only: this judge counts any answer without a refusal phrase as a success and so overstates success rates.";

    /// <summary>Computes the rate table of a results directory with its seed and calibration.</summary>
    public static RateTable Rates(ResultsDirectory results)
    {
        ArgumentNullException.ThrowIfNull(results);
        return SuccessRates.Compute(results.Results, results.Seed, results.Calibration);
    }

    /// <summary>Rows of a Markdown or HTML report's list of requests without attempts; summary.json lists all.</summary>
    public const int ListedRequestsWithoutAttempts = 50;

    /// <summary>
    /// The requests (target, attack, probe) that had no attempt: every result an error or an answer the
    /// judge could not rate. The standard (7.1) leaves them out of every rate and has the report list them.
    /// </summary>
    public static IReadOnlyList<RequestWithoutAttempts> RequestsWithoutAttempts(ResultsDirectory results)
    {
        ArgumentNullException.ThrowIfNull(results);
        return [.. results.Results
            .GroupBy(r => (r.Target, r.Attack, r.Probe))
            .Where(g => !g.Any(RequestOutcome.IsAttempt))
            .Select(g => new RequestWithoutAttempts(g.Key.Target, g.Key.Attack, g.Key.Probe, g.Count(), g.Count(r => r.IsError),
                g.Where(r => r.IsError).GroupBy(r => r.ErrorKind!).OrderByDescending(k => k.Count()).ThenBy(k => k.Key, StringComparer.Ordinal).Select(k => k.Key).FirstOrDefault() ?? "unjudged"))
            .OrderBy(r => r.Target, StringComparer.Ordinal).ThenBy(r => r.Attack, StringComparer.Ordinal).ThenBy(r => r.Probe, StringComparer.Ordinal)];
    }

    /// <summary>Notes every output carries: the judge's bias, high baselines, requests without attempts.</summary>
    public static IReadOnlyList<string> Notes(ResultsDirectory results, RateTable table)
    {
        ArgumentNullException.ThrowIfNull(results);
        return Notes(results, table, RequestsWithoutAttempts(results).Count);
    }

    /// <summary>
    /// The same notes from a results directory's header (<see cref="ResultsHeader.LoadRequestRows"/>)
    /// and its count of requests without attempts.
    /// </summary>
    public static IReadOnlyList<string> Notes(ResultsHeader header, RateTable table, int requestsWithoutAttempts)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(table);
        var notes = new List<string>();
        if (header.JudgeOverstates && table.Cells.Any(c => !header.LabelsJudge(c.Target, c.Attack)))
        {
            notes.Add(OverstatesNote);
        }

        if (header.LabelledPairs.Count > 0)
        {
            notes.Add(RecordedAnswersNote(header));
        }

        if (PendingNote(header) is { } pending)
        {
            notes.Add(pending);
        }

        notes.AddRange(CalibrationNotes(header));
        notes.AddRange(SourceNotes(header));

        notes.AddRange(table.Cells
            .Where(c => c.Attack == AttackSpec.BaselineId && c.Category != SuccessRates.Overall && SuccessRates.NoWorkingSafeguard(c, header.Calibration))
            .Select(c => $"Target {c.Target}, {c.Category}: the baseline already succeeds {Percent(c.CorrectedAsr ?? c.Asr)} of the time; the domain had no working safeguard to bypass."));
        var empty = requestsWithoutAttempts;
        if (empty > 0)
        {
            notes.Add($"{empty} request{(empty == 1 ? "" : "s")} had no attempt (every result an error or unjudgeable): left out of every rate and listed in the report.");
        }

        return notes;
    }

    /// <summary>
    /// What every output says of the judge's calibration: its counts, Se and Sp, the labels' provenance,
    /// the models it covered and its digest, whether the run started with it or it was added later,
    /// and a warning for each target whose model it did not cover. Empty without a calibration.
    /// </summary>
    public static IReadOnlyList<string> CalibrationNotes(ResultsHeader header)
    {
        ArgumentNullException.ThrowIfNull(header);
        if (header.Calibration is not { } calibration)
        {
            return [];
        }

        var notes = new List<string>();
        var counts = calibration.Counts is { } c
            ? string.Create(CultureInfo.InvariantCulture, $"TP {c.TruePositives}, FN {c.FalseNegatives}, TN {c.TrueNegatives}, FP {c.FalsePositives}; ")
            : "";
        var started = calibration.Digest is null ? ""
            : header.RunCalibrationDigest == calibration.Digest ? " (named by the campaign; the run started with it)"
            : header.RunCalibrationDigest is null ? " (added after the run with 'judge calibrate --out')"
            : $" (added after the run; the run started with {header.RunCalibrationDigest})";
        notes.Add(string.Create(CultureInfo.InvariantCulture,
            $"Judge {header.JudgeId} calibrated: {counts}sensitivity {calibration.Sensitivity:0.000}, specificity {calibration.Specificity:0.000}; rates are corrected and their intervals carry the calibration's own uncertainty.")
            + (calibration.Provenance is { Length: > 0 } provenance ? $" Labels: {provenance}." : "")
            + (calibration.Models.Count > 0 ? $" Models covered: {string.Join(", ", calibration.Models)}." : "")
            + (calibration.Digest is { } digest ? $" Calibration {digest}{started}." : ""));
        var uncovered = header.UncoveredTargets();
        if (uncovered.Count > 0 && calibration.Models.Count > 0)
        {
            notes.Add($"Warning: the calibration covers {string.Join(", ", calibration.Models)}, not the model of target{(uncovered.Count == 1 ? "" : "s")} {string.Join(", ", uncovered)}: a judge's error on one model's answers need not be its error on another's.");
        }

        return notes;
    }

    /// <summary>What the sources themselves dropped or left out: behaviours with no prompt, images ignored.</summary>
    public static IReadOnlyList<string> SourceNotes(ResultsHeader header)
    {
        ArgumentNullException.ThrowIfNull(header);
        const int Listed = 10;
        var notes = new List<string>();
        foreach (var source in header.Sources)
        {
            if (source.NoPrompt.Count > 0)
            {
                var more = source.NoPrompt.Count > Listed ? $" and {source.NoPrompt.Count - Listed} more (manifest.json lists them all)" : "";
                notes.Add($"{source.Source}: {source.NoPrompt.Count} behavior{(source.NoPrompt.Count == 1 ? " has" : "s have")} no prompt in the source ({string.Join(", ", source.NoPrompt.Take(Listed))}{more}).");
            }

            if (source.ImagesIgnored > 0)
            {
                notes.Add($"{source.Source}: {source.ImagesIgnored} behavior{(source.ImagesIgnored == 1 ? "'s image was" : "s' images were")} ignored (text_only: true).");
            }
        }

        return notes;
    }

    /// <summary>What a reader says of results it found in a write-ahead log never checkpointed; null when there were none.</summary>
    public static string? PendingNote(ResultsHeader header)
    {
        ArgumentNullException.ThrowIfNull(header);
        var n = header.PendingInWal;
        return n == 0 ? null
            : $"{n} result{(n == 1 ? " was" : "s were")} still in the write-ahead log (results.db-wal), not yet checkpointed: the run that wrote {(n == 1 ? "it" : "them")} did not end cleanly. {(n == 1 ? "It is" : "They are")} included here; 'jailgrade eval run CAMPAIGN --resume' finishes the run and checkpoints the log.";
    }

    /// <summary>A paired test's p as every human output shows it: four decimals, or <c>&lt;0.0001</c> (never a rounded 0).</summary>
    public static string PValueText(double p) =>
        p < 0.0001 ? "<0.0001" : p.ToString("0.0000", CultureInfo.InvariantCulture);

    /// <summary>Which judgment the headline figures of recorded answers come from, and what is compared beside it.</summary>
    public static string RecordedAnswersNote(ResultsHeader header)
    {
        ArgumentNullException.ThrowIfNull(header);
        var provenance = header.Sources.Where(s => s.Labels is not null).Select(s => $"{s.Source}: {s.Labels}").ToList();
        var labels = provenance.Count == 0 ? "" : $" Labels: {string.Join("; ", provenance)}.";
        return header.RecordedAnswers == Judges.RecordedAnswersJudge.Labels
            ? $"Recorded answers (finished artifacts) are judged by their source's own labels, not corrected and not provisional; the campaign's judge ({header.JudgeId}) is compared with them below. FD for them is the assessor's.{labels}"
            : $"Recorded answers (finished artifacts) are judged by the campaign's judge ({header.JudgeId}), as the campaign asks (judge: recorded_answers: judge); their source's labels are compared with it below.{labels}";
    }

    /// <summary>The judge against the recorded labels as one line of text: counts, agreement, Se, Sp and kappa.</summary>
    public static string AgreementText(ConfusionCounts counts) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{counts.Compared} compared (TP {counts.TruePositives}, FN {counts.FalseNegatives}, TN {counts.TrueNegatives}, FP {counts.FalsePositives}); agreement {Share(counts.Agreement)}, sensitivity {Share(counts.Sensitivity)}, specificity {Share(counts.Specificity)}, kappa {Share(counts.Kappa)}");

    /// <summary>Every (target, attack) comparison of the judge with recorded labels, then the pooled one (null when there is none).</summary>
    public static IReadOnlyList<LabelComparison> LabelComparisonsWithPooled(ResultsHeader header)
    {
        ArgumentNullException.ThrowIfNull(header);
        var rows = header.LabelComparisons.ToList();
        if (rows.Count > 0)
        {
            rows.Add(new LabelComparison(SuccessRates.Overall, SuccessRates.Overall, rows.Aggregate(default(ConfusionCounts), (sum, c) => sum.Add(c.Counts))));
        }

        return rows;
    }

    /// <summary>Writes the judge's agreement with recorded labels as <c>summary.json</c> holds it: per (target, attack), then pooled.</summary>
    public static void WriteLabelComparisons(Utf8JsonWriter json, ResultsHeader header)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(header);
        json.WriteStartObject("recorded_labels");
        json.WriteString("headline", header.RecordedAnswers == Judges.RecordedAnswersJudge.Labels ? "source-labels" : "judge");
        json.WriteString("compared_judge", header.JudgeId);
        json.WriteStartArray("comparisons");
        foreach (var c in LabelComparisonsWithPooled(header))
        {
            json.WriteStartObject();
            json.WriteString("target", c.Target);
            json.WriteString("attack", c.Attack);
            Evidence.EvidenceJson.WriteAgreementFields(json, c.Counts);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static string Share(double? value) => value is { } v ? v.ToString("0.000", CultureInfo.InvariantCulture) : "n/a";

    private static string PairName(LabelComparison c) => c.Target == SuccessRates.Overall ? "pooled" : $"{c.Target} / {c.Attack}";

    private static readonly string[] LabelColumns = ["target / attack", "compared", "TP", "FN", "TN", "FP", "agreement", "sensitivity", "specificity", "kappa"];

    private static string LabelsHeadline(ResultsHeader header) =>
        $"Headline for recorded answers: {(header.RecordedAnswers == Judges.RecordedAnswersJudge.Labels ? "the source's labels" : "the campaign's judge")}.";

    // One comparison as table cells, in LabelColumns order (Markdown and HTML render the same cells).
    private static string[] LabelCells(LabelComparison c) =>
    [
        PairName(c), Count(c.Counts.Compared), Count(c.Counts.TruePositives), Count(c.Counts.FalseNegatives), Count(c.Counts.TrueNegatives), Count(c.Counts.FalsePositives),
        Share(c.Counts.Agreement), Share(c.Counts.Sensitivity), Share(c.Counts.Specificity), Share(c.Counts.Kappa),
    ];

    private static string Count(long n) => n.ToString(CultureInfo.InvariantCulture);

    /// <summary><c>summary.json</c>.</summary>
    public static string Json(ResultsDirectory results)
    {
        var table = Rates(results);
        var empty = RequestsWithoutAttempts(results);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("campaign", results.Campaign);
            json.WriteString("seed", results.Seed.ToString(CultureInfo.InvariantCulture));
            json.WriteStartObject("judge");
            json.WriteString("id", results.JudgeId);
            json.WriteString("version", results.JudgeVersion);
            json.WriteBoolean("overstates_success", results.JudgeOverstates);
            json.WriteBoolean("calibrated", results.Calibration is not null);
            json.WriteString("recorded_answers", RecordedLabels.Name(results.RecordedAnswers));
            json.WriteEndObject();
            json.WriteNumber("results", results.Results.Count);
            json.WriteNumber("errors", results.Results.Count(r => r.IsError));
            json.WriteNumber("unjudged", results.Results.Count(r => !r.IsError && r.Success is null));
            json.WriteStartObject("errors_by_kind");
            foreach (var kind in results.Results.Where(r => r.IsError).GroupBy(r => r.ErrorKind!).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                json.WriteNumber(kind.Key, kind.Count());
            }

            json.WriteEndObject();
            WriteCells(json, "cells", table.Cells.Where(c => c.Category != SuccessRates.Overall));
            WriteCells(json, "overall", table.Cells.Where(c => c.Category == SuccessRates.Overall));
            WriteComparisons(json, "baseline_comparison", table.Comparisons);
            WriteLabelComparisons(json, results);
            json.WriteStartArray("requests_without_attempts");
            foreach (var r in empty)
            {
                json.WriteStartObject();
                json.WriteString("target", r.Target);
                json.WriteString("attack", r.Attack);
                json.WriteString("probe", r.Probe);
                json.WriteNumber("results", r.Results);
                json.WriteNumber("errors", r.Errors);
                json.WriteString("cause", r.Cause);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartArray("notes");
            foreach (var note in Notes(results, table, empty.Count))
            {
                json.WriteStringValue(note);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    /// <summary>The Markdown report.</summary>
    public static string Markdown(ResultsDirectory results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var table = Rates(results);
        var empty = RequestsWithoutAttempts(results);
        var md = new StringBuilder();
        md.Append(CultureInfo.InvariantCulture, $"# Campaign {results.Campaign}\n\n");
        md.Append(CultureInfo.InvariantCulture, $"Judge: {results.JudgeId} {results.JudgeVersion}{(results.Calibration is null ? "" : " (calibrated)")}. Results: {results.Results.Count}, errors: {results.Results.Count(r => r.IsError)} (errors are not attempts).\n\n");
        foreach (var note in Notes(results, table, empty.Count))
        {
            md.Append(CultureInfo.InvariantCulture, $"> {note}\n\n");
        }

        md.Append("## Success rates\n\n| target | attack | category | requests | attempts | successes | errors | ASR | 95% interval |\n|---|---|---|---:|---:|---:|---:|---:|---|\n");
        foreach (var c in table.Cells)
        {
            md.Append(CultureInfo.InvariantCulture, $"| {c.Target} | {c.Attack} | {(c.Category == SuccessRates.Overall ? "**all**" : c.Category)} | {c.Requests} | {c.Attempts} | {c.Successes} | {c.Errors} | {Percent(c.CorrectedAsr ?? c.Asr)} | {Percent((c.CorrectedCi95 ?? c.Ci95).Low)}–{Percent((c.CorrectedCi95 ?? c.Ci95).High)} |\n");
        }

        if (table.Comparisons.Count > 0)
        {
            md.Append("\n## Attack against baseline (exact McNemar on request outcomes)\n\n| target | attack | paired requests | attack only | baseline only | attack rate | baseline rate | p |\n|---|---|---:|---:|---:|---:|---:|---:|\n");
            foreach (var c in table.Comparisons)
            {
                md.Append(CultureInfo.InvariantCulture, $"| {c.Target} | {c.Attack} | {c.PairedRequests} | {c.AttackOnly} | {c.BaselineOnly} | {Percent(c.AttackRequestRate)} | {Percent(c.BaselineRequestRate)} | {PValueText(c.PValue)} |\n");
            }
        }

        var labels = LabelComparisonsWithPooled(results);
        if (labels.Count > 0)
        {
            md.Append(CultureInfo.InvariantCulture, $"\n## Recorded labels against the campaign's judge ({results.JudgeId})\n\n{LabelsHeadline(results)}\n\n| {string.Join(" | ", LabelColumns)} |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
            foreach (var c in labels)
            {
                md.Append("| ").AppendJoin(" | ", LabelCells(c)).Append(" |\n");
            }
        }

        if (empty.Count > 0)
        {
            md.Append("\n## Requests without attempts (left out of every rate)\n\n| target | attack | probe | results | errors | cause |\n|---|---|---|---:|---:|---|\n");
            foreach (var r in empty.Take(ListedRequestsWithoutAttempts))
            {
                md.Append(CultureInfo.InvariantCulture, $"| {r.Target} | {r.Attack} | {r.Probe} | {r.Results} | {r.Errors} | {r.Cause} |\n");
            }

            if (empty.Count > ListedRequestsWithoutAttempts)
            {
                md.Append(CultureInfo.InvariantCulture, $"\n… and {empty.Count - ListedRequestsWithoutAttempts} more (summary.json lists them all).\n");
            }
        }

        return md.ToString();
    }

    /// <summary>The HTML report: rates with interval bars and an attack × category heat map, in inline SVG.</summary>
    public static string Html(ResultsDirectory results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var table = Rates(results);
        var empty = RequestsWithoutAttempts(results);
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Jailgrade campaign ").Append(E(results.Campaign)).Append("</title>\n");
        html.Append("<style>body{font:14px system-ui,sans-serif;margin:2em;max-width:70em}.note{background:#fff4d6;padding:.5em 1em;border-left:4px solid #e0a800}</style>\n</head><body>\n");
        html.Append(CultureInfo.InvariantCulture, $"<h1>Campaign {E(results.Campaign)}</h1>\n<p>Judge: {E(results.JudgeId)} {E(results.JudgeVersion)}. Results: {results.Results.Count}, errors: {results.Results.Count(r => r.IsError)} (errors are not attempts).</p>\n");
        foreach (var note in Notes(results, table, empty.Count))
        {
            html.Append(CultureInfo.InvariantCulture, $"<p class=\"note\">{E(note)}</p>\n");
        }

        foreach (var target in table.Cells.GroupBy(c => c.Target))
        {
            html.Append(CultureInfo.InvariantCulture, $"<h2>Target {E(target.Key)}</h2>\n<h3>Success rate by category (bar: 95% interval)</h3>\n");
            html.Append(IntervalBars([.. target]));
            html.Append("<h3>Attack × category</h3>\n");
            html.Append(HeatMap([.. target.Where(c => c.Category != SuccessRates.Overall)]));
        }

        if (table.Comparisons.Count > 0)
        {
            html.Append("<h2>Attack against baseline (exact McNemar on request outcomes)</h2>\n<table><tr><th>target</th><th>attack</th><th>paired requests</th><th>attack only</th><th>baseline only</th><th>attack rate</th><th>baseline rate</th><th>p</th></tr>\n");
            foreach (var c in table.Comparisons)
            {
                html.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(c.Target)}</td><td>{E(c.Attack)}</td><td>{c.PairedRequests}</td><td>{c.AttackOnly}</td><td>{c.BaselineOnly}</td><td>{Percent(c.AttackRequestRate)}</td><td>{Percent(c.BaselineRequestRate)}</td><td>{E(PValueText(c.PValue))}</td></tr>\n");
            }

            html.Append("</table>\n");
        }

        var labels = LabelComparisonsWithPooled(results);
        if (labels.Count > 0)
        {
            html.Append(CultureInfo.InvariantCulture, $"<h2>Recorded labels against the campaign's judge ({E(results.JudgeId)})</h2>\n<p>{E(LabelsHeadline(results))}</p>\n<table><tr>{string.Concat(LabelColumns.Select(h => $"<th>{E(h)}</th>"))}</tr>\n");
            foreach (var c in labels)
            {
                html.Append("<tr>").Append(string.Concat(LabelCells(c).Select(v => $"<td>{E(v)}</td>"))).Append("</tr>\n");
            }

            html.Append("</table>\n");
        }

        if (empty.Count > 0)
        {
            html.Append("<h2>Requests without attempts (left out of every rate)</h2>\n<table><tr><th>target</th><th>attack</th><th>probe</th><th>results</th><th>errors</th><th>cause</th></tr>\n");
            foreach (var r in empty.Take(ListedRequestsWithoutAttempts))
            {
                html.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(r.Target)}</td><td>{E(r.Attack)}</td><td>{E(r.Probe)}</td><td>{r.Results}</td><td>{r.Errors}</td><td>{E(r.Cause)}</td></tr>\n");
            }

            html.Append("</table>\n");
            if (empty.Count > ListedRequestsWithoutAttempts)
            {
                html.Append(CultureInfo.InvariantCulture, $"<p>… and {empty.Count - ListedRequestsWithoutAttempts} more (summary.json lists them all).</p>\n");
            }
        }

        html.Append("</body></html>\n");
        return html.ToString();
    }

    private static string IntervalBars(IReadOnlyList<RateCell> cells)
    {
        const int width = 400, row = 18, left = 220;
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{left + width + 60}\" height=\"{(row * cells.Count) + 20}\" role=\"img\">\n");
        for (var i = 0; i < cells.Count; i++)
        {
            var c = cells[i];
            var ci = c.CorrectedCi95 ?? c.Ci95;
            var y = (i * row) + 14;
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"0\" y=\"{y}\">{E(c.Attack)} · {E(c.Category == SuccessRates.Overall ? "all" : c.Category)}</text>");
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{left}\" y=\"{y - 10}\" width=\"{width}\" height=\"12\" fill=\"#eee\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{left + (ci.Low * width):0.#}\" y=\"{y - 8}\" width=\"{Math.Max(1, (ci.High - ci.Low) * width):0.#}\" height=\"8\" fill=\"#7aa6d6\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{left + ((c.CorrectedAsr ?? c.Asr) * width) - 1:0.#}\" y=\"{y - 11}\" width=\"2\" height=\"14\" fill=\"#12355b\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{left + width + 6}\" y=\"{y}\">{Percent(c.CorrectedAsr ?? c.Asr)}</text>\n");
        }

        return svg.Append("</svg>\n").ToString();
    }

    private static string HeatMap(IReadOnlyList<RateCell> cells)
    {
        var attacks = cells.Select(c => c.Attack).Distinct().ToList();
        var categories = cells.Select(c => c.Category).Distinct().ToList();
        const int cell = 44, left = 160, top = 20;
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{left + (cell * categories.Count) + 10}\" height=\"{top + (cell * attacks.Count) + 10}\" role=\"img\">\n");
        for (var j = 0; j < categories.Count; j++)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{left + (j * cell) + 10}\" y=\"14\">{E(categories[j])}</text>");
        }

        for (var i = 0; i < attacks.Count; i++)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"0\" y=\"{top + (i * cell) + 26}\">{E(attacks[i])}</text>");
            for (var j = 0; j < categories.Count; j++)
            {
                var c = cells.FirstOrDefault(x => x.Attack == attacks[i] && x.Category == categories[j]);
                if (c is null)
                {
                    continue;
                }

                var rate = c.CorrectedAsr ?? c.Asr;
                var shade = (int)Math.Round(255 - (rate * 200));
                svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{left + (j * cell)}\" y=\"{top + (i * cell)}\" width=\"{cell - 2}\" height=\"{cell - 2}\" fill=\"rgb(255,{shade},{shade})\"><title>{E(c.Attack)} {E(c.Category)}: {Percent(rate)}</title></rect>");
                svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{left + (j * cell) + 6}\" y=\"{top + (i * cell) + 26}\" font-size=\"11\">{(int)Math.Round(rate * 100)}%</text>\n");
            }
        }

        return svg.Append("</svg>\n").ToString();
    }

    /// <summary>Writes attack-versus-baseline comparisons as a JSON array, as <c>summary.json</c> holds them.</summary>
    public static void WriteComparisons(Utf8JsonWriter json, string name, IEnumerable<BaselineComparison> comparisons)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(comparisons);
        json.WriteStartArray(name);
        foreach (var c in comparisons)
        {
            json.WriteStartObject();
            json.WriteString("target", c.Target);
            json.WriteString("attack", c.Attack);
            json.WriteNumber("paired_requests", c.PairedRequests);
            json.WriteNumber("attack_only", c.AttackOnly);
            json.WriteNumber("baseline_only", c.BaselineOnly);
            json.WriteNumber("attack_request_rate", Round(c.AttackRequestRate));
            json.WriteNumber("baseline_request_rate", Round(c.BaselineRequestRate));
            json.WriteNumber("mcnemar_p", double.Parse(c.PValue.ToString("G6", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture));
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    /// <summary>Writes rate cells as a JSON array, as <c>summary.json</c> holds them.</summary>
    public static void WriteCells(Utf8JsonWriter json, string name, IEnumerable<RateCell> cells)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(cells);
        json.WriteStartArray(name);
        foreach (var c in cells)
        {
            json.WriteStartObject();
            json.WriteString("target", c.Target);
            json.WriteString("attack", c.Attack);
            json.WriteString("category", c.Category);
            json.WriteNumber("requests", c.Requests);
            json.WriteNumber("attempts", c.Attempts);
            json.WriteNumber("successes", c.Successes);
            json.WriteNumber("errors", c.Errors);
            json.WriteNumber("asr", Round(c.Asr));
            WritePair(json, "ci95", c.Ci95);
            if (c.CorrectedAsr is { } corrected)
            {
                json.WriteNumber("corrected_asr", Round(corrected));
                WritePair(json, "corrected_ci95", c.CorrectedCi95!.Value);
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    private static void WritePair(Utf8JsonWriter json, string name, Interval interval)
    {
        json.WriteStartArray(name);
        json.WriteNumberValue(Round(interval.Low));
        json.WriteNumberValue(Round(interval.High));
        json.WriteEndArray();
    }

    private static double Round(double value, int digits = 4) => Math.Round(value, digits, MidpointRounding.AwayFromZero);

    private static string Percent(double value) => (value * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%";

    private static string E(string text) => WebUtility.HtmlEncode(text);
}

/// <summary>A request with no attempt: how many results it has, how many were errors, and the commonest cause.</summary>
public sealed record RequestWithoutAttempts(string Target, string Attack, string Probe, int Results, int Errors, string Cause);
