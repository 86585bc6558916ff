using System.Text.Json;
using Jailgrade.Evaluation.Probes;

namespace Jailgrade.Evaluation.Internal;

/// <summary>Reads JSON Lines: one object per non-blank line, each with its 1-based line number.</summary>
internal static class JsonLines
{
    /// <exception cref="ProbeFormatException">A line is not JSON, naming the file and line.</exception>
    public static IEnumerable<(int Line, JsonElement Root)> Read(TextReader reader, string file)
    {
        var number = 0;
        while (reader.ReadLine() is { } line)
        {
            number++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            JsonElement root;
            try
            {
                using var document = JsonDocument.Parse(line);
                root = document.RootElement.Clone();
            }
            catch (JsonException)
            {
                throw new ProbeFormatException(file, number, "not a JSON object");
            }

            yield return (number, root);
        }
    }
}
