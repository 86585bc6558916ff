namespace Jailgrade.Evaluation.Probes.Importers;

/// <summary>Reads JSON Lines: one object per non-blank line, each able to say where its values are.</summary>
internal static class JsonLines
{
    /// <exception cref="ProbeFormatException">A line is not a JSON object, naming the file, line, column and why.</exception>
    public static IEnumerable<JsonSource> Read(TextReader reader, string file)
    {
        var number = 0;
        while (reader.ReadLine() is { } line)
        {
            number++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var source = JsonSource.Parse(file, line, number);
            source.Object(source.Root, "", "the line");
            yield return source;
        }
    }
}
