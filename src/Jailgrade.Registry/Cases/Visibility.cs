using System.Linq.Expressions;
using Jailgrade.Registry.Access;
using Jailgrade.Registry.Events;
using Jailgrade.Registry.Organizations;
using Jailgrade.Registry.Releases;
using Microsoft.EntityFrameworkCore;

namespace Jailgrade.Registry.Cases;

/// <summary>
/// The authorization predicates of cases, involvements and case events (docs/registry.md, "Who sees
/// which case", "The lab projection"): one composable query per resource, applied in SQL, never in
/// memory. Every case read and write starts here. This is also the one reviewed file where a raw-SQL or
/// filter-bypassing call on a scoped table may appear (BannedSymbols.Registry.txt bans them elsewhere);
/// today it needs none. The predicates of models and releases are in Visibility.Releases.cs.
/// </summary>
public sealed partial class Visibility
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
    /// <see cref="FullCases()"/> with <paramref name="shape"/> (filters, and for <see cref="CasePage"/> an
    /// order and a limit) applied to each branch of the union it may be, so a branch can stop at a page.
    /// </summary>
    public IQueryable<CaseHeader> FullCases(Func<IQueryable<CaseHeader>, IQueryable<CaseHeader>> shape) => Caller.Role switch
    {
        Role.Auditor => ReportedOr(_db.CaseAuditors.Where(a => a.AuditorId == Caller.OrganizationId).Select(a => a.CaseId), shape),
        Role.Regulator when !_scopeAll => InScope(shape),
        _ => shape(_db.Cases.Where(FullView())),
    };

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
    /// <paramref name="shape"/> applies to each branch. Pages do not come through here: a lab's and an
    /// auditor's pages walk their own list-order indexes (<see cref="CasePage"/>).
    /// </summary>
    private IQueryable<CaseHeader> ReportedOr(IQueryable<Guid> caseIds, Func<IQueryable<CaseHeader>, IQueryable<CaseHeader>> shape)
    {
        var org = Caller.OrganizationId;
        return shape(_db.Cases.Where(c => c.ReporterId == org))
            .Concat(shape(caseIds.Join(_db.Cases.Where(c => c.ReporterId != org), id => id, c => c.Id, (_, c) => c)));
    }

    /// <summary>
    /// A scoped regulator's cases (docs/registry.md, "Regulator scope") as disjoint branches in one UNION
    /// ALL, each an index search: the cases it reported; those filed with its authority; those with an
    /// involvement of a lab in its scope; those with an involvement whose releases offer a region in its
    /// scope. Each branch leaves out the cases of the branches before it, so no case appears twice, and
    /// reads each case once (the involvements it starts from are made distinct first), so a branch
    /// limited to a page holds a page of distinct cases. One OR across them, as before, walked every case
    /// in the registry (QueryPredicateTests, CaseList_ScopedRegulatorOver10000CasesOutOfScope_ReadsAboutAPageOfRows).
    /// </summary>
    private IQueryable<CaseHeader> InScope(Func<IQueryable<CaseHeader>, IQueryable<CaseHeader>> shape)
    {
        var org = Caller.OrganizationId;
        var labs = _scopeLabs;
        var cases = _db.Cases;
        var involvements = _db.Involvements;
        var others = cases.Where(c => c.ReporterId != org && c.AuthorityId != org);
        var union = shape(cases.Where(c => c.ReporterId == org))
            .Concat(shape(cases.Where(c => c.AuthorityId == org && c.ReporterId != org)));
        if (labs.Count > 0)
        {
            var ofLabs = involvements.Where(i => labs.Contains(i.LabId)).Select(i => i.CaseId).Distinct();
            union = union.Concat(shape(ofLabs.Join(others, id => id, c => c.Id, (_, c) => c)));
        }

        if (_scopeJurisdictions)
        {
            var offered = (from l in _db.InvolvementReleases
                           join r in OfferedInScope() on l.ReleaseId equals r.Id
                           join i in involvements on l.InvolvementId equals i.Id
                           select i.CaseId).Distinct();
            var notOfLabs = others.Where(c => !involvements.Any(i => i.CaseId == c.Id && labs.Contains(i.LabId)));
            union = union.Concat(shape(offered.Join(notOfLabs, id => id, c => c.Id, (_, c) => c)));
        }

        return union;
    }

    /// <summary>The releases offered in a region of the caller's scope (a regulator's jurisdiction rows; none for anyone else).</summary>
    private IQueryable<Release> OfferedInScope()
    {
        var org = Caller.OrganizationId;
        var scopes = _db.AuthorityScopes;
        // Regions are stored as "US,DE" and framed with commas here, so "DE" cannot match "DEU" or "ADE".
        return _db.Releases.Where(r => scopes.Any(s => s.AuthorityId == org && s.Kind == ScopeKind.Jurisdiction && ("," + r.Regions + ",").Contains("," + s.Value + ",")));
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
            case Role.Lab or Role.Reporter:
                return c => c.ReporterId == org;
            default:
                // Administrators and the public see no case (docs/registry.md, "Who sees which case"); a scoped
                // regulator's cases are the union of InScope, never this predicate.
                return c => false;
        }
    }
}
