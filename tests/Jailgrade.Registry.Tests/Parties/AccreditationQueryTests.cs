using Jailgrade.Registry.Accreditation;
using Jailgrade.Registry.Organizations;
using Jailgrade.Registry.Persistence;
using Jailgrade.Registry.Tests.TestSupport;

namespace Jailgrade.Registry.Tests.Parties;

/// <summary>"Was X accredited for S at T": the boundaries of validity, revocation, scope and authority.</summary>
public class AccreditationQueryTests
{
    private static readonly DateTimeOffset From = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Until = new(2027, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Ms = TimeSpan.FromMilliseconds(1);

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [PostgresData]
    public async Task IsAccredited_ValidFromIsInclusiveAndValidUntilExclusive(DatabaseProvider provider)
    {
        await using var seeded = await SeededAsync(provider, ["catastrophic"], revokedAt: null);
        await using var db = seeded.Test.Database.CreateContext();

        (await Accreditations.IsAccreditedAsync(db, seeded.Auditor, "CY", From - Ms)).ShouldBeFalse("a millisecond before validFrom");
        (await Accreditations.IsAccreditedAsync(db, seeded.Auditor, "CY", From)).ShouldBeTrue("at validFrom");
        (await Accreditations.IsAccreditedAsync(db, seeded.Auditor, "CY", Until - Ms)).ShouldBeTrue("a millisecond before validUntil");
        (await Accreditations.IsAccreditedAsync(db, seeded.Auditor, "CY", Until)).ShouldBeFalse("at validUntil");
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [PostgresData]
    public async Task IsAccredited_RevokedAfterT_StillAccreditedAtT_RevokedAtOrBeforeT_IsNot(DatabaseProvider provider)
    {
        var revoked = new DateTimeOffset(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);
        await using var seeded = await SeededAsync(provider, ["CY"], revoked);
        await using var db = seeded.Test.Database.CreateContext();

        (await Accreditations.IsAccreditedAsync(db, seeded.Auditor, "CY", revoked - Ms)).ShouldBeTrue("signed a millisecond before the revocation");
        (await Accreditations.IsAccreditedAsync(db, seeded.Auditor, "CY", revoked)).ShouldBeFalse("at the revocation");
        (await Accreditations.IsAccreditedAsync(db, seeded.Auditor, "CY", revoked + TimeSpan.FromDays(1))).ShouldBeFalse("after the revocation");
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [PostgresData]
    public async Task IsAccredited_TierCoversItsDomains_ADomainCoversOnlyItself(DatabaseProvider provider)
    {
        var at = From + TimeSpan.FromDays(10);
        await using var seeded = await SeededAsync(provider, ["severe", "CY"], revokedAt: null);
        await using var db = seeded.Test.Database.CreateContext();

        (await Accreditations.IsAccreditedAsync(db, seeded.Auditor, "WP", at)).ShouldBeTrue("WP is in the severe tier");
        (await Accreditations.IsAccreditedAsync(db, seeded.Auditor, "severe", at)).ShouldBeTrue();
        (await Accreditations.IsAccreditedAsync(db, seeded.Auditor, "CY", at)).ShouldBeTrue();
        (await Accreditations.IsAccreditedAsync(db, seeded.Auditor, "BI", at)).ShouldBeFalse("BI is catastrophic; only CY of that tier was granted");
        (await Accreditations.IsAccreditedAsync(db, seeded.Auditor, "catastrophic", at)).ShouldBeFalse("one domain is not the whole tier");
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [PostgresData]
    public async Task IsAccredited_AnotherAuditorOrAnotherAuthority_IsNot(DatabaseProvider provider)
    {
        var at = From + TimeSpan.FromDays(10);
        await using var seeded = await SeededAsync(provider, ["CY"], revokedAt: null);
        await using var db = seeded.Test.Database.CreateContext();

        (await Accreditations.IsAccreditedAsync(db, seeded.Auditor, "CY", at, seeded.Authority)).ShouldBeTrue();
        (await Accreditations.IsAccreditedAsync(db, seeded.Auditor, "CY", at, seeded.OtherOrganization)).ShouldBeFalse("granted by another authority");
        (await Accreditations.IsAccreditedAsync(db, seeded.OtherOrganization, "CY", at)).ShouldBeFalse("another auditor");
    }

    [Fact]
    public void Covering_UnknownItem_ThrowsNamingTheKnownOnes()
    {
        var error = Should.Throw<ArgumentException>(() => ScopeItems.Covering("cy"));

        error.Message.ShouldContain("'cy' is not a hazard tier or domain");
        error.Message.ShouldContain("limited, moderate, severe, catastrophic, PO, FR");
    }

    private sealed record Seeded(TestDatabase Test, Guid Auditor, Guid Authority, Guid OtherOrganization) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Test.DisposeAsync();
    }

    private static async Task<Seeded> SeededAsync(DatabaseProvider provider, string[] scope, DateTimeOffset? revokedAt)
    {
        var test = await TestDatabase.CreateAsync(provider);
        await Migrator.MigrateAsync(test.Database);
        await using var db = test.Database.CreateContext();
        var auditor = new Organization { Id = Guid.NewGuid(), Name = "Audit Co", Kind = OrganizationKind.Auditor, CreatedAt = From };
        var authority = new Organization { Id = Guid.NewGuid(), Name = "AI Safety Authority", Kind = OrganizationKind.Authority, CreatedAt = From };
        var other = new Organization { Id = Guid.NewGuid(), Name = "Other Authority", Kind = OrganizationKind.Authority, CreatedAt = From };
        db.Organizations.AddRange(auditor, authority, other);
        var accreditation = new AuditorAccreditation
        {
            Id = Guid.NewGuid(), AuditorId = auditor.Id, AuthorityId = authority.Id, ValidFrom = From, ValidUntil = Until,
            CreatedAt = From, RevokedAt = revokedAt, RevokedReason = revokedAt is null ? null : "test",
        };
        db.Accreditations.Add(accreditation);
        db.AccreditationScopes.AddRange(scope.Select(item => new AccreditationScope { AccreditationId = accreditation.Id, Item = item }));
        await db.SaveChangesAsync();
        return new Seeded(test, auditor.Id, authority.Id, other.Id);
    }
}
