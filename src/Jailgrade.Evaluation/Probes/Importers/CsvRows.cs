using System.Text;

namespace Jailgrade.Evaluation.Probes.Importers;

/// <summary>One CSV field and where it starts (1-based line and character column; a quoted field starts at its quote).</summary>
internal readonly record struct CsvField(string Text, int Line, int Column)
{
    public (int Line, int Column) Position => (Line, Column);
}

/// <summary>One CSV record: its fields and where it ends (the position just after its last field).</summary>
internal sealed record CsvRow(IReadOnlyList<CsvField> Fields, (int Line, int Column) End)
{
    /// <summary>The line the record starts on.</summary>
    public int Line => Fields[0].Line;
}

/// <summary>
/// A small RFC 4180 reader: quoted fields with doubled quotes and embedded line breaks. Each field
/// comes with the line and column it starts at, so that errors point into the file.
/// </summary>
internal static class CsvRows
{
    public static IEnumerable<CsvRow> Read(TextReader reader, string file)
    {
        var fields = new List<CsvField>();
        var field = new StringBuilder();
        int line = 1, column = 1;
        (int Line, int Column) start = (1, 1);
        var quoted = false;
        var atFieldStart = true;
        var previous = '\0';
        int c;
        while ((c = reader.Read()) != -1)
        {
            var ch = (char)c;
            var here = (line, previous == '\r' ? column - 1 : column);
            previous = ch;
            if (ch == '\n')
            {
                line++;
                column = 1;
            }
            else
            {
                column++;
            }

            if (quoted)
            {
                if (ch != '"')
                {
                    field.Append(ch);
                }
                else if (reader.Peek() == '"')
                {
                    reader.Read();
                    column++;
                    field.Append('"');
                }
                else
                {
                    quoted = false;
                }

                continue;
            }

            switch (ch)
            {
                case '"' when atFieldStart:
                    quoted = true;
                    atFieldStart = false;
                    break;
                case ',':
                    fields.Add(new CsvField(field.ToString(), start.Line, start.Column));
                    field.Clear();
                    start = (line, column);
                    atFieldStart = true;
                    break;
                case '\r':
                    break;
                case '\n':
                    fields.Add(new CsvField(field.ToString(), start.Line, start.Column));
                    field.Clear();
                    if (fields.Count > 1 || fields[0].Text.Length > 0)
                    {
                        yield return new CsvRow(fields, here);
                    }

                    fields = [];
                    start = (line, column);
                    atFieldStart = true;
                    break;
                default:
                    field.Append(ch);
                    atFieldStart = false;
                    break;
            }
        }

        if (quoted)
        {
            var opening = field.Length > 30 ? field.ToString(0, 30) + "..." : field.ToString();
            throw new ProbeFormatException(file, start, $"the quoted field \"{opening.ReplaceLineEndings(" ").TrimEnd()} is never closed (expected a closing '\"' before the end of the file)");
        }

        if (field.Length > 0 || fields.Count > 0)
        {
            fields.Add(new CsvField(field.ToString(), start.Line, start.Column));
            yield return new CsvRow(fields, (line, column));
        }
    }
}
