using System.CommandLine;
using System.Text.Json;
using Jailgrade.Cli.Commands.Standard.Internal;
using Jailgrade.Cli.Hosting;
using Jailgrade.Standard;
using Jailgrade.Standard.Explanation;
using Jailgrade.Standard.Scoring;

namespace Jailgrade.Cli.Commands.Standard;

/// <summary><c>jailgrade explain</c>: why a vector scores what it does, and what would change its band.</summary>
internal sealed class ExplainCommand(CliContext context)
{
    /// <summary>The verb's settings.</summary>
    public sealed record Settings(string Vector, bool Json);

    public static Command Create(CliContext context)
    {
        var vector = new Argument<string>("vector") { Description = "The JG vector to explain." };
        var json = new Option<bool>("--json") { Description = "Write the explanation as one JSON object." };
        var command = new VerbCommand("explain", "Explain a score: what each metric adds and what would change the band.", """
            Written for a reader who decides on the grade: the score and band, what each metric
            adds (log-points over the metric's least severe value; +1.0 is about twice the risk), and every
            change of a single metric that would move the vector into another band ("what would it take").
            """)
        {
            vector, json,
        };
        command.WithExample("jailgrade explain JG:1.0/UN:C/RL:M/AC:M/AR:N/HD:CY/UP:3/BR:S/FD:H/EX:N/DP:G", "the government's view of a disputed cyber jailbreak")
            .WithExample("jailgrade explain --json JG:1.0/UN:N/RL:L/AC:H/AR:N/HD:CY/UP:1/BR:N/FD:M/EX:N/DP:G", "the lab's view, as JSON");
        command.SetAction((parseResult, _) =>
            Task.FromResult((int)new ExplainCommand(context).Run(new Settings(parseResult.GetValue(vector)!, parseResult.GetValue(json)))));
        return command;
    }

    public ExitCode Run(Settings settings)
    {
        var text = settings.Vector.Trim();
        if (!JgVector.TryParse(text, out var vector, out var error))
        {
            context.Error.WriteLine($"jailgrade explain: invalid vector: {error}");
            context.Error.WriteLine($"  {text}");
            context.Error.WriteLine($"  {new string(' ', Math.Max(0, error.Position - 1))}^");
            return ExitCode.InvalidInput;
        }

        var explanation = JgExplainer.Explain(vector);
        if (settings.Json)
        {
            WriteJson(explanation);
            return ExitCode.Success;
        }

        HumanView.WriteSummary(context.Out, explanation);
        context.Out.WriteLine();
        HumanView.WriteContributions(context.Out, explanation);
        context.Out.WriteLine();
        HumanView.WriteBandChanges(context.Out, explanation);
        return ExitCode.Success;
    }

    private void WriteJson(JgExplanation explanation)
    {
        context.Out.Flush();
        using (var writer = new Utf8JsonWriter(context.Output, ScoreRecords.JsonOptions))
        {
            writer.WriteStartObject();
            writer.WritePropertyName("score");
            ScoreRecords.WriteJson(writer, explanation.Score);

            writer.WriteStartArray("contributions");
            foreach (var contribution in explanation.Contributions)
            {
                writer.WriteStartObject();
                writer.WriteString("metric", contribution.Code);
                writer.WriteString("value", contribution.Value);
                writer.WriteScore("points", contribution.Points);
                writer.WriteBoolean("zeroes_score", contribution.ZeroesScore);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteStartArray("band_changes");
            foreach (var change in explanation.BandChanges)
            {
                writer.WriteStartObject();
                writer.WriteString("metric", change.Code);
                writer.WriteString("from", change.From);
                writer.WriteString("to", change.To);
                writer.WriteScore("score", change.NewScore);
                writer.WriteString("band", change.NewBand.ToString());
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            if (explanation.Cap is { } cap)
            {
                writer.WriteScore("cap", cap);
            }

            writer.WriteEndObject();
        }

        context.Output.WriteByte((byte)'\n');
    }
}
