using System.CommandLine;
using System.Text.Json;
using Jailgrade.Cli.Commands.Standard.Internal;
using Jailgrade.Cli.Hosting;
using Jailgrade.Standard;
using Jailgrade.Standard.Explanation;
using Jailgrade.Standard.Scoring;

namespace Jailgrade.Cli.Commands.Standard;

/// <summary><c>jailgrade score</c>: score vectors given as arguments or one per line on standard input.</summary>
internal sealed class ScoreCommand(CliContext context)
{
    /// <summary>How results are written.</summary>
    public enum Format
    {
        /// <summary>Readable summary with contributions (default on a terminal, with arguments).</summary>
        Human,
        /// <summary><c>VECTOR&lt;TAB&gt;SCORE&lt;TAB&gt;BAND</c> per line (default when piped or reading stdin).</summary>
        Tsv,
        /// <summary>One JSON object per vector (JSON Lines).</summary>
        Json,
    }

    /// <summary>The verb's settings.</summary>
    public sealed record Settings(IReadOnlyList<string> Vectors, Format? Format);

    public static Command Create(CliContext context)
    {
        var vectors = new Argument<string[]>("vector")
        {
            Description = "JG vectors to score. With none, vectors are read one per line from standard input.",
            Arity = ArgumentArity.ZeroOrMore,
        };
        vectors.Validators.Add(result =>
        {
            // A vector never starts with '-': such a token is a mistyped option, not data.
            foreach (var token in result.Tokens.Where(t => t.Value.StartsWith('-')))
            {
                result.AddError($"Unrecognized option '{token.Value}'.");
            }
        });
        var json = new Option<bool>("--json") { Description = "Write one JSON object per vector (JSON Lines); same as --format json." };
        var format = new Option<string?>("--format")
        {
            Description = "human, tsv or json. Default: human on a terminal with vector arguments, tsv otherwise.",
            HelpName = "human|tsv|json",
        };
        format.AcceptOnlyFromAmong("human", "tsv", "json");
        var command = new VerbCommand("score", "Score JG 1.0 vectors: score, band, cyber-scale equivalent, sub-scores.", """
            For each vector: the base score (0.0-10.0) and band, the cyber-scale (CJS) equivalent for the
            cyber domain, the three criterion sub-scores and, when MS is given, the current score.
            Reading standard input streams in constant memory: fit for millions of lines. Each invalid vector
            gives an error record (INPUT<TAB>error<TAB>LINE:COLUMN MESSAGE, or a JSON error object) and the
            exit code is 1 at the end; valid vectors are still scored.
            """)
        {
            vectors, json, format,
        };
        command.WithExample("jailgrade score JG:1.0/UN:U/RL:H/AC:L/AR:N/HD:CY/UP:3/BR:W/FD:H/EX:P/DP:G", "score one vector")
            .WithExample("jailgrade score --json JG:1.0/UN:C/RL:M/AC:M/AR:N/HD:CY/UP:3/BR:S/FD:H/EX:N/DP:G/MS:P", "JSON with the current score")
            .WithExample("jailgrade score < vectors.txt > scores.tsv", "score a file of vectors, one per line");
        command.SetAction((parseResult, cancellationToken) =>
        {
            var chosen = parseResult.GetValue(json) ? Format.Json
                : parseResult.GetValue(format) is { } name ? Enum.Parse<Format>(name, ignoreCase: true) : (Format?)null;
            var settings = new Settings(parseResult.GetValue(vectors) ?? [], chosen);
            return Task.FromResult((int)new ScoreCommand(context).Run(settings, cancellationToken));
        });
        return command;
    }

    public ExitCode Run(Settings settings, CancellationToken cancellationToken)
    {
        var format = settings.Format ?? (settings.Vectors.Count > 0 && context.OutputIsTerminal ? Format.Human : Format.Tsv);
        BulkResult result;
        if (format == Format.Human)
        {
            if (settings.Vectors.Count == 0)
            {
                context.Error.WriteLine("jailgrade score: --format human needs vector arguments; reading standard input writes tsv or json.");
                return ExitCode.UsageError;
            }

            result = WriteHuman(settings.Vectors);
        }
        else
        {
            context.Out.Flush();
            using var scorer = new BulkScorer(context.Output, format == Format.Json);
            if (settings.Vectors.Count == 0)
            {
                if (context.InputIsTerminal)
                {
                    // Nothing piped in: someone at a terminal would otherwise wait on a silent prompt.
                    context.Error.WriteLine("jailgrade score: reading vectors from standard input, one per line; end with Ctrl+D (or give vectors as arguments: jailgrade score JG:1.0/...).");
                }

                scorer.ScoreLines(context.Input, cancellationToken);
            }
            else
            {
                // Each argument is one vector, even an empty one: error records cite the argument's number.
                for (var i = 0; i < settings.Vectors.Count; i++)
                {
                    scorer.Score(settings.Vectors[i].AsSpan().Trim(), i + 1);
                }
            }

            result = scorer.Result;
        }

        if (result.Invalid > 0)
        {
            context.Error.WriteLine($"jailgrade score: {result.Invalid} of {result.Scored + result.Invalid} vectors invalid (see the error records).");
            return ExitCode.InvalidInput;
        }

        return ExitCode.Success;
    }

    private BulkResult WriteHuman(IReadOnlyList<string> vectors)
    {
        long invalid = 0;
        for (var i = 0; i < vectors.Count; i++)
        {
            if (i > 0)
            {
                context.Out.WriteLine();
            }

            var text = vectors[i].Trim();
            if (!JgVector.TryParse(text, out var vector, out var error))
            {
                invalid++;
                context.Out.WriteLine(text);
                context.Out.WriteLine($"  invalid: {error}");
                context.Out.WriteLine($"  {text}");
                context.Out.WriteLine($"  {new string(' ', Math.Max(0, error.Position - 1))}^");
                continue;
            }

            var explanation = JgExplainer.Explain(vector);
            HumanView.WriteSummary(context.Out, explanation);
            HumanView.WriteContributions(context.Out, explanation);
        }

        return new BulkResult(vectors.Count - invalid, invalid);
    }
}
