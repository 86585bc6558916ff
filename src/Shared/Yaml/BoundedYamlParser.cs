using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Jailgrade.Yaml;

/// <summary>
/// The limits every YAML file Jailgrade reads is held to (docs/policy.md and docs/campaigns.md,
/// "Limits"). They are far above any real policy or campaign and far below what hurts: the node tree
/// is built recursively, so depth is checked on the event stream before a node exists.
/// </summary>
internal static class YamlLimits
{
    /// <summary>Largest file read, in bytes (1 MiB).</summary>
    public const int MaxFileBytes = 1 << 20;

    /// <summary>Deepest nesting of mappings and lists.</summary>
    public const int MaxDepth = 64;

    /// <summary>Most nodes (values, keys, mappings, lists, aliases) in one file.</summary>
    public const int MaxNodes = 100_000;

    /// <summary>Most errors reported for one file; the rest are counted ("and N more").</summary>
    public const int MaxReportedErrors = 100;

    /// <summary>
    /// Errors as reported: in file order, at most <see cref="MaxReportedErrors"/>; when there are more
    /// (<paramref name="dropped"/> counts those never kept), a last one at the first left out says how many.
    /// </summary>
    public static List<T> Report<T>(IEnumerable<T> errors, Func<T, (int Line, int Column)> position, int dropped, Func<T, string, T> withMessage)
    {
        var sorted = errors.OrderBy(e => position(e).Line).ThenBy(e => position(e).Column).ToList();
        var more = sorted.Count - MaxReportedErrors + dropped;
        if (more <= 0)
        {
            return sorted;
        }

        var next = sorted[MaxReportedErrors];
        return [.. sorted.Take(MaxReportedErrors), withMessage(next, $"and {Format(more)} more errors (only the first {MaxReportedErrors} are reported)")];
    }

    /// <summary><c>1,048,576</c>, as messages print the limits.</summary>
    public static string Format(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}

/// <summary>
/// A YAML parser that refuses, with the position where the limit was crossed, a stream nested deeper
/// than <see cref="YamlLimits.MaxDepth"/>, holding more than <see cref="YamlLimits.MaxNodes"/> nodes,
/// holding a second document, or an alias to no anchor defined before it. Loading a <c>YamlStream</c> through it never recurses deeper than
/// the limit.
/// </summary>
internal sealed class BoundedYamlParser(string text) : IParser
{
    private readonly Parser _inner = new(new StringReader(text));
    private int _depth;
    private int _nodes;
    private int _documents;
    private readonly HashSet<string> _anchors = new(StringComparer.Ordinal);
    private readonly Stack<ParsingEvent> _open = new();

    public ParsingEvent? Current => _inner.Current;

    public bool MoveNext()
    {
        bool moved;
        try
        {
            moved = _inner.MoveNext();
        }
        catch (Exception e) when (e is YamlException or InvalidOperationException && InnermostOpenFlow() is { } open
            && (e is InvalidOperationException || e.Message.Contains("flow", StringComparison.OrdinalIgnoreCase)))
        {
            // YamlDotNet reports an unclosed [ or { where it gave up, often lines later: point at the bracket.
            var stopped = e is YamlException y ? $" (the parser stopped at {y.Start.Line}:{y.Start.Column})" : "";
            var (at, opening) = InnermostUnclosed(open);
            throw NotClosed(at, opening, stopped);
        }

        if (!moved)
        {
            return false;
        }

        var current = _inner.Current!;
        if (current is DocumentStart && ++_documents > 1)
        {
            throw new YamlException(current.Start, current.End, "a second YAML document starts here; a file holds exactly one");
        }

        if (current is NodeEvent && ++_nodes > YamlLimits.MaxNodes)
        {
            throw new YamlException(current.Start, current.End, $"more than {YamlLimits.Format(YamlLimits.MaxNodes)} values in one file");
        }

        if (current is MappingStart or SequenceStart && ++_depth > YamlLimits.MaxDepth)
        {
            throw new YamlException(current.Start, current.End, $"nested more than {YamlLimits.MaxDepth} levels deep");
        }

        // YamlDotNet finds an undefined alias only after the document, and reports it at 1:1.
        if (current is NodeEvent { Anchor.IsEmpty: false } anchored && current is not AnchorAlias)
        {
            _anchors.Add(anchored.Anchor.Value);
        }
        else if (current is AnchorAlias alias && !_anchors.Contains(alias.Value.Value))
        {
            throw new YamlException(current.Start, current.End, $"the alias *{alias.Value.Value} refers to no anchor (&{alias.Value.Value}) defined before it");
        }

        if (current is MappingStart or SequenceStart)
        {
            _open.Push(current);
        }
        else if (current is MappingEnd or SequenceEnd)
        {
            _depth--;
            _open.TryPop(out _);
        }

        return true;
    }

    private static YamlException NotClosed(Mark at, char opening, string where) =>
        new(at, at, $"the '{opening}' opened here is not closed: expected ',' or '{Closing(opening)}'{where}");

    /// <summary>
    /// The innermost bracket still open inside <paramref name="open"/>: YamlDotNet can fail before it emits
    /// the events of a nested collection (<c>[a, {b: c]</c> fails before the <c>{</c> is an event), so the
    /// text after the outer bracket is walked: brackets nest, quoted scalars and comments are skipped, and a
    /// closer of the wrong kind or the end of the text leaves the bracket on top unclosed.
    /// </summary>
    private (Mark At, char Opening) InnermostUnclosed(ParsingEvent open)
    {
        var stack = new Stack<(int Index, int Line, int Column)>();
        var (line, column) = ((int)open.Start.Line, (int)open.Start.Column);
        for (var i = (int)open.Start.Index; i < text.Length; i++, column++)
        {
            var c = text[i];
            var previous = i == 0 ? ' ' : text[i - 1];
            switch (c)
            {
                case '\n':
                    (line, column) = (line + 1, 0);
                    continue;
                case '[' or '{':
                    stack.Push((i, line, column));
                    continue;
                case ']' or '}':
                    if (stack.Count == 0 || Closing(text[stack.Peek().Index]) != c)
                    {
                        break;
                    }

                    stack.Pop();
                    if (stack.Count == 0)
                    {
                        break;
                    }

                    continue;
                case '#' when char.IsWhiteSpace(previous):
                    while (i + 1 < text.Length && text[i + 1] != '\n')
                    {
                        i++;
                    }

                    continue;
                case '\'' or '"' when char.IsWhiteSpace(previous) || previous is '[' or '{' or ',' or ':':
                    for (i++, column++; i < text.Length && text[i] != c; i++, column++)
                    {
                        if (text[i] == '\n')
                        {
                            (line, column) = (line + 1, 0);
                        }
                        else if (c == '"' && text[i] == '\\')
                        {
                            (i, column) = (i + 1, column + 1);
                        }
                    }

                    continue;
                default:
                    continue;
            }

            break;
        }

        if (stack.Count == 0)
        {
            return (open.Start, open is SequenceStart ? '[' : '{');
        }

        var (index, atLine, atColumn) = stack.Peek();
        return (new Mark(index, atLine, atColumn), text[index]);
    }

    private static char Closing(char opening) => opening == '[' ? ']' : '}';

    private ParsingEvent? InnermostOpenFlow() =>
        _open.FirstOrDefault(e => e is SequenceStart { Style: SequenceStyle.Flow } or MappingStart { Style: MappingStyle.Flow });
}
