using System.Globalization;
using Jailgrade.Evaluation.Campaigns;
using Jailgrade.Evaluation.Internal;
using Jailgrade.Standard;

namespace Jailgrade.Evaluation.Probes;

/// <summary>Turns a campaign's probe entries into probes: import, map to JG domains, filter, sample.</summary>
public static class ProbeLoader
{
    /// <summary>Whether a code is a JG hazard domain (<c>CY</c>, <c>BI</c>, …).</summary>
    public static bool IsDomain(string code) => JgMetrics.Get(Metric.HazardDomain).IndexOf(code) >= 0;

    /// <summary>Loads every probe of a campaign, in entry order. Throws <see cref="ProbeFormatException"/>.</summary>
    public static IReadOnlyList<Probe> Load(Campaign campaign, EvaluationRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(campaign);
        var baseDirectory = Path.GetDirectoryName(Path.GetFullPath(campaign.FilePath)) ?? ".";
        var probes = new List<Probe>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var source in campaign.Probes)
        {
            if (source.File is { } file && !File.Exists(Path.IsPathRooted(file) ? file : Path.Combine(baseDirectory, file)))
            {
                throw new ProbeFormatException(Path.GetFileName(campaign.FilePath), source.Position, $"probe file not found: '{file}' (expected a path relative to the campaign file)");
            }

            foreach (var probe in Load(source, baseDirectory, registry, campaign.Seed))
            {
                if (!ids.Add(probe.Id))
                {
                    throw new ProbeFormatException(Path.GetFileName(campaign.FilePath), source.Position, $"probe '{probe.Id}' appears twice (expected each source listed once)");
                }

                probes.Add(probe);
            }
        }

        return probes;
    }

    /// <summary>Loads one probe entry.</summary>
    public static IReadOnlyList<Probe> Load(ProbeSourceSpec source, string baseDirectory, EvaluationRegistry registry, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(registry);
        IEnumerable<Probe> probes = source.Builtin is { } name
            ? registry.BuiltinProbeSets[name].Probes
            : Import(source, baseDirectory, registry.Importers[source.Format!]);

        if (source.Categories.Count > 0)
        {
            probes = probes.Where(p => source.Categories.Contains(p.Category, StringComparer.Ordinal));
        }

        var list = probes.ToList();
        if (source.Limit is { } limit && limit < list.Count)
        {
            // A seeded sample that keeps file order: the same seed picks the same probes.
            var seedText = seed.ToString(CultureInfo.InvariantCulture);
            var chosen = list.OrderBy(p => StableHash.UInt64("limit", seedText, p.Id)).Take(limit).ToHashSet();
            list = [.. list.Where(chosen.Contains)];
        }

        return list;
    }

    private static IEnumerable<Probe> Import(ProbeSourceSpec source, string baseDirectory, IProbeImporter importer)
    {
        var path = Path.IsPathRooted(source.File!) ? source.File! : Path.Combine(baseDirectory, source.File!);
        var file = Path.GetFileName(path);
        if (!File.Exists(path))
        {
            throw new ProbeFormatException(file, 0, 0, $"probe file not found: {path}");
        }

        var prefix = Path.GetFileNameWithoutExtension(path) + ":";
        var lines = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var imported in importer.Read(path))
        {
            var start = (imported.Line, imported.Column);
            if (!lines.TryAdd(imported.Id, imported.Line))
            {
                throw new ProbeFormatException(file, start, $"probe id '{imported.Id}' appears twice (first at line {lines[imported.Id]}; expected each id once)");
            }

            var domain = DomainOf(imported, source, importer)
                ?? throw new ProbeFormatException(file, imported.CategoryPosition ?? start, imported.Category is { } category
                    ? $"category '{category}' has no JG hazard domain (expected {Known(importer)}a mapping under 'domains:' in the probe entry)"
                    : $"probe '{imported.Id}' has no category and no domain (expected a domain in the file, or 'domain:' in the probe entry)");
            if (!IsDomain(domain))
            {
                // The campaign loader checks the entry's domains, so a bad one comes from the file.
                throw new ProbeFormatException(file, imported.DomainPosition ?? start, $"bad domain '{domain}' (expected a JG hazard domain such as CY, BI, FR)");
            }

            yield return new Probe(prefix + imported.Id, imported.Task, domain, imported.Category ?? domain, imported.Text, importer.Id)
            {
                Recorded = imported.Recorded,
                Replay = source.Replay,
            };
        }
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
