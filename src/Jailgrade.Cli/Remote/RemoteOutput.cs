using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Jailgrade.Cli.Hosting;
using Spectre.Console;

namespace Jailgrade.Cli.Remote;

/// <summary>One column of a remote verb's output: its name and how to read it from an object the server sent.</summary>
/// <param name="Wide">Shown in TSV only: tables on a terminal keep to the columns people scan.</param>
internal sealed record Column(string Name, Func<JsonElement, string> Value, bool Wide = false);

/// <summary>
/// How the remote verbs print what the server answered (docs/cli.md, "Output conventions"): a table on
/// a terminal, TSV under a header line when piped, and with <c>--json</c> the server's JSON, one
/// document on one line. Every string from the server is escaped (<see cref="TerminalText"/>).
/// </summary>
internal static class RemoteOutput
{
    private static readonly JsonWriterOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Writes the server's JSON again, re-encoded so it is one valid line with control characters escaped.</summary>
    public static async Task WriteJsonAsync(CliContext context, JsonElement json)
    {
        await context.Out.FlushAsync();
        using (var writer = new Utf8JsonWriter(context.Output, JsonOptions))
        {
            json.WriteTo(writer);
        }

        await context.Output.WriteAsync("\n"u8.ToArray());
        await context.Output.FlushAsync();
    }

    /// <summary>Many objects: a table on a terminal, else a TSV header and one line per object.</summary>
    public static void WriteRows(CliContext context, IReadOnlyList<Column> columns, IEnumerable<JsonElement> items)
    {
        if (!context.OutputIsTerminal)
        {
            WriteTsv(context.Out, columns, items);
            return;
        }

        var shown = columns.Where(c => !c.Wide).ToList();
        var rows = items.Select(item => shown.Select(c => TerminalText.Escape(c.Value(item))).ToList()).ToList();
        var table = new Table { Border = TableBorder.Rounded };
        for (var i = 0; i < shown.Count; i++)
        {
            // Ids are copied whole from a table: a column of them never wraps (the others make room).
            var ids = rows.Count > 0 && rows.All(r => Guid.TryParse(r[i], out _));
            table.AddColumn(new TableColumn(new Text(shown[i].Name)) { NoWrap = ids });
        }

        foreach (var row in rows)
        {
            table.AddRow([.. row.Select(value => new Text(value))]);
        }

        Render(context, table);
    }

    /// <summary>One object: its fields one per line on a terminal, else the same TSV as a list of one.</summary>
    public static void WriteRecord(CliContext context, IReadOnlyList<Column> columns, JsonElement item)
    {
        if (!context.OutputIsTerminal)
        {
            WriteTsv(context.Out, columns, [item]);
            return;
        }

        var grid = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn();
        foreach (var column in columns)
        {
            grid.AddRow(new Text(column.Name), new Text(TerminalText.Escape(column.Value(item))));
        }

        Render(context, grid);
    }

    private static void WriteTsv(TextWriter output, IReadOnlyList<Column> columns, IEnumerable<JsonElement> items)
    {
        output.WriteLine(string.Join('\t', columns.Select(c => c.Name)));
        foreach (var item in items)
        {
            output.WriteLine(string.Join('\t', columns.Select(c => TerminalText.Escape(c.Value(item)))));
        }
    }

    private static void Render(CliContext context, Spectre.Console.Rendering.IRenderable renderable)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.Yes,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(context.Out),
        });
        console.Profile.Width = context.TerminalWidth;
        console.Write(renderable);
    }

    /// <summary>A property as text: a string as it is, a number or boolean in JSON form, null or absent as empty.</summary>
    public static string Text(JsonElement item, string name) =>
        item.ValueKind == JsonValueKind.Object && item.TryGetProperty(name, out var value) ? Text(value) : "";

    public static string Text(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.Null or JsonValueKind.Undefined => "",
        JsonValueKind.Array => string.Join(",", value.EnumerateArray().Select(Text)),
        _ => value.GetRawText(),
    };

    /// <summary>The items of a list answer: a bare array, or a page's <c>items</c>.</summary>
    public static IEnumerable<JsonElement> Items(JsonElement answer) =>
        answer.ValueKind == JsonValueKind.Array ? answer.EnumerateArray()
        : answer.ValueKind == JsonValueKind.Object && answer.TryGetProperty("items", out var items) && items.ValueKind == JsonValueKind.Array ? items.EnumerateArray()
        : [];

    /// <summary>An event's changes as <c>field: from -> to</c> (<c>field=to</c> for a first value), or its body's other members when it has none.</summary>
    public static string Changes(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            return "";
        }

        if (body.TryGetProperty("changes", out var changes) && changes.ValueKind == JsonValueKind.Array)
        {
            return string.Join("; ", changes.EnumerateArray().Select(c =>
                c.ValueKind != JsonValueKind.Object ? Text(c)
                : c.TryGetProperty("from", out var from) && from.ValueKind != JsonValueKind.Null
                    ? string.Create(CultureInfo.InvariantCulture, $"{Text(c, "field")}: {Text(from)} -> {Text(c, "to")}")
                : c.TryGetProperty("to", out _) ? $"{Text(c, "field")}={Text(c, "to")}"
                // A change that names no value, such as the technique's {"field":"technique","set":true}.
                : $"{Text(c, "field")} ({string.Join(", ", c.EnumerateObject().Where(p => p.Name != "field").Select(p => $"{p.Name}={Text(p.Value)}"))})"));
        }

        return string.Join("; ", body.EnumerateObject().Where(p => p.Name != "actor").Select(p => $"{p.Name}={Text(p.Value)}"));
    }
}
