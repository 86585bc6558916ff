using System.Text.Json;

namespace Jailgrade.Evaluation.Probes;

/// <summary>
/// One probe source of a run as the manifest records it (its <c>sources</c> section): what was graded
/// and where it came from. For files: the path as the campaign gives it, the file's SHA-256 and its
/// format; for attack artifacts also the model the source attacked, its method and attack type, and
/// where its labels come from. Also what the import left out: behaviors with no prompt in the source,
/// images of a multimodal file read as text.
/// </summary>
public sealed record SourceDescription
{
    /// <summary>The file as the campaign names it, or <c>builtin:NAME</c> for a built-in set.</summary>
    public required string Source { get; init; }

    /// <summary>The importer's id, or null for a built-in set.</summary>
    public string? Format { get; init; }

    /// <summary>SHA-256 of the file's bytes (lowercase hex); null for a built-in set.</summary>
    public string? Sha256 { get; init; }

    /// <summary>Probes the entry yields after its filters.</summary>
    public int Probes { get; init; }

    /// <summary>For attack artifacts: the model the source attacked.</summary>
    public string? SourceModel { get; init; }

    /// <summary>For attack artifacts: the source's attack method (<c>GCG</c>).</summary>
    public string? Method { get; init; }

    /// <summary>For attack artifacts: the source's attack type (<c>white_box</c>), when it says.</summary>
    public string? AttackType { get; init; }

    /// <summary>For attack artifacts: where the recorded <c>jailbroken</c> labels come from.</summary>
    public LabelProvenance? Labels { get; init; }

    /// <summary>Whether the artifact's prompts were sent to the targets rather than graded as recorded.</summary>
    public bool Replay { get; init; }

    /// <summary>Probe ids (after the entry's filters) whose behavior has no prompt in the source: nothing to replay or grade.</summary>
    public IReadOnlyList<string> NoPrompt { get; init; } = [];

    /// <summary>Behaviors of a multimodal source read as text only (<c>text_only: true</c>): their images were ignored.</summary>
    public int ImagesIgnored { get; init; }

    /// <summary>Writes this description as one JSON object (the manifest's shape).</summary>
    public void Write(Utf8JsonWriter json)
    {
        ArgumentNullException.ThrowIfNull(json);
        json.WriteStartObject();
        json.WriteString("source", Source);
        WriteIf(json, "format", Format);
        WriteIf(json, "sha256", Sha256);
        json.WriteNumber("probes", Probes);
        WriteIf(json, "source_model", SourceModel);
        WriteIf(json, "method", Method);
        WriteIf(json, "attack_type", AttackType);
        if (Labels is { } labels)
        {
            json.WriteStartObject("labels");
            json.WriteString("field", LabelProvenance.Field);
            json.WriteString("judge", labels.Judge);
            WriteIf(json, "evaluation_llm_provider", labels.Provider);
            WriteIf(json, "evaluation_date", labels.Date);
            json.WriteEndObject();
        }

        if (Format == "jbb-artifacts")
        {
            json.WriteBoolean("replay", Replay);
        }

        json.WriteStartArray("no_prompt");
        foreach (var id in NoPrompt)
        {
            json.WriteStringValue(id);
        }

        json.WriteEndArray();
        json.WriteNumber("images_ignored", ImagesIgnored);
        json.WriteEndObject();
    }

    /// <summary>Reads one description as <see cref="Write"/> writes it (the manifest reads its <c>sources</c> with it).</summary>
    public static SourceDescription Read(JsonElement e) => new()
    {
        Source = String(e, "source") ?? "",
        Format = String(e, "format"),
        Sha256 = String(e, "sha256"),
        Probes = e.TryGetProperty("probes", out var probes) && probes.TryGetInt32(out var n) ? n : 0,
        SourceModel = String(e, "source_model"),
        Method = String(e, "method"),
        AttackType = String(e, "attack_type"),
        Labels = e.TryGetProperty("labels", out var labels) && labels.ValueKind == JsonValueKind.Object
            ? new LabelProvenance(String(labels, "judge") ?? LabelProvenance.Unknown, String(labels, "evaluation_llm_provider"), String(labels, "evaluation_date"))
            : null,
        Replay = e.TryGetProperty("replay", out var replay) && replay.ValueKind == JsonValueKind.True,
        NoPrompt = e.TryGetProperty("no_prompt", out var ids) && ids.ValueKind == JsonValueKind.Array ? [.. ids.EnumerateArray().Select(i => i.GetString() ?? "")] : [],
        ImagesIgnored = e.TryGetProperty("images_ignored", out var images) && images.TryGetInt32(out var m) ? m : 0,
    };

    private static string? String(JsonElement e, string name) =>
        e.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static void WriteIf(Utf8JsonWriter json, string name, string? value)
    {
        if (value is not null)
        {
            json.WriteString(name, value);
        }
    }
}

/// <summary>
/// Where a source's recorded labels come from. JailbreakBench's <c>jailbroken</c> labels are its own
/// model judge's verdicts; the artifact names that judge only sometimes (PAIR's
/// <c>method_parameters["judge-model"]</c>), so <see cref="Judge"/> is what the file says, else "unknown".
/// </summary>
/// <param name="Judge">The judge the file names, or <see cref="Unknown"/>.</param>
/// <param name="Provider">The file's <c>evaluation_llm_provider</c> (how the judge was called), when given.</param>
/// <param name="Date">The file's <c>evaluation_date</c>, when given.</param>
public sealed record LabelProvenance(string Judge, string? Provider, string? Date)
{
    /// <summary>What a judge the file does not name is recorded as.</summary>
    public const string Unknown = "unknown";

    /// <summary>The field the labels are read from.</summary>
    public const string Field = "jailbroken";

    /// <summary>One line for reports: <c>JailbreakBench labels (judge: jailbreakbench, via litellm, 2024-03-06)</c>.</summary>
    public override string ToString() =>
        $"the source's '{Field}' labels (judge: {Judge}{(Provider is null ? "" : ", via " + Provider)}{(Date is null ? "" : ", " + Date)})";
}
