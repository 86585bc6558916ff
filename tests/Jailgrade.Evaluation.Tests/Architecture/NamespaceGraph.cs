using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Jailgrade.Evaluation.Tests.Architecture;

/// <summary>
/// Which namespace uses which, read from C# source text (docs/architecture.md). A file belongs to the
/// namespace it declares; it uses every namespace it names in a <c>using</c> directive (plain, static or
/// alias) and every namespace whose type it names qualified (<c>Runner.Manifest.FileName</c> from inside
/// <c>Jailgrade.Evaluation.Probes</c>, or <c>Jailgrade.Evaluation.Runner.Manifest</c>), resolved against
/// the enclosing namespaces as the compiler does. Comments and string literals name nothing (the code
/// inside an interpolation hole does). A namespace's own enclosing namespaces are no edge: a nested
/// namespace sees its parents' types without naming them, as a feature folder's <c>Internal/</c> uses its
/// public surface. Only namespaces declared in the files read are nodes.
/// </summary>
internal sealed partial class NamespaceGraph
{
    // to -> (from -> the places that make the edge)
    private readonly Dictionary<string, Dictionary<string, List<string>>> _edges = new(StringComparer.Ordinal);

    private NamespaceGraph(IEnumerable<string> namespaces)
    {
        foreach (var name in namespaces)
        {
            _edges[name] = new(StringComparer.Ordinal);
        }
    }

    /// <summary>The namespaces declared in the files read.</summary>
    public IReadOnlyCollection<string> Namespaces => _edges.Keys;

    /// <summary>The namespaces <paramref name="name"/> uses.</summary>
    public IReadOnlyCollection<string> Uses(string name) => _edges[name].Keys;

    /// <summary>Every <c>.cs</c> file under <paramref name="directory"/>, build output excluded, paths relative to <paramref name="root"/>.</summary>
    public static NamespaceGraph FromDirectory(string root, string directory) =>
        FromSources(Directory.EnumerateFiles(Path.Combine(root, directory), "*.cs", SearchOption.AllDirectories)
            .Where(path => !path.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"))
            .Order(StringComparer.Ordinal)
            .Select(path => (Path.GetRelativePath(root, path), File.ReadAllText(path))));

    /// <summary>The graph of the given files (path, text).</summary>
    public static NamespaceGraph FromSources(IEnumerable<(string Path, string Text)> files)
    {
        var parsed = files.Select(file => Parse(file.Path, file.Text)).Where(file => file.Namespace is not null).ToList();
        var types = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var file in parsed)
        {
            if (!types.TryGetValue(file.Namespace!, out var declared))
            {
                types[file.Namespace!] = declared = new(StringComparer.Ordinal);
            }

            declared.UnionWith(file.Types);
        }

        var graph = new NamespaceGraph(types.Keys);
        foreach (var file in parsed)
        {
            var from = file.Namespace!;
            var scopes = Enclosing(from).Prepend(from).Append("").ToList();
            foreach (var name in file.Usings)
            {
                // A static or alias directive names a type: its namespace is the longest prefix that is one.
                if (LongestNamespacePrefix(name, types) is { } used)
                {
                    graph.Add(from, used, $"{file.Path} (using {name})");
                }
            }

            foreach (var chain in file.QualifiedNames)
            {
                if (Resolve(chain, scopes, types) is { } used)
                {
                    graph.Add(from, used, $"{file.Path} ({chain})");
                }
            }
        }

        return graph;
    }

    /// <summary>
    /// The same graph with every namespace cut to its first <paramref name="segments"/> parts: with 3,
    /// each top-level folder of a project (<c>Jailgrade.Evaluation.Probes</c> holds
    /// <c>Jailgrade.Evaluation.Probes.Importers</c>). Edges inside one folder drop out.
    /// </summary>
    public NamespaceGraph Collapse(int segments)
    {
        string Cut(string name) => string.Join('.', name.Split('.').Take(segments));
        var graph = new NamespaceGraph(_edges.Keys.Select(Cut).Distinct(StringComparer.Ordinal));
        foreach (var (from, uses) in _edges)
        {
            foreach (var (to, places) in uses)
            {
                if (Cut(from) != Cut(to) && !Enclosing(Cut(from)).Contains(Cut(to), StringComparer.Ordinal))
                {
                    foreach (var place in places)
                    {
                        graph.Add(Cut(from), Cut(to), place);
                    }
                }
            }
        }

        return graph;
    }

    /// <summary>
    /// One cycle per group of namespaces that depend on each other (a strongly connected component), the
    /// shortest through its first member, as <c>A -> B -> A</c> with the first place that makes each edge.
    /// </summary>
    public IReadOnlyList<string> Cycles()
    {
        var cycles = new List<string>();
        foreach (var component in StronglyConnected().Where(c => c.Count > 1))
        {
            var start = component.Min(StringComparer.Ordinal)!;
            var path = ShortestPathBack(start, component.ToHashSet(StringComparer.Ordinal));
            var text = new StringBuilder(string.Join(" -> ", path));
            for (var i = 0; i + 1 < path.Count; i++)
            {
                text.Append(CultureInfo.InvariantCulture, $"\n    {path[i]} -> {path[i + 1]}: {_edges[path[i]][path[i + 1]][0]}");
            }

            cycles.Add(text.ToString());
        }

        return cycles;
    }

    private void Add(string from, string to, string place)
    {
        if (to == from || Enclosing(from).Contains(to, StringComparer.Ordinal))
        {
            return;
        }

        if (!_edges[from].TryGetValue(to, out var places))
        {
            _edges[from][to] = places = [];
        }

        places.Add(place);
    }

    private static IEnumerable<string> Enclosing(string name)
    {
        for (var dot = name.LastIndexOf('.'); dot > 0; dot = name.LastIndexOf('.', dot - 1))
        {
            yield return name[..dot];
        }
    }

    private static string? LongestNamespacePrefix(string name, Dictionary<string, HashSet<string>> types)
    {
        for (var candidate = name; candidate.Length > 0; candidate = candidate.Contains('.', StringComparison.Ordinal) ? candidate[..candidate.LastIndexOf('.')] : "")
        {
            if (types.ContainsKey(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    // The first scope, innermost out, where some prefix of the chain is a namespace that declares the next part as a type.
    private static string? Resolve(string chain, List<string> scopes, Dictionary<string, HashSet<string>> types)
    {
        var parts = chain.Split('.');
        foreach (var scope in scopes)
        {
            for (var length = parts.Length - 1; length >= 1; length--)
            {
                var candidate = string.Join('.', parts.Take(length));
                candidate = scope.Length == 0 ? candidate : scope + "." + candidate;
                if (types.TryGetValue(candidate, out var declared) && declared.Contains(parts[length]))
                {
                    return candidate;
                }
            }
        }

        return null;
    }

    // Tarjan's algorithm, iterating the nodes in order so that the report is stable.
    private List<List<string>> StronglyConnected()
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var low = new Dictionary<string, int>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var onStack = new HashSet<string>(StringComparer.Ordinal);
        var components = new List<List<string>>();

        void Visit(string node)
        {
            index[node] = low[node] = index.Count;
            stack.Push(node);
            onStack.Add(node);
            foreach (var next in _edges[node].Keys.Order(StringComparer.Ordinal))
            {
                if (!index.TryGetValue(next, out var seen))
                {
                    Visit(next);
                    low[node] = Math.Min(low[node], low[next]);
                }
                else if (onStack.Contains(next))
                {
                    low[node] = Math.Min(low[node], seen);
                }
            }

            if (low[node] == index[node])
            {
                var component = new List<string>();
                string member;
                do
                {
                    member = stack.Pop();
                    onStack.Remove(member);
                    component.Add(member);
                }
                while (member != node);
                components.Add(component);
            }
        }

        foreach (var node in _edges.Keys.Order(StringComparer.Ordinal))
        {
            if (!index.ContainsKey(node))
            {
                Visit(node);
            }
        }

        return components;
    }

    // Breadth-first from start through the component's members until an edge leads back to start.
    private List<string> ShortestPathBack(string start, HashSet<string> members)
    {
        var previous = new Dictionary<string, string>(StringComparer.Ordinal);
        var queue = new Queue<string>([start]);
        while (queue.TryDequeue(out var node))
        {
            foreach (var next in _edges[node].Keys.Where(members.Contains).Order(StringComparer.Ordinal))
            {
                if (next == start)
                {
                    var path = new List<string> { node };
                    while (path[0] != start)
                    {
                        path.Insert(0, previous[path[0]]);
                    }

                    path.Add(start);
                    return path;
                }

                if (previous.TryAdd(next, node))
                {
                    queue.Enqueue(next);
                }
            }
        }

        throw new InvalidOperationException($"{start} is in a cycle with no path back to it.");
    }

    private sealed record SourceFile(string Path, string? Namespace, IReadOnlyList<string> Types, IReadOnlyList<string> Usings, IReadOnlyList<string> QualifiedNames);

    private static SourceFile Parse(string path, string text)
    {
        var code = CodeOnly(text);
        var declaration = NamespaceDeclaration().Match(code);
        var usings = UsingDirective().Matches(code).Select(m => m.Groups["name"].Value.Replace("global::", "", StringComparison.Ordinal)).ToList();
        var body = UsingDirective().Replace(NamespaceDeclaration().Replace(code, ""), "");
        return new SourceFile(
            path,
            declaration.Success ? declaration.Groups["name"].Value : null,
            [.. TypeDeclaration().Matches(code).Select(m => m.Groups["name"].Value)],
            usings,
            [.. QualifiedName().Matches(body).Select(m => m.Groups["name"].Value)]);
    }

    [GeneratedRegex(@"^\s*namespace\s+(?<name>[\w.]+)", RegexOptions.Multiline)]
    private static partial Regex NamespaceDeclaration();

    [GeneratedRegex(@"^\s*(?:global\s+)?using\s+(?:static\s+)?(?:\w+\s*=\s*)?(?<name>(?:global::)?[\w.]+)\s*;", RegexOptions.Multiline)]
    private static partial Regex UsingDirective();

    [GeneratedRegex(@"\b(?:record\s+struct|record\s+class|class|struct|interface|enum|record)\s+(?<name>[A-Za-z_]\w*)")]
    private static partial Regex TypeDeclaration();

    [GeneratedRegex(@"(?<![\w.@])(?:global::)?(?<name>[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+)")]
    private static partial Regex QualifiedName();

    /// <summary>The text with comments, string and character literals blanked out; code inside interpolation holes is kept.</summary>
    internal static string CodeOnly(string text)
    {
        var code = new StringBuilder(text.Length);
        var i = 0;
        Code(text, ref i, code, insideHole: false);
        return code.ToString();
    }

    private static void Code(string s, ref int i, StringBuilder code, bool insideHole)
    {
        var depth = 0;
        while (i < s.Length)
        {
            var c = s[i];
            var next = i + 1 < s.Length ? s[i + 1] : '\0';
            if (c == '/' && next == '/')
            {
                while (i < s.Length && s[i] != '\n')
                {
                    i++;
                }
            }
            else if (c == '/' && next == '*')
            {
                var end = s.IndexOf("*/", i + 2, StringComparison.Ordinal);
                i = end < 0 ? s.Length : end + 2;
                code.Append(' ');
            }
            else if (c == '\'')
            {
                i += next == '\\' ? 3 : 2;
                while (i < s.Length && s[i] != '\'')
                {
                    i++;
                }

                i++;
                code.Append(' ');
            }
            else if ((c is '"' or '@' or '$') && StringLiteral(s, ref i, code))
            {
                code.Append(' ');
            }
            else if (insideHole && c == '}' && depth == 0)
            {
                return;
            }
            else
            {
                depth += c == '{' ? 1 : c == '}' ? -1 : 0;
                code.Append(c);
                i++;
            }
        }
    }

    // A string literal at i, any of "", @"", $"", $@"", """raw""" and $$"""raw""": skipped but for its holes' code.
    private static bool StringLiteral(string s, ref int i, StringBuilder code)
    {
        var j = i;
        int dollars = 0;
        var verbatim = false;
        while (j < s.Length && (s[j] == '$' || (s[j] == '@' && !verbatim)))
        {
            dollars += s[j] == '$' ? 1 : 0;
            verbatim |= s[j] == '@';
            j++;
        }

        if (j >= s.Length || s[j] != '"')
        {
            return false;
        }

        var quotes = 0;
        while (j + quotes < s.Length && s[j + quotes] == '"')
        {
            quotes++;
        }

        if (quotes == 2)
        {
            i = j + 2;
            return true;
        }

        var raw = quotes >= 3;
        var delimiter = raw ? quotes : 1;
        var opening = Math.Max(dollars, 1);
        j += delimiter;
        while (j < s.Length)
        {
            if (s[j] == '"')
            {
                var run = 0;
                while (j + run < s.Length && s[j + run] == '"')
                {
                    run++;
                }

                if (!raw && verbatim && run >= 2)
                {
                    j += 2;
                    continue;
                }

                if (run >= delimiter)
                {
                    i = j + delimiter;
                    return true;
                }

                j += run;
            }
            else if (!raw && !verbatim && s[j] == '\\')
            {
                j += 2;
            }
            else if (dollars > 0 && s[j] == '{')
            {
                var run = 0;
                while (j + run < s.Length && s[j + run] == '{')
                {
                    run++;
                }

                if (!raw && run >= 2)
                {
                    j += 2;
                    continue;
                }

                if (run < opening)
                {
                    j += run;
                    continue;
                }

                j += run;
                code.Append(' ');
                Code(s, ref j, code, insideHole: true);
                code.Append(' ');
                while (j < s.Length && s[j] == '}')
                {
                    j++;
                }
            }
            else
            {
                j++;
            }
        }

        i = s.Length;
        return true;
    }
}
