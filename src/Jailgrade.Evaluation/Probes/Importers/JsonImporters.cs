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
        foreach (var line in JsonLines.Read(reader, file))
        {
            var root = line.Root;
            var id = line.RequiredString(root, "", "id");
            var prompt = line.RequiredString(root, "", "prompt");
            var category = line.OptionalString(root, "", "category");
            var domain = line.OptionalString(root, "", "domain");
            yield return new ImportedProbe(id, line.OptionalString(root, "", "task") ?? id, category, domain, prompt, line.Line)
            {
                Column = line.PositionOf("").Column,
                CategoryPosition = category is null ? null : line.PositionOf("/category"),
                DomainPosition = domain is null ? null : line.PositionOf("/domain"),
            };
        }
    }
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
        var json = JsonSource.Parse(Path.GetFileName(path), File.ReadAllText(path));
        var root = json.Object(json.Root, "", "the file");
        var jailbreaks = json.Optional(root, "", "jailbreaks", JsonValueKind.Array, "a list of jailbreaks [...]")
            ?? throw json.Error("", "missing \"jailbreaks\" (expected a list of jailbreaks [...])");
        var parameters = json.Optional(root, "", "parameters", JsonValueKind.Object, "a JSON object {...}") ?? default;
        var model = json.OptionalString(parameters, "/parameters", "model_name") ?? json.OptionalString(parameters, "/parameters", "model") ?? "unknown-model";
        var method = json.OptionalString(parameters, "/parameters", "method") ?? "unknown-method";
        var probes = new List<ImportedProbe>();
        var position = 0;
        foreach (var element in jailbreaks.EnumerateArray())
        {
            var at = JsonSource.Child("/jailbreaks", position.ToString(CultureInfo.InvariantCulture));
            var entry = json.Object(element, at, $"jailbreak {position + 1}");
            var index = position++;
            if (json.Optional(entry, at, "index", JsonValueKind.Number, "a whole number from 0") is { } i)
            {
                var indexAt = JsonSource.Child(at, "index");
                index = i.TryGetInt32(out var n) && n >= 0 ? n : throw json.Error(indexAt, $"bad value {JsonSource.Show(i)} for {JsonSource.Name(indexAt)} (expected a whole number from 0)");
            }

            var goal = json.RequiredString(entry, at, "goal");
            var behavior = json.OptionalString(entry, at, "behavior") ?? index.ToString(CultureInfo.InvariantCulture);
            var category = json.OptionalString(entry, at, "category");
            var label = json.OptionalBoolean(entry, at, "jailbroken");
            var recorded = new RecordedAttempt(model, method, json.OptionalString(entry, at, "prompt") ?? "", json.OptionalString(entry, at, "response"), label);
            var (line, column) = json.PositionOf(at);
            probes.Add(new ImportedProbe(index.ToString(CultureInfo.InvariantCulture), behavior, category, null, goal, line)
            {
                Recorded = recorded,
                Column = column,
                CategoryPosition = category is null ? null : json.PositionOf(JsonSource.Child(at, "category")),
            });
        }

        return probes;
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
