using System.Text.Json;

namespace Jailgrade.Evaluation.Probes.Importers;

/// <summary>
/// Which importer a probe file looks written for, from its first bytes: the hint an error gives when
/// a file was given in the wrong format (a JailbreakBench artifact as <c>harmbench</c>, a CSV as
/// <c>jbb-artifacts</c>). A guess only: it never decides how a file is read.
/// </summary>
internal static class FormatGuess
{
    private const int Sniffed = 1 << 16;

    /// <summary>The format id the file looks like, or null when it looks like none.</summary>
    public static string? Of(string path)
    {
        string head;
        try
        {
            using var reader = new StreamReader(path);
            var buffer = new char[Sniffed];
            head = new string(buffer, 0, reader.ReadBlock(buffer, 0, buffer.Length)).TrimStart('\uFEFF', ' ', '\t', '\r', '\n');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        if (head.StartsWith('{'))
        {
            return head.Contains("\"jailbreaks\"", StringComparison.Ordinal) ? "jbb-artifacts"
                : IsProbeLine(head.Split('\n')[0]) ? "jsonl"
                : null;
        }

        var header = head.Split('\n')[0].Split(',').Select(h => h.Trim().Trim('"')).ToHashSet(StringComparer.Ordinal);
        return header.Contains("BehaviorID") && header.Contains("SemanticCategory") ? "harmbench"
            : header.Contains("Goal") && header.Contains("Category") ? "jbb"
            : header.Contains("forbidden_prompt") ? "strongreject"
            : header.Contains("goal") ? "advbench"
            : null;
    }

    /// <summary>The hint to append to an error from <paramref name="format"/>, or "" when the file looks like that format or like none.</summary>
    public static string Hint(string path, string format) =>
        Of(path) is { } guess && guess != format ? $" (the file looks like format '{guess}', not '{format}': set 'format: {guess}' in the probe entry)" : "";

    // A line that is a JSON object with a prompt: one of our own probe lines.
    private static bool IsProbeLine(string line)
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("prompt", out _);
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
