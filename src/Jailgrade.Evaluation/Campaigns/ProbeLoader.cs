using System.Globalization;
using System.Security.Cryptography;
using Jailgrade.Evaluation.Internal;
using Jailgrade.Evaluation.Probes;
using Jailgrade.Evaluation.Probes.Importers;
using Jailgrade.Standard;

namespace Jailgrade.Evaluation.Campaigns;

/// <summary>Turns a campaign's probe entries into probes: import, map to JG domains, filter, sample.</summary>
public static class ProbeLoader
{
    /// <summary>Whether a code is a JG hazard domain (<c>CY</c>, <c>BI</c>, …).</summary>
    public static bool IsDomain(string code) => JgMetrics.Get(Metric.HazardDomain).IndexOf(code) >= 0;

    /// <summary>Loads every probe of a campaign, in entry order. Throws <see cref="ProbeFormatException"/>.</summary>
    public static IReadOnlyList<Probe> Load(Campaign campaign, EvaluationRegistry registry) => LoadSources(campaign, registry).Probes;

    /// <summary>
    /// Loads every probe of a campaign with what the manifest says of each source and the warnings the
    /// import gives (images ignored, behaviors with no prompt). Throws <see cref="ProbeFormatException"/>.
    /// </summary>
    public static LoadedProbes LoadSources(Campaign campaign, EvaluationRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(campaign);
        var baseDirectory = Path.GetDirectoryName(Path.GetFullPath(campaign.FilePath)) ?? ".";
        var campaignFile = Path.GetFileName(campaign.FilePath);
        var probes = new List<Probe>();
        var sources = new List<SourceDescription>();
        var warnings = new List<string>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var source in campaign.Probes)
        {
            if (source.File is { } file && !File.Exists(Path.IsPathRooted(file) ? file : Path.Combine(baseDirectory, file)))
            {
                throw new ProbeFormatException(campaignFile, source.Position, $"probe file not found: '{file}' (expected a path relative to the campaign file)");
            }

            var entry = LoadEntry(source, baseDirectory, registry, campaign.Seed, campaignFile);
            foreach (var probe in entry.Probes)
            {
                if (!ids.Add(probe.Id))
                {
                    throw new ProbeFormatException(campaignFile, source.Position, $"probe '{probe.Id}' appears twice (expected each source listed once)");
                }

                probes.Add(probe);
            }

            sources.AddRange(entry.Sources);
            warnings.AddRange(entry.Warnings);
        }

        return new LoadedProbes(probes, sources, warnings);
    }

    /// <summary>Loads one probe entry.</summary>
    public static IReadOnlyList<Probe> Load(ProbeSourceSpec source, string baseDirectory, EvaluationRegistry registry, ulong seed) =>
        LoadEntry(source, baseDirectory, registry, seed, "the campaign").Probes;

    private static LoadedProbes LoadEntry(ProbeSourceSpec source, string baseDirectory, EvaluationRegistry registry, ulong seed, string campaignFile)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(registry);
        var warnings = new List<string>();
        var imported = source.Builtin is { } name
            ? registry.BuiltinProbeSets[name].Probes
            : Import(source, baseDirectory, registry.Importers[source.Format!]);

        var list = imported.ToList();
        if (source.Categories.Count > 0)
        {
            // A name that matches nothing would select nothing for it, silently: a typo, or another source's category.
            var known = list.Select(p => p.Category).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            var unknown = source.Categories.Where(c => !known.Contains(c, StringComparer.Ordinal)).ToList();
            if (unknown.Count > 0)
            {
                throw new ProbeFormatException(campaignFile, source.CategoriesPosition ?? source.Position,
                    $"{(unknown.Count == 1 ? "category" : "categories")} {string.Join(", ", unknown.Select(c => $"'{c}'"))} in 'categories' match{(unknown.Count == 1 ? "es" : "")} no category of {SourceName(source)} (expected one of: {string.Join(", ", known.Select(c => $"'{c}'"))})");
            }

            list = [.. list.Where(p => source.Categories.Contains(p.Category, StringComparer.Ordinal))];
        }

        if (source.Limit is { } limit && limit < list.Count)
        {
            // A seeded sample that keeps file order: the same seed picks the same probes.
            var seedText = seed.ToString(CultureInfo.InvariantCulture);
            var chosen = list.OrderBy(p => StableHash.UInt64("limit", seedText, p.Id)).Take(limit).ToHashSet();
            list = [.. list.Where(chosen.Contains)];
        }

        var description = Describe(source, baseDirectory, registry, list);
        if (description.NoPrompt.Count > 0)
        {
            warnings.Add(NoPromptNote(description));
        }

        if (description.ImagesIgnored > 0)
        {
            warnings.Add(string.Create(CultureInfo.InvariantCulture,
                $"{SourceName(source)}: {description.ImagesIgnored} behavior{(description.ImagesIgnored == 1 ? "" : "s")} refer to an image that was ignored (text_only: true): their text is sent without it"));
        }

        return new LoadedProbes(list, [description], warnings);
    }

    /// <summary>The note for a source's behaviors that have no prompt: how many, of how many, which, and what happens to them.</summary>
    public static string NoPromptNote(SourceDescription source)
    {
        ArgumentNullException.ThrowIfNull(source);
        const int Listed = 20;
        var ids = source.NoPrompt;
        var attack = "artifact:" + (source.AttackType is { } type ? source.Method + "/" + type : source.Method);
        var what = source.Replay
            ? $"not sent as {attack} (their baseline requests are; the paired test uses only the requests both arms have)"
            : "graded as failed attempts, as the source counts them";
        return string.Create(CultureInfo.InvariantCulture,
            $"{source.Source}: {ids.Count} of {source.Probes} behaviors have no prompt in the source: {what}: {string.Join(", ", ids.Take(Listed))}{(ids.Count > Listed ? $", and {ids.Count - Listed} more" : "")}");
    }

    private static SourceDescription Describe(ProbeSourceSpec source, string baseDirectory, EvaluationRegistry registry, List<Probe> probes)
    {
        if (source.Builtin is { } name)
        {
            return new SourceDescription { Source = "builtin:" + name, Probes = probes.Count };
        }

        var path = PathOf(source, baseDirectory);
        var description = new SourceDescription
        {
            Source = source.File!,
            Format = source.Format,
            Sha256 = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path))),
            Probes = probes.Count,
            Replay = source.Replay,
            NoPrompt = [.. probes.Where(p => p.Recorded is { HasPrompt: false }).Select(p => p.Id)],
            ImagesIgnored = probes.Count(p => p.HasImage),
        };
        if (registry.Importers[source.Format!] is JailbreakBenchArtifactImporter)
        {
            var artifact = JailbreakBenchArtifactImporter.ReadParameters(path);
            description = description with
            {
                SourceModel = artifact.Model,
                Method = artifact.Method,
                AttackType = artifact.AttackType,
                Labels = artifact.Labels,
            };
        }

        return description;
    }

    private static string SourceName(ProbeSourceSpec source) => source.Builtin is { } name ? $"built-in set '{name}'" : $"'{source.File}'";

    private static string PathOf(ProbeSourceSpec source, string baseDirectory) =>
        Path.IsPathRooted(source.File!) ? source.File! : Path.Combine(baseDirectory, source.File!);

    private static List<Probe> Import(ProbeSourceSpec source, string baseDirectory, IProbeImporter importer)
    {
        var path = PathOf(source, baseDirectory);
        var file = Path.GetFileName(path);
        if (!File.Exists(path))
        {
            throw new ProbeFormatException(file, 0, 0, $"probe file not found: {path}");
        }

        // Every bad entry the format lets us find, each at its place, reported together in file order.
        var errors = new List<ProbeFormatException>();
        IReadOnlyList<ImportedProbe> read;
        try
        {
            read = importer.Read(path, errors);
        }
        catch (ProbeFormatException e) when (FormatGuess.Hint(path, importer.Id) is { Length: > 0 } hint)
        {
            throw new ProbeFormatException(e.File, e.Line, e.Column, e.Problem + hint);
        }

        if (errors.Count > 0 && FormatGuess.Hint(path, importer.Id) is { Length: > 0 } guess)
        {
            var first = errors.MinBy(e => (e.Line, e.Column))!;
            errors[errors.IndexOf(first)] = new ProbeFormatException(first.File, first.Line, first.Column, first.Problem + guess);
        }

        if (read.FirstOrDefault(p => p.Image is not null) is { } multimodal && !source.TextOnly)
        {
            throw new ProbeFormatException(file, multimodal.ImagePosition ?? (multimodal.Line, multimodal.Column),
                $"behavior '{multimodal.Id}' refers to image '{multimodal.Image}' ({read.Count(p => p.Image is not null)} of {read.Count} behaviors do): a multimodal source, and jailgrade sends text only (expected a text-only file, or 'text_only: true' in the probe entry to send the text without the images)");
        }

        var prefix = Path.GetFileNameWithoutExtension(path) + ":";
        var lines = new Dictionary<string, int>(StringComparer.Ordinal);
        var probes = new List<Probe>(read.Count);
        foreach (var imported in read)
        {
            var start = (imported.Line, imported.Column);
            if (!lines.TryAdd(imported.Id, imported.Line))
            {
                errors.Add(new ProbeFormatException(file, start, $"probe id '{imported.Id}' appears twice (first at line {lines[imported.Id]}; expected each id once)"));
                continue;
            }

            var domain = DomainOf(imported, source, importer);
            if (domain is null)
            {
                errors.Add(new ProbeFormatException(file, imported.CategoryPosition ?? start, imported.Category is { } category
                    ? $"category '{category}' has no JG hazard domain (expected {Known(importer)}a mapping under 'domains:' in the probe entry)"
                    : $"probe '{imported.Id}' has no category and no domain (expected a domain in the file, or 'domain:' in the probe entry)"));
                continue;
            }

            if (!IsDomain(domain))
            {
                // The campaign loader checks the entry's domains, so a bad one comes from the file.
                errors.Add(new ProbeFormatException(file, imported.DomainPosition ?? start, $"bad domain '{domain}' (expected a JG hazard domain such as CY, BI, FR)"));
                continue;
            }

            probes.Add(new Probe(prefix + imported.Id, imported.Task, domain, imported.Category ?? domain, imported.Text, importer.Id)
            {
                Recorded = imported.Recorded,
                Replay = source.Replay,
                HasImage = imported.Image is not null,
            });
        }

        return errors.Count == 0 ? probes : throw ProbeFormatException.Of(errors);
    }

    // The importer's own categories, when it has a table, as the first thing the error expects.
    private static string Known(IProbeImporter importer) =>
        importer.DefaultDomains.Count == 0 ? "" : $"one of: {string.Join(", ", importer.DefaultDomains.Keys.Select(k => $"'{k}'"))}; or ";

    private static string? DomainOf(ImportedProbe probe, ProbeSourceSpec source, IProbeImporter importer)
    {
        if (probe.Category is { } category)
        {
            if (source.Domains.TryGetValue(category, out var overridden))
            {
                return overridden;
            }

            if (importer.DefaultDomains.TryGetValue(category, out var mapped))
            {
                return mapped;
            }
        }

        return probe.Domain ?? source.Domain;
    }
}

/// <summary>A campaign's probes with what the manifest records of each source and the warnings the import gave.</summary>
/// <param name="Probes">Every probe, in entry order.</param>
/// <param name="Sources">One description per probe entry, in entry order.</param>
/// <param name="Warnings">What was left out or changed on import, for the user to read before anything is sent.</param>
public sealed record LoadedProbes(IReadOnlyList<Probe> Probes, IReadOnlyList<SourceDescription> Sources, IReadOnlyList<string> Warnings);
