using System.CommandLine;

namespace Jailgrade.Cli.Hosting;

/// <summary>
/// Parse errors as a newcomer needs them: a misspelt verb or option gets the nearest one that exists
/// ("did you mean 'score'?"), and the errors that only follow from it (a verb "not provided", the
/// misspelt verb's own arguments) are left out.
/// </summary>
internal static partial class UsageErrors
{
    /// <summary>The furthest two names may be apart (in edits) for one to be suggested for the other.</summary>
    private const int MaxDistance = 2;

    public static IEnumerable<string> Describe(ParseResult parseResult, string commandPath)
    {
        var command = parseResult.CommandResult.Command;
        var unmatched = parseResult.Errors.Select(e => Unrecognized().Match(e.Message)).Where(m => m.Success).Select(m => m.Groups["token"].Value).ToList();
        var verbs = command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name).ToList();
        // A misspelt verb: its own arguments are unmatched too, and the command "was not provided".
        if (unmatched.Count > 0 && verbs.Count > 0 && !unmatched[0].StartsWith('-'))
        {
            yield return $"unknown verb '{unmatched[0]}' for '{commandPath}'{Suggest(unmatched[0], verbs)} The verbs are: {string.Join(", ", verbs)}.";
            yield break;
        }

        var options = command.Options.Concat(Ancestors(parseResult).SelectMany(c => c.Options.Where(o => o.Recursive)))
            .Where(o => !o.Hidden).SelectMany(o => o.Aliases.Prepend(o.Name)).Distinct().ToList();
        var unknownOptions = unmatched.Where(t => t.StartsWith('-')).ToList();
        foreach (var token in unknownOptions)
        {
            yield return $"unknown option '{token}' for '{commandPath}'{Suggest(token, options)}";
        }

        // What follows an unknown option is most likely its value, and a "required" complaint after a
        // misspelt option only misleads: both are left out once the option itself was named.
        var values = parseResult.Tokens.Select((t, i) => (t, i))
            .Where(x => x.i > 0 && unknownOptions.Contains(parseResult.Tokens[x.i - 1].Value))
            .Select(x => x.t.Value).ToHashSet(StringComparer.Ordinal);
        foreach (var error in parseResult.Errors)
        {
            var token = Unrecognized().Match(error.Message) is { Success: true } m ? m.Groups["token"].Value : null;
            if (token is not null && (unknownOptions.Contains(token) || values.Contains(token)))
            {
                continue;
            }

            if (unknownOptions.Count > 0 && error.Message.Contains("is required", StringComparison.Ordinal))
            {
                continue;
            }

            yield return error.Message;
        }
    }

    /// <summary>": did you mean 'X'?" for the nearest candidate within reach, or ".".</summary>
    public static string Suggest(string typed, IEnumerable<string> candidates)
    {
        var best = candidates
            .Select(c => (Name: c, Distance: Distance(typed.ToLowerInvariant(), c.ToLowerInvariant())))
            .Where(c => c.Distance <= Math.Min(MaxDistance, Math.Max(1, c.Name.TrimStart('-').Length / 3)))
            .OrderBy(c => c.Distance).ThenBy(c => c.Name, StringComparer.Ordinal)
            .FirstOrDefault();
        return best.Name is null ? "." : $": did you mean '{best.Name}'?";
    }

    /// <summary>Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps.</summary>
    public static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }

    [System.Text.RegularExpressions.GeneratedRegex("^Unrecognized (?:command or argument|option) '(?<token>.*)'\\.?$")]
    private static partial System.Text.RegularExpressions.Regex Unrecognized();

    private static IEnumerable<Command> Ancestors(ParseResult parseResult)
    {
        for (var result = parseResult.CommandResult.Parent; result is System.CommandLine.Parsing.CommandResult parent; result = parent.Parent)
        {
            yield return parent.Command;
        }
    }
}
