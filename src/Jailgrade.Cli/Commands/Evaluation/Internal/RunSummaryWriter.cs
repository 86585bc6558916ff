using System.Globalization;
using System.Text.Json;
using Jailgrade.Evaluation.Reports;
using Jailgrade.Evaluation.Runner;
using Jailgrade.Evaluation.Statistics;
using Spectre.Console;

namespace Jailgrade.Cli.Commands.Evaluation.Internal;

/// <summary>How <c>eval run</c> writes its closing summary on stdout.</summary>
internal enum SummaryFormat
{
    /// <summary>A table for people (default on a terminal).</summary>
    Human,

    /// <summary>One tab-separated line per (target, attack) under a header (default when piped).</summary>
    Tsv,

    /// <summary>One JSON object: the run's counts, its verdict and the overall cells.</summary>
    Json,
}

/// <summary>
/// The closing summary of a run: the overall success rate of every (target, attack) with its 95%
/// interval and, for attacks, the paired test against the baseline. The same numbers as
/// <c>eval report</c>, which adds the per-category cells.
/// </summary>
internal static class RunSummaryWriter
{
    public static void Write(TextWriter output, int width, SummaryFormat format, RunSummary summary, ResultsHeader header, RateTable table)
    {
        var cells = table.Cells.Where(c => c.Category == SuccessRates.Overall).ToList();
        var comparisons = table.Comparisons.ToDictionary(c => (c.Target, c.Attack));
        switch (format)
        {
            case SummaryFormat.Human:
                WriteHuman(output, width, cells, comparisons, header);
                break;
            case SummaryFormat.Json:
                WriteJson(output, summary, header, cells, table.Comparisons);
                break;
            default:
                WriteTsv(output, cells);
                break;
        }
    }

    private static void WriteTsv(TextWriter output, List<RateCell> cells)
    {
        output.WriteLine("target\tattack\tattempts\tsuccesses\terrors\tasr\tci95_low\tci95_high");
        foreach (var cell in cells)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{cell.Target}\t{cell.Attack}\t{cell.Attempts}\t{cell.Successes}\t{cell.Errors}\t{cell.Asr:0.0000}\t{cell.Ci95.Low:0.0000}\t{cell.Ci95.High:0.0000}"));
        }
    }

    private static void WriteHuman(TextWriter output, int width, List<RateCell> cells, Dictionary<(string, string), BaselineComparison> comparisons, ResultsHeader header)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.Yes, // "No" makes Spectre reset the colours of the real console around the table
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(output),
        });
        console.Profile.Width = width;
        var corrected = header.Calibration is not null;
        var table = new Table { Border = TableBorder.Rounded }
            .AddColumn("target")
            .AddColumn("attack")
            .AddColumn(new TableColumn("attempts").RightAligned())
            .AddColumn(new TableColumn("successes").RightAligned())
            .AddColumn(new TableColumn("errors").RightAligned())
            .AddColumn(new TableColumn("ASR [[95% CI]]").RightAligned().NoWrap())
            .AddColumn(new TableColumn("vs baseline").NoWrap());
        table.Caption = new TableTitle(
            (corrected ? "ASR: per attempt, corrected for the judge's error" : "ASR: per attempt") + "; vs baseline: share of requests, paired, exact McNemar p");
        foreach (var cell in cells)
        {
            var (rate, interval) = corrected && cell.CorrectedAsr is { } asr && cell.CorrectedCi95 is { } ci ? (asr, ci) : (cell.Asr, cell.Ci95);
            table.AddRow(
                Markup.Escape(cell.Target),
                Markup.Escape(cell.Attack),
                cell.Attempts.ToString("N0", CultureInfo.InvariantCulture),
                cell.Successes.ToString("N0", CultureInfo.InvariantCulture),
                cell.Errors.ToString("N0", CultureInfo.InvariantCulture),
                Markup.Escape($"{Percent(rate)} [{Number(interval.Low)}–{Number(interval.High)}]"),
                comparisons.TryGetValue((cell.Target, cell.Attack), out var versus) ? Markup.Escape(Versus(versus)) : "");
        }

        console.Write(table);

        // Requests without a result in one arm (an artifact with no prompt in the source) drop out of the test.
        if (comparisons.Count > 0)
        {
            output.WriteLine("Paired requests per test: " + string.Join("; ", comparisons.Values.Select(c =>
                string.Create(CultureInfo.InvariantCulture, $"{c.Target} {c.Attack} {c.PairedRequests}"))) + ".");
        }

        var labels = ReportWriter.LabelComparisonsWithPooled(header);
        if (labels.Count > 0)
        {
            output.WriteLine($"Recorded labels against the judge ({header.JudgeId}):");
            foreach (var c in labels)
            {
                output.WriteLine($"  {(c.Target == SuccessRates.Overall ? "pooled" : $"{c.Target} / {c.Attack}")}: {ReportWriter.AgreementText(c.Counts)}");
            }
        }
    }

    private static string Versus(BaselineComparison c) =>
        $"{Percent(c.AttackRequestRate)} vs {Percent(c.BaselineRequestRate)}, p{(c.PValue < 0.0001 ? "" : "=")}{ReportWriter.PValueText(c.PValue)}";

    private static string Percent(double value) => Number(value) + "%";

    private static string Number(double share) => (share * 100).ToString("0.0", CultureInfo.InvariantCulture);

    // The overall cells and comparisons in summary.json's own shape, under the run's counts and verdict.
    private static void WriteJson(TextWriter output, RunSummary summary, ResultsHeader header, List<RateCell> cells, IEnumerable<BaselineComparison> comparisons)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("campaign", header.Campaign);
            json.WriteNumber("planned", summary.Planned);
            json.WriteNumber("stored", summary.Stored);
            json.WriteNumber("written", summary.Written);
            json.WriteNumber("errors", summary.Errors);
            json.WriteNumber("unjudged", summary.Unjudged);
            json.WriteNumber("not_run_for_budget", summary.SkippedForBudget);
            json.WriteNumber("error_share", Math.Round(summary.ErrorShare, 6, MidpointRounding.AwayFromZero));
            json.WriteNumber("max_error_share", summary.MaxErrorShare);
            json.WriteBoolean("complete", summary.Complete);
            json.WriteString("judge", header.JudgeId);
            json.WriteBoolean("judge_overstates_success", header.JudgeOverstates);
            ReportWriter.WriteCells(json, "overall", cells);
            ReportWriter.WriteComparisons(json, "baseline_comparison", comparisons);
            ReportWriter.WriteLabelComparisons(json, header);
            json.WriteEndObject();
        }

        output.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }
}
