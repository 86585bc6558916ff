using System.Globalization;
using System.Text;

namespace Jailgrade.Cli.Remote;

/// <summary>
/// Text a server (or a file) provided, made safe to print (SECURITY.md 7): control characters, ESC
/// included, and the bidirectional overrides that reorder what a terminal shows are written as visible
/// escapes (<c>\n</c>, <c>\t</c>, <c>\u001b</c>), so no name or title can move the cursor, recolour
/// the terminal, hide text or add a row to a table or TSV.
/// </summary>
internal static class TerminalText
{
    public static string Escape(string? text)
    {
        if (text is null)
        {
            return "";
        }

        if (!text.Any(NeedsEscape))
        {
            return text;
        }

        var escaped = new StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            escaped.Append(c switch
            {
                '\n' => @"\n",
                '\r' => @"\r",
                '\t' => @"\t",
                _ when NeedsEscape(c) => @"\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture),
                _ => c.ToString(),
            });
        }

        return escaped.ToString();
    }

    // C0, DEL and C1 controls; the bidirectional embeddings, overrides and isolates (U+202A–U+202E,
    // U+2066–U+2069); and the line and paragraph separators, which some terminals treat as new lines.
    private static bool NeedsEscape(char c) =>
        char.IsControl(c) || c is >= '\u202a' and <= '\u202e' or >= '\u2066' and <= '\u2069' or '\u2028' or '\u2029';
}
