using Jailgrade.Registry.Events;
using Jailgrade.Standard;
using Microsoft.EntityFrameworkCore;

namespace Jailgrade.Registry.Accreditation;

/// <summary>
/// What an accreditation's scope is made of: the standard's hazard tiers (<c>catastrophic</c>) and
/// hazard domains (<c>CY</c>, the <c>HD</c> values of docs/standard/jg-1.0.md 4.5).
/// </summary>
public static class ScopeItems
{
    private static readonly Dictionary<string, string> TierOfDomain = JgMetrics.Get(Metric.HazardDomain).Values
        .ToDictionary(v => v.Abbreviation, v => TierName(v.Tier!.Value), StringComparer.Ordinal);

    /// <summary>The tiers, low to high, then the domains in the standard's order.</summary>
    public static IReadOnlyList<string> All { get; } =
        [.. Enum.GetValues<HazardTier>().Select(TierName), .. JgMetrics.Get(Metric.HazardDomain).Values.Select(v => v.Abbreviation)];

    /// <summary>Whether <paramref name="item"/> is a tier or a domain, exactly as the standard writes it.</summary>
    public static bool IsKnown(string item) => All.Contains(item, StringComparer.Ordinal);

    /// <summary>The scope items that cover <paramref name="item"/>: itself, and for a domain also its tier.</summary>
    public static IReadOnlyList<string> Covering(string item)
    {
        if (!IsKnown(item))
        {
            throw new ArgumentException($"'{item}' is not a hazard tier or domain of the standard ({string.Join(", ", All)})", nameof(item));
        }

        return TierOfDomain.TryGetValue(item, out var tier) ? [item, tier] : [item];
    }

    private static string TierName(HazardTier tier) => tier.ToString().ToLowerInvariant();
}

/// <summary>The questions the registry asks of accreditations.</summary>
public static class Accreditations
{
    /// <summary>
    /// Whether <paramref name="auditorId"/> was accredited for <paramref name="item"/> at
    /// <paramref name="at"/> (by <paramref name="authorityId"/> when given): some accreditation has the item,
    /// or the tier of the domain item, in its scope, <c>validFrom &lt;= at &lt; validUntil</c>, and was not
    /// revoked at or before <paramref name="at"/>. Times compare at millisecond precision.
    /// </summary>
    public static Task<bool> IsAccreditedAsync(RegistryDbContext db, Guid auditorId, string item, DateTimeOffset at, Guid? authorityId = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        var covering = ScopeItems.Covering(item);
        var instant = EventEncoding.Truncate(at);
        var valid = db.Accreditations.AsNoTracking().Where(a => a.AuditorId == auditorId
            && a.ValidFrom <= instant && instant < a.ValidUntil
            && (a.RevokedAt == null || a.RevokedAt > instant));
        if (authorityId is { } authority)
        {
            valid = valid.Where(a => a.AuthorityId == authority);
        }

        return valid.AnyAsync(a => db.AccreditationScopes.Any(s => s.AccreditationId == a.Id && covering.Contains(s.Item)), cancellationToken);
    }
}
