using System.Linq.Expressions;
using Jailgrade.Registry.Access;
using Jailgrade.Registry.Events;
using Jailgrade.Registry.Organizations;
using Microsoft.EntityFrameworkCore;

namespace Jailgrade.Registry.Cases;

/// <summary>
/// The authorization predicates of cases, involvements and case events (docs/registry.md, "Who sees
/// which case", "The lab projection"): one composable query per resource, applied in SQL, never in
/// memory. Every case read and write starts here. This is also the one reviewed file where a raw-SQL or
/// filter-bypassing call on a scoped table may appear (BannedSymbols.Registry.txt bans them elsewhere);
/// today it needs none.
/// </summary>
public sealed class Visibility
{
    private readonly RegistryDbContext _db;
    private readonly bool _scopeAll;
    private readonly List<Guid> _scopeLabs;
    private readonly bool _scopeJurisdictions;

    private Visibility(RegistryDbContext db, Caller caller, bool scopeAll, List<Guid> scopeLabs, bool scopeJurisdictions)
    {
        _db = db;
        Caller = caller;
        _scopeAll = scopeAll;
        _scopeLabs = scopeLabs;
        _scopeJurisdictions = scopeJurisdictions;
    }

    public Caller Caller { get; }

    /// <summary>The predicates for a caller; a regulator's authority scope is read once here (a few rows).</summary>
    public static async Task<Visibility> ForAsync(RegistryDbContext db, Caller caller, CancellationToken cancellationToken = default)
    {
        if (caller.Role != Role.Regulator)
        {
            return new Visibility(db, caller, false, [], false);
        }

        var rows = await db.AuthorityScopes.AsNoTracking().Where(s => s.AuthorityId == caller.OrganizationId).ToListAsync(cancellationToken);
        var all = rows.Count == 0 || rows.Any(r => r.Kind == ScopeKind.All);
        var labs = rows.Where(r => r.Kind == ScopeKind.Organization && Guid.TryParse(r.Value, out _)).Select(r => Guid.Parse(r.Value)).ToList();
        return new Visibility(db, caller, all, labs, rows.Any(r => r.Kind == ScopeKind.Jurisdiction));
    }

    /// <summary>The cases the caller sees whole, every involvement included: as reporter, regulator in scope or assigned auditor.</summary>
    public IQueryable<CaseHeader> FullCases() => FullCases(cases => cases);

    /// <summary>
    /// <see cref="FullCases()"/> with <paramref name="shape"/> (filters, an order, a limit) applied to each
    /// branch of the union it may be, so a branch can stop at a page (<see cref="ReportedOr"/>).
    /// </summary>
    public IQueryable<CaseHeader> FullCases(Func<IQueryable<CaseHeader>, IQueryable<CaseHeader>> shape) => Caller.Role == Role.Auditor
        ? ReportedOr(_db.CaseAuditors.Where(a => a.AuditorId == Caller.OrganizationId).Select(a => a.CaseId), shape)
        : shape(_db.Cases.Where(FullView()));

    /// <summary>The cases the caller sees at all: <see cref="FullCases()"/>, and for a lab the cases with an involvement of its own.</summary>
    public IQueryable<CaseHeader> Cases() => Cases(cases => cases);

    /// <summary><see cref="Cases()"/> with <paramref name="shape"/> applied to each branch of the union it may be.</summary>
    public IQueryable<CaseHeader> Cases(Func<IQueryable<CaseHeader>, IQueryable<CaseHeader>> shape)
    {
        if (Caller.Role != Role.Lab)
        {
            return FullCases(shape);
        }

        var org = Caller.OrganizationId;
        return ReportedOr(_db.Involvements.Where(i => i.LabId == org).Select(i => i.CaseId), shape);
    }

    /// <summary>
    /// A page of the cases the caller sees: <paramref name="filter"/> applied, in list order (created, id)
    /// after <paramref name="after"/>, at most <paramref name="take"/>. Each branch of the union stops at a
    /// page in the order of its own index: a reporter's cases by (reporter, created, id), a lab's
    /// involvements by (lab, case created, case id) and an auditor's assignments by (auditor, case
    /// created, case id), each probing the cases by id. Ordered by the case's own columns instead, a lab's
    /// branch read and sorted every case the lab is involved in (CaseList_LabWithManyCases_ReadsAboutAPageOfRows).
    /// </summary>
    public IQueryable<CaseHeader> CasePage(Func<IQueryable<CaseHeader>, IQueryable<CaseHeader>> filter, (DateTimeOffset CreatedAt, Guid Id)? after, int take)
    {
        IQueryable<CaseHeader> Shape(IQueryable<CaseHeader> cases) => InListOrder(After(filter(cases), after)).Take(take);
        var org = Caller.OrganizationId;
        var others = filter(_db.Cases.Where(c => c.ReporterId != org));
        var reported = Shape(_db.Cases.Where(c => c.ReporterId == org));
        return Caller.Role switch
        {
            Role.Lab => InListOrder(reported.Concat(InOrderOf(_db.Involvements.Where(i => i.LabId == org), others, after, take))).Take(take),
            Role.Auditor => InListOrder(reported.Concat(InOrderOf(_db.CaseAuditors.Where(a => a.AuditorId == org), others, after, take))).Take(take),
            _ => InListOrder(FullCases(Shape)).Take(take),
        };
    }

    // The cases of rows that name a case and copy its created_at, walked in the rows' own index order.
    private static IQueryable<CaseHeader> InOrderOf<T>(IQueryable<T> rows, IQueryable<CaseHeader> cases, (DateTimeOffset CreatedAt, Guid Id)? after, int take)
        where T : class, IListOrdered
    {
        if (after is var (createdAt, id))
        {
            rows = rows.Where(r => r.CaseCreatedAt >= createdAt && (r.CaseCreatedAt > createdAt || r.CaseId > id));
        }

        return (from r in rows join c in cases on r.CaseId equals c.Id orderby r.CaseCreatedAt, r.CaseId select c).Take(take);
    }

    private static IQueryable<CaseHeader> InListOrder(IQueryable<CaseHeader> cases) => cases.OrderBy(c => c.CreatedAt).ThenBy(c => c.Id);

    // The first comparison alone bounds an index range; the second keeps the order's ties exact.
    private static IQueryable<CaseHeader> After(IQueryable<CaseHeader> cases, (DateTimeOffset CreatedAt, Guid Id)? after) =>
        after is var (createdAt, id) ? cases.Where(c => c.CreatedAt >= createdAt && (c.CreatedAt > createdAt || c.Id > id)) : cases;

    /// <summary>
    /// The cases the caller reported, and those of <paramref name="caseIds"/> it did not: two index
    /// searches in one UNION ALL (disjoint, so nothing to remove). Never one OR across them: an OR with
    /// an EXISTS walks every case in the registry and tests each (QueryPredicateTests,
    /// CaseList_Over10000ForeignCases_ReadsAboutAPageOfRows: 10,005 rows of cases read for a lab with 5).
    /// <paramref name="shape"/> applies to each branch: a page ordered and limited in each branch reads
    /// a page of the reporter's index (reporter, created, id), not every case the caller reported.
    /// </summary>
    private IQueryable<CaseHeader> ReportedOr(IQueryable<Guid> caseIds, Func<IQueryable<CaseHeader>, IQueryable<CaseHeader>> shape)
    {
        var org = Caller.OrganizationId;
        return shape(_db.Cases.Where(c => c.ReporterId == org))
            .Concat(shape(caseIds.Join(_db.Cases.Where(c => c.ReporterId != org), id => id, c => c.Id, (_, c) => c)));
    }

    /// <summary>The involvements in the caller's projections: all of a fully visible case's, and a lab's own.</summary>
    public IQueryable<Involvement> Involvements()
    {
        var full = FullCases();
        if (Caller.Role != Role.Lab)
        {
            return _db.Involvements.Where(i => full.Any(c => c.Id == i.CaseId));
        }

        var org = Caller.OrganizationId;
        return _db.Involvements.Where(i => i.LabId == org || full.Any(c => c.Id == i.CaseId));
    }

    /// <summary>The case events in the caller's projections: a visible case's header events and its visible involvements' events.</summary>
    public IQueryable<EventEnvelope> Events()
    {
        var cases = Cases();
        var involvements = Involvements();
        return _db.EventEnvelopes.Where(e => e.CaseId != null
            && cases.Any(c => c.Id == e.CaseId)
            && (e.InvolvementId == null || involvements.Any(i => i.Id == e.InvolvementId)));
    }

    private Expression<Func<CaseHeader, bool>> FullView()
    {
        var org = Caller.OrganizationId;
        switch (Caller.Role)
        {
            case Role.Regulator when _scopeAll:
                return c => true;
            case Role.Regulator:
                var labs = _scopeLabs;
                var involvements = _db.Involvements;
                if (!_scopeJurisdictions)
                {
                    return c => c.ReporterId == org || c.AuthorityId == org || involvements.Any(i => i.CaseId == c.Id && labs.Contains(i.LabId));
                }

                var links = _db.InvolvementReleases;
                var releases = _db.Releases;
                var scopes = _db.AuthorityScopes;
                // Regions are stored as ",US,DE," once framed with commas, so "DE" cannot match "DEU" or "ADE".
                return c => c.ReporterId == org || c.AuthorityId == org || involvements.Any(i => i.CaseId == c.Id
                    && (labs.Contains(i.LabId)
                        || links.Any(l => l.InvolvementId == i.Id && releases.Any(r => r.Id == l.ReleaseId
                            && scopes.Any(s => s.AuthorityId == org && s.Kind == ScopeKind.Jurisdiction && ("," + r.Regions + ",").Contains("," + s.Value + ","))))));
            case Role.Lab or Role.Reporter:
                return c => c.ReporterId == org;
            default:
                // Administrators and the public see no case (docs/registry.md, "Who sees which case").
                return c => false;
        }
    }
}
