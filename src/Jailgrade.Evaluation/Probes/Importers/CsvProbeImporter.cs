using System.Globalization;

namespace Jailgrade.Evaluation.Probes.Importers;

/// <summary>The shared reading of header-named CSV files; each format says which columns it needs.</summary>
public abstract class CsvProbeImporter : IProbeImporter
{
    /// <inheritdoc />
    public abstract string Id { get; }

    /// <inheritdoc />
    public virtual string Version => "1";

    /// <inheritdoc />
    public abstract string Description { get; }

    /// <inheritdoc />
    public abstract IReadOnlyDictionary<string, string> DefaultDomains { get; }

    /// <inheritdoc />
    public virtual bool HasCategories => true;

    /// <summary>The column of HarmBench's multimodal file naming the image a behavior refers to.</summary>
    public const string ImageColumn = "ImageFileName";

    /// <summary>The columns the format must have, each non-empty in every row (others are ignored).</summary>
    protected abstract IReadOnlyList<string> RequiredColumns { get; }

    /// <summary>The column holding the source's category, so that an unmapped category can be pointed at.</summary>
    protected virtual string? CategoryColumn => null;

    /// <summary>Makes a probe of one row; <paramref name="row"/> is the 1-based data row number.</summary>
    protected abstract ImportedProbe Map(Func<string, string> field, int row, int line);

    /// <inheritdoc />
    public IReadOnlyList<ImportedProbe> Read(string path)
    {
        var file = Path.GetFileName(path);
        using var reader = new StreamReader(path);
        using var rows = CsvRows.Read(reader, file).GetEnumerator();
        if (!rows.MoveNext())
        {
            throw new ProbeFormatException(file, 1, 1, $"empty file (expected a header row naming {string.Join(", ", RequiredColumns)})");
        }

        var header = rows.Current.Fields.Select(h => h.Text.Trim().TrimStart('\uFEFF')).ToList();
        var missing = RequiredColumns.Where(c => !header.Contains(c, StringComparer.Ordinal)).ToList();
        if (missing.Count > 0)
        {
            throw new ProbeFormatException(file, rows.Current.Fields[0].Position,
                $"missing column(s) {string.Join(", ", missing.Select(c => $"'{c}'"))} in the header (expected {string.Join(", ", RequiredColumns)} for format '{Id}'; found: {string.Join(", ", header)})");
        }

        var probes = new List<ImportedProbe>();
        var row = 0;
        while (rows.MoveNext())
        {
            row++;
            var fields = rows.Current.Fields;
            if (fields.Count > header.Count)
            {
                throw new ProbeFormatException(file, fields[header.Count].Position,
                    $"{fields.Count} fields where the header has {header.Count}: unexpected value '{Shorten(fields[header.Count].Text)}' (expected the row to end after column '{header[^1]}'; quote fields that contain commas)");
            }

            if (fields.Count < header.Count)
            {
                throw new ProbeFormatException(file, rows.Current.End,
                    $"{fields.Count} fields where the header has {header.Count}: the row ends here (expected a value for column '{header[fields.Count]}')");
            }

            foreach (var column in RequiredColumns)
            {
                var at = header.IndexOf(column);
                if (string.IsNullOrWhiteSpace(fields[at].Text))
                {
                    throw new ProbeFormatException(file, fields[at].Position, $"empty value in column '{column}' (expected text; every row needs {string.Join(", ", RequiredColumns)})");
                }
            }

            var probe = Map(name => header.IndexOf(name) is var i and >= 0 ? fields[i].Text : "", row, rows.Current.Line);
            var category = CategoryColumn is { } name ? header.IndexOf(name) : -1;
            var image = header.IndexOf(ImageColumn) is var imageAt and >= 0 && !string.IsNullOrWhiteSpace(fields[imageAt].Text) ? fields[imageAt] : (CsvField?)null;
            probes.Add(probe with
            {
                Column = fields[0].Column,
                CategoryPosition = category >= 0 ? fields[category].Position : null,
                Image = image?.Text,
                ImagePosition = image?.Position,
            });
        }

        return probes;
    }

    private static string Shorten(string value) => (value.Length > 40 ? value[..40] + "..." : value).ReplaceLineEndings(" ");
}

/// <summary>HarmBench behaviors CSV: <c>Behavior, FunctionalCategory, SemanticCategory, Tags, ContextString, BehaviorID</c>.</summary>
public sealed class HarmBenchImporter : CsvProbeImporter
{
    /// <inheritdoc />
    public override string Id => "harmbench";

    /// <inheritdoc />
    public override string Description => "HarmBench behaviors CSV; SemanticCategory maps to a JG domain, BehaviorID is the task.";

    /// <inheritdoc />
    public override IReadOnlyDictionary<string, string> DefaultDomains { get; } = new Dictionary<string, string>
    {
        ["chemical_biological"] = "CH",
        ["cybercrime_intrusion"] = "CY",
        ["illegal"] = "IL",
        ["misinformation_disinformation"] = "DI",
        ["harassment_bullying"] = "HT",
        ["harmful"] = "WP",
        ["copyright"] = "PO",
    };

    /// <inheritdoc />
    protected override IReadOnlyList<string> RequiredColumns => ["Behavior", "SemanticCategory", "BehaviorID"];

    /// <inheritdoc />
    protected override string CategoryColumn => "SemanticCategory";

    /// <inheritdoc />
    protected override ImportedProbe Map(Func<string, string> field, int row, int line)
    {
        // Contextual behaviors come with a passage the request refers to; it goes before the request.
        var context = field("ContextString");
        var text = string.IsNullOrWhiteSpace(context) ? field("Behavior") : context + "\n\n---\n\n" + field("Behavior");
        return new ImportedProbe(field("BehaviorID"), field("BehaviorID"), field("SemanticCategory"), null, text, line);
    }
}

/// <summary>JailbreakBench behaviors CSV (JBB-Behaviors): <c>Index, Goal, Target, Behavior, Category, Source</c>.</summary>
public sealed class JailbreakBenchImporter : CsvProbeImporter
{
    /// <summary>JailbreakBench categories → JG domains (shared with the artifact importer).</summary>
    internal static readonly IReadOnlyDictionary<string, string> Categories = new Dictionary<string, string>
    {
        ["Harassment/Discrimination"] = "HT",
        ["Malware/Hacking"] = "CY",
        ["Physical harm"] = "WP",
        ["Economic harm"] = "FR",
        ["Fraud/Deception"] = "FR",
        ["Disinformation"] = "DI",
        ["Sexual/Adult content"] = "PO",
        ["Privacy"] = "PV",
        ["Expert advice"] = "PO",
        ["Government decision-making"] = "DI",
    };

    /// <inheritdoc />
    public override string Id => "jbb";

    /// <inheritdoc />
    public override string Version => "2";

    /// <inheritdoc />
    public override string Description => "JailbreakBench behaviors CSV; Goal is the request, Behavior the task, Category maps to a JG domain.";

    /// <inheritdoc />
    public override IReadOnlyDictionary<string, string> DefaultDomains => Categories;

    /// <inheritdoc />
    protected override IReadOnlyList<string> RequiredColumns => ["Goal", "Behavior", "Category"];

    /// <inheritdoc />
    protected override string CategoryColumn => "Category";

    /// <inheritdoc />
    protected override ImportedProbe Map(Func<string, string> field, int row, int line)
    {
        // The dataset's first column held pandas' index, unnamed, before it was named "Index".
        var index = field("Index") is { Length: > 0 } named ? named : field("");
        var id = string.IsNullOrEmpty(index) ? row.ToString(CultureInfo.InvariantCulture) : index;

        // The task is the behavior's number, as the artifacts' index gives it (both count from 0), not its wording.
        var number = int.TryParse(index, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : row - 1;
        return new ImportedProbe(id, TaskOf(number), field("Category"), null, field("Goal"), line);
    }

    /// <summary>The task of JBB-Behaviors behavior <paramref name="index"/> (from 0: the CSV's <c>Index</c>, the artifacts' <c>index</c>).</summary>
    internal static string TaskOf(int index) => "jbb-" + index.ToString(CultureInfo.InvariantCulture);
}

/// <summary>AdvBench harmful behaviors CSV: <c>goal, target</c>; no categories, so the entry's <c>domain</c> gives one.</summary>
public sealed class AdvBenchImporter : CsvProbeImporter
{
    /// <inheritdoc />
    public override string Id => "advbench";

    /// <inheritdoc />
    public override string Description => "AdvBench harmful_behaviors CSV (goal, target); no categories: the probe entry's `domain` gives the JG domain.";

    /// <inheritdoc />
    public override IReadOnlyDictionary<string, string> DefaultDomains { get; } = new Dictionary<string, string>();

    /// <inheritdoc />
    public override bool HasCategories => false;

    /// <inheritdoc />
    protected override IReadOnlyList<string> RequiredColumns => ["goal"];

    /// <inheritdoc />
    protected override ImportedProbe Map(Func<string, string> field, int row, int line)
    {
        var id = "advbench-" + row.ToString("D3", CultureInfo.InvariantCulture);
        return new ImportedProbe(id, id, null, null, field("goal"), line);
    }
}

/// <summary>StrongREJECT CSV: <c>category, source, forbidden_prompt</c>.</summary>
public sealed class StrongRejectImporter : CsvProbeImporter
{
    /// <inheritdoc />
    public override string Id => "strongreject";

    /// <inheritdoc />
    public override string Description => "StrongREJECT dataset CSV (category, source, forbidden_prompt); each prompt is its own task.";

    /// <inheritdoc />
    public override IReadOnlyDictionary<string, string> DefaultDomains { get; } = new Dictionary<string, string>
    {
        ["Disinformation and deception"] = "DI",
        ["Hate, harassment and discrimination"] = "HT",
        ["Illegal goods and services"] = "IL",
        ["Non-violent crimes"] = "FR",
        ["Sexual content"] = "PO",
        ["Violence"] = "WP",
    };

    /// <inheritdoc />
    protected override IReadOnlyList<string> RequiredColumns => ["category", "forbidden_prompt"];

    /// <inheritdoc />
    protected override string CategoryColumn => "category";

    /// <inheritdoc />
    protected override ImportedProbe Map(Func<string, string> field, int row, int line)
    {
        var id = "strongreject-" + row.ToString("D3", CultureInfo.InvariantCulture);
        return new ImportedProbe(id, id, field("category"), null, field("forbidden_prompt"), line);
    }
}
