using Jailgrade.Registry.Access;
using Jailgrade.Registry.Administration;
using Jailgrade.Registry.Organizations;
using Jailgrade.Registry.Persistence;
using Jailgrade.Registry.Releases;
using Microsoft.EntityFrameworkCore;

namespace Jailgrade.Registry.Tests.Cases;

/// <summary>One party of the test world: its organization, a user with a role, and that user's API key.</summary>
public sealed record Party(string Name, Guid Organization, Guid User, Role Role, string Key)
{
    public Caller Caller => new(User, Organization, Role);
}

/// <summary>
/// The parties of a case, added to an initialized registry: an authority with a regulator, a second
/// authority, two labs with a release each (Lab A's offered in US and DE, Lab B's in FR), an auditor
/// and a research group that reports.
/// </summary>
public sealed class CaseWorld
{
    public required Party Regulator { get; init; }

    public required Party OtherRegulator { get; init; }

    public required Party LabA { get; init; }

    public required Party LabB { get; init; }

    public required Party Auditor { get; init; }

    public required Party Reporter { get; init; }

    public required Party OtherReporter { get; init; }

    public Guid ReleaseA { get; init; }

    public Guid ReleaseB { get; init; }

    public static async Task<CaseWorld> SeedAsync(RegistryDatabase database, TimeProvider time)
    {
        async Task<Party> Add(string org, OrganizationKind kind, string user, Role role)
        {
            var (key, _) = await RegistryAdmin.AddUserAsync(database, org, kind, user, role, time);
            await using var db = database.CreateContext();
            var u = await db.Users.Join(db.Organizations, x => x.OrganizationId, o => o.Id, (x, o) => new { x.Id, x.OrganizationId, x.Name, Org = o.Name })
                .SingleAsync(x => x.Org == org && x.Name == user);
            return new Party(org, u.OrganizationId, u.Id, role, key);
        }

        var world = new CaseWorld
        {
            Regulator = await Add("Authority", OrganizationKind.Authority, "reg", Role.Regulator),
            OtherRegulator = await Add("Other Authority", OrganizationKind.Authority, "reg2", Role.Regulator),
            LabA = await Add("Lab A", OrganizationKind.Lab, "a", Role.Lab),
            LabB = await Add("Lab B", OrganizationKind.Lab, "b", Role.Lab),
            Auditor = await Add("Audit Co", OrganizationKind.Auditor, "aud", Role.Auditor),
            Reporter = await Add("Researchers", OrganizationKind.Research, "rep", Role.Reporter),
            OtherReporter = await Add("Other Researchers", OrganizationKind.Research, "rep2", Role.Reporter),
            ReleaseA = Guid.NewGuid(),
            ReleaseB = Guid.NewGuid(),
        };
        await using (var db = database.CreateContext())
        {
            var now = time.GetUtcNow();
            var modelA = new AiModel { Id = Guid.NewGuid(), LabId = world.LabA.Organization, Name = "a-1", CreatedAt = now };
            var modelB = new AiModel { Id = Guid.NewGuid(), LabId = world.LabB.Organization, Name = "b-1", CreatedAt = now };
            db.Models.AddRange(modelA, modelB);
            db.Releases.AddRange(
                new Release { Id = world.ReleaseA, ModelId = modelA.Id, Version = "2026-10", Exposure = "G", Regions = "US,DE", CreatedAt = now },
                new Release { Id = world.ReleaseB, ModelId = modelB.Id, Version = "r1", Exposure = "G", Regions = "FR", CreatedAt = now });
            await db.SaveChangesAsync();
        }

        return world;
    }

    /// <summary>Replaces an authority's scope rows (none: scope all).</summary>
    public static async Task ScopeAsync(RegistryDatabase database, Guid authority, params (ScopeKind Kind, string Value)[] rows)
    {
        await using var db = database.CreateContext();
        db.AuthorityScopes.RemoveRange(await db.AuthorityScopes.Where(s => s.AuthorityId == authority).ToListAsync());
        db.AuthorityScopes.AddRange(rows.Select(r => new AuthorityScope { AuthorityId = authority, Kind = r.Kind, Value = r.Value }));
        await db.SaveChangesAsync();
    }
}
