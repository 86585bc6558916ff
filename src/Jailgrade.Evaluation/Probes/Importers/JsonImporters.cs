using System.Globalization;
using System.Text.Json;

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
        var errors = new List<ProbeFormatException>();
        var read = Read(path, errors);
        return errors.Count == 0 ? read : throw ProbeFormatException.Of(errors);
    }

    /// <inheritdoc />
    public IReadOnlyList<ImportedProbe> Read(string path, ICollection<ProbeFormatException> errors)
    {
        using var reader = new StreamReader(path);
        return [.. ReadLines(reader, Path.GetFileName(path), errors)];
    }

    /// <summary>The probes of a JSON Lines text; a bad line goes to <paramref name="errors"/> when given, else throws.</summary>
    internal static IEnumerable<ImportedProbe> ReadLines(TextReader reader, string file, ICollection<ProbeFormatException>? errors = null)
    {
        foreach (var line in JsonLines.Read(reader, file, errors))
        {
            ImportedProbe probe;
            try
            {
                probe = Probe(line);
            }
            catch (ProbeFormatException e) when (errors is not null)
            {
                errors.Add(e);
                continue;
            }

            yield return probe;
        }
    }

    private static ImportedProbe Probe(JsonSource line)
    {
        var root = line.Root;
        var id = line.RequiredString(root, "", "id");
        var prompt = line.RequiredString(root, "", "prompt");
        var category = line.OptionalString(root, "", "category");
        var domain = line.OptionalString(root, "", "domain");
        return new ImportedProbe(id, line.OptionalString(root, "", "task") ?? id, category, domain, prompt, line.Line)
        {
            Column = line.PositionOf("").Column,
            CategoryPosition = category is null ? null : line.PositionOf("/category"),
            DomainPosition = domain is null ? null : line.PositionOf("/domain"),
        };
    }
}

/// <summary>
/// JailbreakBench attack artifacts (JSON): <c>parameters</c> (method, model, attack_type,
/// attack_success_rate, evaluation_llm_provider, method_parameters, …) and <c>jailbreaks</c> (index,
/// goal, behavior, category, prompt, response, jailbroken, …). Finished results: graded and reproduced
/// without re-running, or with <c>replay: true</c> their prompts are sent to the campaign's targets.
/// </summary>
public sealed class JailbreakBenchArtifactImporter : IProbeImporter
{
    // Where an artifact may name the judge behind its labels, in the order they are tried.
    private static readonly string[][] JudgeKeys = [["judge"], ["judge_model"], ["method_parameters", "judge-model"], ["method_parameters", "judge_model"], ["method_parameters", "judge"]];

    /// <inheritdoc />
    public string Id => "jbb-artifacts";

    /// <inheritdoc />
    public string Version => "2";

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
        var artifact = Parameters(json, root);
        var probes = new List<ImportedProbe>();
        var position = 0;
        foreach (var element in jailbreaks.EnumerateArray())
        {
            var at = JsonSource.Child("/jailbreaks", position.ToString(CultureInfo.InvariantCulture));
            var entry = json.Object(element, at, $"jailbreak {position + 1}");
            var index = Index(json, entry, at) ?? position;
            position++;
            var goal = json.RequiredString(entry, at, "goal");
            var category = json.OptionalString(entry, at, "category");
            var label = json.OptionalBoolean(entry, at, "jailbroken");
            var recorded = new RecordedAttempt(artifact.Model, artifact.Method, json.OptionalString(entry, at, "prompt") ?? "", json.OptionalString(entry, at, "response"), label)
            {
                AttackType = artifact.AttackType,
            };
            var (line, column) = json.PositionOf(at);

            // The task is the behavior's number, not its wording: files spell one behavior differently.
            probes.Add(new ImportedProbe(index.ToString(CultureInfo.InvariantCulture), JailbreakBenchImporter.TaskOf(index), category, null, goal, line)
            {
                Recorded = recorded,
                Column = column,
                CategoryPosition = category is null ? null : json.PositionOf(JsonSource.Child(at, "category")),
            });
        }

        return probes;
    }

    /// <summary>
    /// What an artifact file says of itself: the model attacked, the method and attack type, and where its
    /// labels come from (the judge named in its parameters, else "unknown").
    /// </summary>
    public static ArtifactParameters ReadParameters(string path)
    {
        var json = JsonSource.Parse(Path.GetFileName(path), File.ReadAllText(path));
        return Parameters(json, json.Object(json.Root, "", "the file"));
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

    private static ArtifactParameters Parameters(JsonSource json, JsonElement root)
    {
        var parameters = json.Optional(root, "", "parameters", JsonValueKind.Object, "a JSON object {...}") ?? default;

        // The published files say "model"; JailbreakBench's reader takes model_name, and older copies use it.
        var model = json.OptionalString(parameters, "/parameters", "model") ?? json.OptionalString(parameters, "/parameters", "model_name") ?? "unknown-model";
        var judge = JudgeKeys.Select(path => Text(parameters, path)).FirstOrDefault(j => j is not null);
        return new ArtifactParameters(
            model,
            json.OptionalString(parameters, "/parameters", "method") ?? "unknown-method",
            json.OptionalString(parameters, "/parameters", "attack_type"),
            new LabelProvenance(
                judge ?? LabelProvenance.Unknown,
                Text(parameters, ["evaluation_llm_provider"]),
                Text(parameters, ["evaluation_date"])));
    }

    // A string at a path of members, or null when any step is missing or not the right kind.
    private static string? Text(JsonElement element, string[] path)
    {
        foreach (var name in path)
        {
            if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out element))
            {
                return null;
            }
        }

        return element.ValueKind == JsonValueKind.String && element.GetString() is { Length: > 0 } text ? text : null;
    }

    // A whole number from 0, or the same number written as a string ("12"), as some published files have it.
    private static int? Index(JsonSource json, JsonElement entry, string at)
    {
        if (!entry.TryGetProperty("index", out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        var indexAt = JsonSource.Child(at, "index");
        return value.ValueKind switch
        {
            JsonValueKind.Number when value.TryGetInt32(out var n) && n >= 0 => n,
            JsonValueKind.String when int.TryParse(value.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) => n,
            _ => throw json.Error(indexAt, $"bad value {JsonSource.Show(value)} for {JsonSource.Name(indexAt)} (expected a whole number from 0)"),
        };
    }
}

/// <summary>What a JailbreakBench artifact file says of itself.</summary>
/// <param name="Model">The model attacked (<c>parameters.model</c>).</param>
/// <param name="Method">The attack method (<c>parameters.method</c>).</param>
/// <param name="AttackType">The attack type (<c>parameters.attack_type</c>), when given.</param>
/// <param name="Labels">Where the <c>jailbroken</c> labels come from.</param>
public sealed record ArtifactParameters(string Model, string Method, string? AttackType, LabelProvenance Labels);
