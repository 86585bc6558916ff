using System.CommandLine;
using System.Text;
using Jailgrade.Cli.Commands.Evaluation.Internal;
using Jailgrade.Cli.Hosting;
using Jailgrade.Evaluation.Reports;
using Jailgrade.Evaluation.Storage;

namespace Jailgrade.Cli.Commands.Evaluation;

/// <summary><c>jailgrade eval report</c>: a campaign's report as HTML, Markdown or JSON.</summary>
internal sealed class EvalReportCommand(CliContext context)
{
    public static Command Create(CliContext context)
    {
        var directory = new Argument<string>("dir") { Description = "A results directory written by 'eval run'." };
        var format = new Option<string>("--format") { Description = "html, md or json (summary.json).", DefaultValueFactory = _ => "html", HelpName = "html|md|json" };
        format.AcceptOnlyFromAmong("html", "md", "json");
        var payloads = new Option<bool>("--include-payloads") { Description = "Append the prompts and responses of successful attempts (needs the results key). Off by default: transcripts hold working jailbreaks." };
        var command = new VerbCommand("report", "Write a campaign's report: rates by category with 95% intervals, heat map, comparison with baseline.", """
            Writes DIR/report.html, DIR/report.md or DIR/summary.json and prints its path. The same results and
            seed give the same bytes. Reports never contain prompts or responses unless --include-payloads is
            given; a run judged by refusal keywords only says in every format that its rates are overstated.
            """)
        {
            directory, format, payloads,
        };
        command.WithExample("jailgrade eval report results/smoke --format html", "the HTML report")
            .WithExample("jailgrade eval report results/smoke --format json", "summary.json for other tools");
        command.SetAction((parseResult, _) => Task.FromResult((int)new EvalReportCommand(context).Run(
            parseResult.GetValue(directory)!, parseResult.GetValue(format)!, parseResult.GetValue(payloads))));
        return command;
    }

    public ExitCode Run(string directory, string format, bool includePayloads)
    {
        if (EvaluationSupport.LoadResults(context, directory) is not { } results)
        {
            return ExitCode.IoError;
        }

        var (text, name) = format switch
        {
            "json" => (ReportWriter.Json(results), "summary.json"),
            "md" => (ReportWriter.Markdown(results), "report.md"),
            _ => (ReportWriter.Html(results), "report.html"),
        };
        if (includePayloads)
        {
            using var key = EvaluationSupport.Key(context, directory, create: false);
            if (key is null)
            {
                return ExitCode.IoError;
            }

            text = format == "html" ? text.Replace("</body></html>", Payloads(directory, key, html: true) + "</body></html>", StringComparison.Ordinal) : text + Payloads(directory, key, html: false);
        }

        var path = Path.Combine(directory, name);
        try
        {
            File.WriteAllText(path, text);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Evidence handed over read-only: the report could be computed but not stored beside it.
            context.Error.WriteLine($"jailgrade: cannot write {path}: {e.Message} (the results directory may be read-only; copy it somewhere writable)");
            return ExitCode.IoError;
        }

        context.Out.WriteLine(path);
        return ExitCode.Success;
    }

    private static string Payloads(string directory, ResultsKey key, bool html)
    {
        using var store = ResultStore.OpenForReading(Path.Combine(directory, ResultStore.FileName), key);
        var text = new StringBuilder(html ? "<h2>Successful attempts (payloads)</h2>\n" : "\n## Successful attempts (payloads)\n\n");
        foreach (var r in store.ReadAll(withPayloads: true).Where(r => r.Success == true))
        {
            text.Append(html
                ? $"<h3>{System.Net.WebUtility.HtmlEncode(r.Key)}</h3><pre>{System.Net.WebUtility.HtmlEncode(r.Prompt)}</pre><pre>{System.Net.WebUtility.HtmlEncode(r.Response)}</pre>\n"
                : $"### {r.Key}\n\n```\n{r.Prompt}\n```\n\n```\n{r.Response}\n```\n\n");
        }

        return text.ToString();
    }
}
