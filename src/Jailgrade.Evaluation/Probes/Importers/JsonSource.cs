using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Jailgrade.Evaluation.Probes.Importers;

/// <summary>
/// A JSON text from a probe file that can say where each of its values starts (line and 1-based
/// character column), so that every error points into the file. Values are named by JSON Pointer
/// (RFC 6901: <c>""</c> is the root, <c>"/jailbreaks/3/goal"</c> a member of an element).
/// </summary>
internal sealed class JsonSource
{
    private const int Shown = 40;
    private readonly string _text;
    private readonly int _firstLine;
    private Dictionary<string, (int Line, int Column)>? _positions;

    private JsonSource(string file, string text, int firstLine, JsonElement root)
    {
        File = file;
        _text = text;
        _firstLine = firstLine;
        Root = root;
    }

    /// <summary>The file name errors carry.</summary>
    public string File { get; }

    /// <summary>The line the text starts on.</summary>
    public int Line => _firstLine;

    /// <summary>The parsed value (a copy that outlives the parser).</summary>
    public JsonElement Root { get; }

    /// <summary>Parses <paramref name="text"/>, which starts on <paramref name="firstLine"/> of the file.</summary>
    /// <exception cref="ProbeFormatException">The text is not JSON: where the parser stopped and why.</exception>
    public static JsonSource Parse(string file, string text, int firstLine = 1)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return new JsonSource(file, text, firstLine, document.RootElement.Clone());
        }
        catch (JsonException e)
        {
            // LineNumber and BytePositionInLine are 0-based and count UTF-8 bytes; columns count characters.
            var source = new JsonSource(file, text, firstLine, default);
            var position = source.At((int)(e.LineNumber ?? 0), (int)(e.BytePositionInLine ?? 0));
            throw new ProbeFormatException(file, position, $"not valid JSON: {Reason(e)}");
        }
    }

    /// <summary>For readers that need only the line and the value: <c>foreach (var (line, root) in JsonLines.Read(...))</c>.</summary>
    public void Deconstruct(out int line, out JsonElement root) => (line, root) = (_firstLine, Root);

    /// <summary>Where the value at <paramref name="pointer"/> starts.</summary>
    public (int Line, int Column) PositionOf(string pointer)
    {
        _positions ??= Positions();
        return _positions.TryGetValue(pointer, out var position) ? position : (_firstLine, 1);
    }

    /// <summary>An error about the value at <paramref name="pointer"/>.</summary>
    public ProbeFormatException Error(string pointer, string message) => new(File, PositionOf(pointer), message);

    /// <summary>The value at <paramref name="pointer"/> is not an object: an error naming what it is.</summary>
    public JsonElement Object(JsonElement value, string pointer, string what) =>
        value.ValueKind == JsonValueKind.Object
            ? value
            : throw Error(pointer, $"bad value {Show(value)} for {what} (expected a JSON object {{...}})");

    /// <summary>A string member; null when absent or JSON null; any other kind is an error.</summary>
    public string? OptionalString(JsonElement parent, string pointer, string name) =>
        Member(parent, pointer, name, kind => kind == JsonValueKind.String, "a string", out var value) ? value.GetString() : null;

    /// <summary>A string member that must be there and not blank.</summary>
    public string RequiredString(JsonElement parent, string pointer, string name)
    {
        var text = OptionalString(parent, pointer, name);
        return string.IsNullOrWhiteSpace(text)
            ? throw (text is null
                ? Error(pointer, $"missing {Name(Child(pointer, name))} (expected a string)")
                : Error(Child(pointer, name), $"empty {Name(Child(pointer, name))} (expected text)"))
            : text;
    }

    /// <summary>A boolean member; null when absent or JSON null; any other kind is an error.</summary>
    public bool? OptionalBoolean(JsonElement parent, string pointer, string name) =>
        Member(parent, pointer, name, kind => kind is JsonValueKind.True or JsonValueKind.False, "true, false or null", out var value) ? value.GetBoolean() : null;

    /// <summary>A member of one kind; null when absent or JSON null; any other kind is an error naming <paramref name="expected"/>.</summary>
    public JsonElement? Optional(JsonElement parent, string pointer, string name, JsonValueKind kind, string expected) =>
        Member(parent, pointer, name, k => k == kind, expected, out var value) ? value : null;

    /// <summary>The pointer to a member or element of the value at <paramref name="pointer"/>.</summary>
    public static string Child(string pointer, string name) => pointer + "/" + name.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);

    /// <summary>A value as the error shows it: its JSON text, shortened.</summary>
    public static string Show(JsonElement value)
    {
        var raw = value.ValueKind == JsonValueKind.Undefined ? "nothing" : value.GetRawText().ReplaceLineEndings(" ");
        return raw.Length > Shown ? raw[..Shown] + "..." : raw;
    }

    /// <summary>A value's name in messages: <c>"/jailbreaks/3/goal"</c> is <c>"jailbreaks[3].goal"</c>, a top-level member its quoted name.</summary>
    public static string Name(string pointer)
    {
        var name = new StringBuilder();
        foreach (var segment in pointer.Split('/').Skip(1))
        {
            var text = segment.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            name.Append(segment.All(char.IsAsciiDigit) && name.Length > 0 ? $"[{text}]" : (name.Length > 0 ? "." : "") + text);
        }

        return $"\"{name}\"";
    }

    // False when the member is absent or null; an error when it is there but not what is accepted.
    private bool Member(JsonElement parent, string pointer, string name, Func<JsonValueKind, bool> accepts, string expected, out JsonElement value)
    {
        value = default;
        if (parent.ValueKind != JsonValueKind.Object || !parent.TryGetProperty(name, out value) || value.ValueKind == JsonValueKind.Null)
        {
            return false;
        }

        if (!accepts(value.ValueKind))
        {
            var at = Child(pointer, name);
            throw Error(at, $"bad value {Show(value)} for {Name(at)} (expected {expected})");
        }

        return true;
    }

    // The parser's message without the position it appends (the error carries that already).
    private static string Reason(JsonException e)
    {
        var message = e.Message;
        var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return (cut >= 0 ? message[..cut] : message).TrimEnd();
    }

    // Every value's start, by pointer: one pass of the reader, only once an error or a caller needs a position.
    private Dictionary<string, (int Line, int Column)> Positions()
    {
        var bytes = Encoding.UTF8.GetBytes(_text);
        var positions = new Dictionary<string, (int Line, int Column)>(StringComparer.Ordinal);
        var containers = new Stack<(string Pointer, bool IsArray, int Next)>();
        string? property = null;
        var (scanned, line, column) = (0, _firstLine, 1);
        var reader = new Utf8JsonReader(bytes);
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName:
                    property = reader.GetString();
                    continue;
                case JsonTokenType.EndObject or JsonTokenType.EndArray:
                    containers.Pop();
                    continue;
            }

            var pointer = "";
            if (containers.TryPop(out var parent))
            {
                pointer = Child(parent.Pointer, parent.IsArray ? parent.Next.ToString(CultureInfo.InvariantCulture) : property ?? "");
                containers.Push(parent.IsArray ? parent with { Next = parent.Next + 1 } : parent);
            }

            // Offsets only grow, so lines and columns are counted forward from the last value.
            var offset = (int)reader.TokenStartIndex;
            var skipped = bytes.AsSpan(scanned, offset - scanned);
            var newlines = skipped.Count((byte)'\n');
            if (newlines > 0)
            {
                var lineStart = scanned + skipped.LastIndexOf((byte)'\n') + 1;
                (line, column) = (line + newlines, Encoding.UTF8.GetCharCount(bytes, lineStart, offset - lineStart) + 1);
            }
            else
            {
                column += Encoding.UTF8.GetCharCount(skipped);
            }

            scanned = offset;
            positions[pointer] = (line, column);
            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
            {
                containers.Push((pointer, reader.TokenType == JsonTokenType.StartArray, 0));
            }
        }

        return positions;
    }

    // A 0-based line and byte in that line, as the parser reports them, as a line and character column.
    private (int Line, int Column) At(int line, int byteInLine)
    {
        var bytes = Encoding.UTF8.GetBytes(_text);
        var start = 0;
        for (var i = 0; i < line && start < bytes.Length; i++)
        {
            var next = bytes.AsSpan(start).IndexOf((byte)'\n');
            start = next < 0 ? bytes.Length : start + next + 1;
        }

        var length = Math.Clamp(byteInLine, 0, bytes.Length - start);
        return (_firstLine + line, Encoding.UTF8.GetCharCount(bytes, start, length) + 1);
    }
}
