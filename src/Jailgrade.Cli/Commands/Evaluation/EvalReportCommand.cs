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
        var output = new Option<string?>("--output", "-o") { Description = "Write the report to this file instead of standard output ('-' is standard output). Never inside DIR.", HelpName = "file" };
        var command = new VerbCommand("report", "Write a campaign's report: rates by category with 95% intervals, heat map, comparison with baseline.", """
            Writes the report (HTML, Markdown, or the JSON of summary.json) to standard output, or to FILE with
            -o. It never writes into the results directory: evidence may be read-only, and an auditor's copy
            stays as it was handed over. The same results and seed give the same bytes. Reports never contain
            prompts or responses unless --include-payloads is given; a run judged by refusal keywords only says
            in every format that its rates are overstated.
            """)
        {
            directory, format, output, payloads,
        };
        command.WithExample("jailgrade eval report results/smoke -o report.html", "the HTML report, into report.html")
            .WithExample("jailgrade eval report results/smoke --format json | jq .overall", "the summary for other tools");
        command.SetAction((parseResult, _) => Task.FromResult((int)new EvalReportCommand(context).Run(
            parseResult.GetValue(directory)!, parseResult.GetValue(format)!, parseResult.GetValue(payloads), parseResult.GetValue(output))));
        return command;
    }

    public ExitCode Run(string directory, string format, bool includePayloads, string? output = null)
    {
        if (output is not null and not "-" && IsInside(output, directory))
        {
            context.Error.WriteLine($"jailgrade: -o {output}: that is inside the results directory {directory}, which holds evidence and is never written by a report; name a file elsewhere");
            return ExitCode.UsageError;
        }

        if (EvaluationSupport.LoadResults(context, directory) is not { } results)
        {
            return ExitCode.IoError;
        }

        var text = format switch
        {
            "json" => ReportWriter.Json(results),
            "md" => ReportWriter.Markdown(results),
            _ => ReportWriter.Html(results),
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

        if (output is null or "-")
        {
            context.Out.Write(text);
            return ExitCode.Success;
        }

        try
        {
            File.WriteAllText(output, text);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            context.Error.WriteLine($"jailgrade: cannot write {output}: {e.Message}");
            return ExitCode.IoError;
        }

        return ExitCode.Success;
    }

    // Whether the file would land in the results directory itself or below it.
    private static bool IsInside(string file, string directory)
    {
        var folder = Path.GetFullPath(directory).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        return Path.GetFullPath(file).StartsWith(folder, StringComparison.Ordinal);
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
