using System.Text.RegularExpressions;

namespace Jailgrade.Cli.Tests.Docs;

/// <summary>One command of a block, with the output lines the doc shows for it (console blocks only).</summary>
internal sealed record DocCommand(int Line, string Text, IReadOnlyList<(int Line, string Text)> Shown)
{
    /// <summary>A server started for the rest of the block (<c>CMD &amp;</c>).</summary>
    public bool Background => Regex.IsMatch(Text, @"(?<!&)&\s*(#.*)?$");

    /// <summary>The exit status the doc promises: <c># exit N</c> at the end of the command, else 0.</summary>
    public int ExpectedExit => Regex.Match(Text, @"#\s*exit (\d+)\s*$") is { Success: true } m ? int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;
}

/// <summary>A fenced <c>sh</c>, <c>shell</c> or <c>console</c> block of a Markdown file.</summary>
internal sealed record DocBlock(string File, int Line, string Language, IReadOnlyList<DocCommand> Commands, string? SkipReason)
{
    /// <summary>Whether the doc shows output to compare (a console block).</summary>
    public bool Compared => Language == "console";

    public string Where => $"{File}:{Line}";

    /// <summary>
    /// The command blocks of a Markdown file (docs/contributing.md, "Docs that run"). A block right after
    /// <c>&lt;!-- docs-test: skip (reason) --&gt;</c> is excluded, with its reason.
    /// </summary>
    public static List<DocBlock> Read(string root, string relative)
    {
        var lines = System.IO.File.ReadAllLines(Path.Combine(root, relative));
        var blocks = new List<DocBlock>();
        for (var i = 0; i < lines.Length; i++)
        {
            var fence = Regex.Match(lines[i], @"^\s*```(sh|shell|console)\s*$");
            if (!fence.Success)
            {
                continue;
            }

            var start = i;
            var body = new List<(int Line, string Text)>();
            for (i++; i < lines.Length && !Regex.IsMatch(lines[i], @"^\s*```\s*$"); i++)
            {
                body.Add((i + 1, lines[i]));
            }

            var language = fence.Groups[1].Value;
            blocks.Add(new DocBlock(relative, start + 1, language, language == "console" ? Console(body) : Script(body), SkipMarker(lines, start)));
        }

        return blocks;
    }

    // The marker on the nearest non-blank line above the fence; a marker without a reason does not count.
    private static string? SkipMarker(string[] lines, int fence)
    {
        var above = fence - 1;
        while (above >= 0 && lines[above].Trim().Length == 0)
        {
            above--;
        }

        return above >= 0 && Regex.Match(lines[above], @"^\s*<!--\s*docs-test:\s*skip\s*\((.+)\)\s*-->\s*$") is { Success: true } m
            ? m.Groups[1].Value
            : null;
    }

    // "$ " starts a command (a trailing backslash continues it); the lines up to the next "$ " are its output.
    private static List<DocCommand> Console(List<(int Line, string Text)> body)
    {
        var commands = new List<DocCommand>();
        for (var i = 0; i < body.Count; i++)
        {
            if (!body[i].Text.StartsWith("$ ", StringComparison.Ordinal))
            {
                continue;
            }

            var line = body[i].Line;
            var text = body[i].Text[2..];
            while (text.EndsWith('\\') && i + 1 < body.Count)
            {
                text = text[..^1] + " " + body[++i].Text.Trim();
            }

            var shown = new List<(int, string)>();
            for (; i + 1 < body.Count && !body[i + 1].Text.StartsWith("$ ", StringComparison.Ordinal); i++)
            {
                shown.Add(body[i + 1]);
            }

            commands.Add(new DocCommand(line, text, shown));
        }

        return commands;
    }

    // Every line is a command, except blank lines and comments; a trailing backslash continues it.
    private static List<DocCommand> Script(List<(int Line, string Text)> body)
    {
        var commands = new List<DocCommand>();
        for (var i = 0; i < body.Count; i++)
        {
            var trimmed = body[i].Text.Trim();
            if (trimmed.Length == 0 || trimmed.StartsWith('#'))
            {
                continue;
            }

            var line = body[i].Line;
            var text = trimmed;
            while (text.EndsWith('\\') && i + 1 < body.Count)
            {
                text = text[..^1] + " " + body[++i].Text.Trim();
            }

            commands.Add(new DocCommand(line, text, []));
        }

        return commands;
    }
}
