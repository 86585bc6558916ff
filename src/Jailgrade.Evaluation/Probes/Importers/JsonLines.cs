namespace Jailgrade.Evaluation.Probes.Importers;

/// <summary>Reads JSON Lines: one object per non-blank line, each able to say where its values are.</summary>
internal static class JsonLines
{
    /// <summary>
    /// The lines that are JSON objects. A line that is not goes to <paramref name="errors"/> when given
    /// (and reading goes on, so every bad line is reported); without it, it throws.
    /// </summary>
    /// <exception cref="ProbeFormatException">A line is not a JSON object, naming the file, line, column and why.</exception>
    public static IEnumerable<JsonSource> Read(TextReader reader, string file, ICollection<ProbeFormatException>? errors = null)
    {
        var number = 0;
        while (reader.ReadLine() is { } line)
        {
            number++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            JsonSource source;
            try
            {
                source = JsonSource.Parse(file, line, number);
                source.Object(source.Root, "", "the line");
            }
            catch (ProbeFormatException e) when (errors is not null)
            {
                errors.Add(e);
                continue;
            }

            yield return source;
        }
    }
}
