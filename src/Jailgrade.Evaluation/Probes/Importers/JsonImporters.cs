using System.Globalization;
using System.Text.Json;
using Jailgrade.Evaluation.Internal;

namespace Jailgrade.Evaluation.Probes.Importers;

/// <summary>
/// Our own JSON Lines format, one probe per line:
/// <c>{"id": "...", "task": "...", "domain": "CY", "category": "...", "prompt": "..."}</c>;
/// <c>task</c> defaults to <c>id</c>; <c>domain</c> or a mapped <c>category</c> is needed.
/// </summary>
public sealed class JsonlImporter : IProbeImporter
{
    /// <inheritdoc />
    public string Id => "jsonl";

    /// <inheritdoc />
    public string Version => "1";

    /// <inheritdoc />
    public string Description => "Jailgrade JSON Lines: id, task, domain (JG code) or category, prompt.";

    /// <inheritdoc />
    public IReadOnlyDictionary<string, string> DefaultDomains { get; } = new Dictionary<string, string>();

    /// <inheritdoc />
    public bool HasCategories => true;

    /// <inheritdoc />
    public IReadOnlyList<ImportedProbe> Read(string path)
    {
        using var reader = new StreamReader(path);
        return [.. ReadLines(reader, Path.GetFileName(path))];
    }

    internal static IEnumerable<ImportedProbe> ReadLines(TextReader reader, string file)
    {
        foreach (var (number, root) in JsonLines.Read(reader, file))
        {
            var id = Text(root, "id") ?? throw new ProbeFormatException(file, number, "missing \"id\"");
            var prompt = Text(root, "prompt") ?? throw new ProbeFormatException(file, number, "missing \"prompt\"");
            yield return new ImportedProbe(id, Text(root, "task") ?? id, Text(root, "category"), Text(root, "domain"), prompt, number);
        }
    }

    internal static string? Text(JsonElement root, string name) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;
}

/// <summary>
/// JailbreakBench attack artifacts (JSON): <c>parameters</c> (method, model_name, attack_success_rate, …)
/// and <c>jailbreaks</c> (index, goal, behavior, category, prompt, response, jailbroken). Finished
/// results: graded and reproduced without re-running, or with <c>replay: true</c> their prompts are
/// sent to the campaign's targets.
/// </summary>
public sealed class JailbreakBenchArtifactImporter : IProbeImporter
{
    /// <inheritdoc />
    public string Id => "jbb-artifacts";

    /// <inheritdoc />
    public string Version => "1";

    /// <inheritdoc />
    public string Description => "JailbreakBench attack artifact JSON; recorded prompts, responses and labels, or replayed prompts.";

    /// <inheritdoc />
    public IReadOnlyDictionary<string, string> DefaultDomains => JailbreakBenchImporter.Categories;

    /// <inheritdoc />
    public bool HasCategories => true;

    /// <inheritdoc />
    public IReadOnlyList<ImportedProbe> Read(string path)
    {
        var file = Path.GetFileName(path);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new ProbeFormatException(file, (int)(e.LineNumber ?? 0) + 1, "not valid JSON");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("jailbreaks", out var jailbreaks) || jailbreaks.ValueKind != JsonValueKind.Array)
            {
                throw new ProbeFormatException(file, 1, "expected an object with a \"jailbreaks\" list");
            }

            var parameters = root.TryGetProperty("parameters", out var p) ? p : default;
            var model = JsonlImporter.Text(parameters, "model_name") ?? JsonlImporter.Text(parameters, "model") ?? "unknown-model";
            var method = JsonlImporter.Text(parameters, "method") ?? "unknown-method";
            var probes = new List<ImportedProbe>();
            var position = 0;
            foreach (var entry in jailbreaks.EnumerateArray())
            {
                position++;
                var index = entry.TryGetProperty("index", out var i) && i.TryGetInt32(out var n) ? n : position - 1;
                var goal = JsonlImporter.Text(entry, "goal") ?? throw new ProbeFormatException(file, 0, $"jailbreak {position} lacks \"goal\"");
                var behavior = JsonlImporter.Text(entry, "behavior") ?? index.ToString(CultureInfo.InvariantCulture);
                bool? label = entry.TryGetProperty("jailbroken", out var j) && j.ValueKind is JsonValueKind.True or JsonValueKind.False ? j.GetBoolean() : null;
                var recorded = new RecordedAttempt(model, method, JsonlImporter.Text(entry, "prompt") ?? "", JsonlImporter.Text(entry, "response"), label);
                probes.Add(new ImportedProbe(index.ToString(CultureInfo.InvariantCulture), behavior, JsonlImporter.Text(entry, "category"), null, goal, position) { Recorded = recorded });
            }

            return probes;
        }
    }

    /// <summary>The attack success rate the artifact states in its parameters, when it does.</summary>
    public static double? StatedSuccessRate(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.TryGetProperty("parameters", out var parameters)
            && parameters.TryGetProperty("attack_success_rate", out var rate) && rate.TryGetDouble(out var value)
            ? value
            : null;
    }
}
