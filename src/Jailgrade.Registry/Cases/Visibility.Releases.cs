using Jailgrade.Registry.Organizations;
using Jailgrade.Registry.Releases;

namespace Jailgrade.Registry.Cases;

/// <summary>
/// The authorization predicates of models and releases (docs/registry.md, "Models and releases"),
/// beside the case predicates they derive from: what a caller sees of a release follows the cases it sees.
/// </summary>
public sealed partial class Visibility
{
    /// <summary>
    /// The releases the caller sees: an administrator and a regulator with scope all every one; a lab
    /// its own; a scoped regulator those of the labs in its scope and those offered in a region of its
    /// scope; and an auditor, a reporter or a scoped regulator those linked to an involvement of a case
    /// it sees. The public none.
    /// </summary>
    public IQueryable<Release> Releases()
    {
        var org = Caller.OrganizationId;
        var models = _db.Models;
        switch (Caller.Role)
        {
            case Role.Admin:
            case Role.Regulator when _scopeAll:
                return _db.Releases;
            case Role.Lab:
                return _db.Releases.Where(r => models.Any(m => m.Id == r.ModelId && m.LabId == org));
            case Role.Regulator:
                var labs = _scopeLabs;
                var offered = OfferedInScope().Select(r => r.Id);
                var linked = LinkedReleases();
                return _db.Releases.Where(r => models.Any(m => m.Id == r.ModelId && labs.Contains(m.LabId)) || offered.Contains(r.Id) || linked.Contains(r.Id));
            case Role.Auditor or Role.Reporter:
                var ofCases = LinkedReleases();
                return _db.Releases.Where(r => ofCases.Contains(r.Id));
            default:
                return _db.Releases.Where(r => false);
        }
    }

    /// <summary>
    /// The models the caller sees: all for an administrator and a regulator with scope all; a lab its
    /// own; a scoped regulator the models of the labs in its scope; and the model of every release the
    /// caller sees (<see cref="Releases"/>).
    /// </summary>
    public IQueryable<AiModel> Models()
    {
        var org = Caller.OrganizationId;
        switch (Caller.Role)
        {
            case Role.Admin:
            case Role.Regulator when _scopeAll:
                return _db.Models;
            case Role.Lab:
                return _db.Models.Where(m => m.LabId == org);
            case Role.Regulator or Role.Auditor or Role.Reporter:
                var labs = _scopeLabs;
                var releases = Releases();
                return _db.Models.Where(m => labs.Contains(m.LabId) || releases.Any(r => r.ModelId == m.Id));
            default:
                return _db.Models.Where(m => false);
        }
    }

    // The releases linked to an involvement of a case the caller sees whole (auditors, reporters and regulators see every involvement).
    private IQueryable<Guid> LinkedReleases()
    {
        var full = FullCases();
        var involvements = _db.Involvements;
        return _db.InvolvementReleases.Where(l => involvements.Any(i => i.Id == l.InvolvementId && full.Any(c => c.Id == i.CaseId))).Select(l => l.ReleaseId);
    }
}
