using System.Text;
using Jailgrade.Registry.Access;
using Jailgrade.Registry.Accreditation;
using Jailgrade.Registry.Cases;
using Jailgrade.Registry.Events;
using Jailgrade.Registry.Identity;
using Jailgrade.Registry.Idempotency;
using Jailgrade.Registry.Internal;
using Jailgrade.Registry.Organizations;
using Jailgrade.Registry.Parties;
using Jailgrade.Registry.Persistence;
using Jailgrade.Registry.Releases;
using Jailgrade.Registry.Secrets;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Jailgrade.Registry;

/// <summary>
/// The registry's model. The schema itself comes from the SQL migrations in
/// <c>Persistence/Migrations</c>; a test holds the two equal (tables, columns, keys, indexes).
/// Names in the database are snake_case; enums are stored as lower-case text.
/// </summary>
public sealed class RegistryDbContext(DbContextOptions<RegistryDbContext> options) : DbContext(options)
{
    public DbSet<Organization> Organizations => Set<Organization>();

    public DbSet<User> Users => Set<User>();

    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();

    public DbSet<AiModel> Models => Set<AiModel>();

    public DbSet<Release> Releases => Set<Release>();

    public DbSet<CaseHeader> Cases => Set<CaseHeader>();

    public DbSet<Involvement> Involvements => Set<Involvement>();

    public DbSet<InvolvementRelease> InvolvementReleases => Set<InvolvementRelease>();

    public DbSet<CaseAuditor> CaseAuditors => Set<CaseAuditor>();

    public DbSet<CaseKey> CaseKeys => Set<CaseKey>();

    public DbSet<CaseEventActor> CaseEventActors => Set<CaseEventActor>();

    public DbSet<AuthorityScope> AuthorityScopes => Set<AuthorityScope>();
    public DbSet<AuditorAccreditation> Accreditations => Set<AuditorAccreditation>();

    public DbSet<AccreditationScope> AccreditationScopes => Set<AccreditationScope>();

    public DbSet<AuthorityPolicy> AuthorityPolicies => Set<AuthorityPolicy>();

    public DbSet<AuthorityParty> AuthorityParties => Set<AuthorityParty>();

    public DbSet<EventEnvelope> EventEnvelopes => Set<EventEnvelope>();

    public DbSet<EventBody> EventBodies => Set<EventBody>();

    public DbSet<RegistrySetting> Settings => Set<RegistrySetting>();

    public DbSet<IdempotencyRecord> IdempotencyKeys => Set<IdempotencyRecord>();

    /// <summary>
    /// The request this context serves when it holds an idempotency key: its write's transaction then
    /// commits with the key's response, not in <see cref="EventLog.WriteAsync{T}"/>.
    /// </summary>
    public IdempotentRequest? Idempotency { get; set; }

    /// <summary>True inside <see cref="Events.EventLog.BatchAsync"/>: each write joins the batch's transaction.</summary>
    internal bool InBatch { get; set; }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Organization>(e =>
        {
            e.ToTable("organizations");
            e.HasIndex(o => o.Name).IsUnique().HasDatabaseName("ix_organizations_name");
        });
        modelBuilder.Entity<User>(e =>
        {
            e.ToTable("users");
            e.HasOne<Organization>().WithMany().HasForeignKey(u => u.OrganizationId).OnDelete(DeleteBehavior.Restrict);
            e.HasIndex(u => new { u.OrganizationId, u.Name }).IsUnique().HasDatabaseName("ix_users_organization_id_name");
        });
        modelBuilder.Entity<ApiKey>(e =>
        {
            e.ToTable("api_keys");
            e.Property(k => k.Id).ValueGeneratedNever();
            e.HasOne<User>().WithMany().HasForeignKey(k => k.UserId).OnDelete(DeleteBehavior.Restrict);
            e.HasIndex(k => k.UserId).HasDatabaseName("ix_api_keys_user_id");
        });
        modelBuilder.Entity<AiModel>(e =>
        {
            e.ToTable("models");
            e.HasOne<Organization>().WithMany().HasForeignKey(m => m.LabId).OnDelete(DeleteBehavior.Restrict);
            e.HasIndex(m => new { m.LabId, m.Name }).IsUnique().HasDatabaseName("ix_models_lab_id_name");
        });
        modelBuilder.Entity<Release>(e =>
        {
            e.ToTable("releases");
            e.HasOne<AiModel>().WithMany().HasForeignKey(r => r.ModelId).OnDelete(DeleteBehavior.Restrict);
            e.HasIndex(r => new { r.ModelId, r.Version }).IsUnique().HasDatabaseName("ix_releases_model_id_version");
        });
        modelBuilder.Entity<CaseHeader>(e =>
        {
            e.ToTable("cases");
            e.HasOne<Organization>().WithMany().HasForeignKey(c => c.ReporterId).OnDelete(DeleteBehavior.Restrict);
            e.HasOne<Organization>().WithMany().HasForeignKey(c => c.AuthorityId).OnDelete(DeleteBehavior.Restrict);
            e.HasOne<CaseHeader>().WithMany().HasForeignKey(c => c.DuplicateOfId).OnDelete(DeleteBehavior.Restrict);
            // A reporter's list pages by (created_at, id) within its own cases.
            e.HasIndex(c => new { c.ReporterId, c.CreatedAt, c.Id }).HasDatabaseName("ix_cases_reporter_id_created_at_id");
            e.HasIndex(c => c.AuthorityId).HasDatabaseName("ix_cases_authority_id");
            e.HasIndex(c => c.DuplicateOfId).HasDatabaseName("ix_cases_duplicate_of_id");
            // Lists page by (created_at, id).
            e.HasIndex(c => new { c.CreatedAt, c.Id }).HasDatabaseName("ix_cases_created_at_id");
        });
        modelBuilder.Entity<CaseAuditor>(e =>
        {
            e.ToTable("case_auditors");
            e.HasKey(x => new { x.CaseId, x.AuditorId });
            e.HasOne<CaseHeader>().WithMany().HasForeignKey(x => x.CaseId).OnDelete(DeleteBehavior.Restrict);
            e.HasOne<Organization>().WithMany().HasForeignKey(x => x.AuditorId).OnDelete(DeleteBehavior.Restrict);
            // An auditor's list walks its assignments in the case list's order and stops at a page.
            e.HasIndex(x => new { x.AuditorId, x.CaseCreatedAt, x.CaseId }).HasDatabaseName("ix_case_auditors_auditor_id_case_created_at_case_id");
        });
        modelBuilder.Entity<CaseKey>(e =>
        {
            e.ToTable("case_keys");
            e.HasKey(x => new { x.CaseId, x.KeyVersion });
            e.HasOne<CaseHeader>().WithMany().HasForeignKey(x => x.CaseId).OnDelete(DeleteBehavior.Restrict);
        });
        modelBuilder.Entity<CaseEventActor>(e =>
        {
            e.ToTable("case_event_actors");
            e.HasKey(x => x.Seq);
            e.Property(x => x.Seq).ValueGeneratedNever();
            e.HasOne<EventEnvelope>().WithOne().HasForeignKey<CaseEventActor>(x => x.Seq).OnDelete(DeleteBehavior.Restrict);
            e.HasOne<Organization>().WithMany().HasForeignKey(x => x.OrganizationId).OnDelete(DeleteBehavior.Restrict);
            e.HasIndex(x => x.OrganizationId).HasDatabaseName("ix_case_event_actors_organization_id");
        });
        modelBuilder.Entity<AuthorityScope>(e =>
        {
            e.ToTable("authority_scopes");
            e.HasKey(x => new { x.AuthorityId, x.Kind, x.Value });
            e.HasOne<Organization>().WithMany().HasForeignKey(x => x.AuthorityId).OnDelete(DeleteBehavior.Restrict);
        });
        modelBuilder.Entity<Involvement>(e =>
        {
            e.ToTable("involvements");
            e.HasOne<CaseHeader>().WithMany().HasForeignKey(i => i.CaseId).OnDelete(DeleteBehavior.Restrict);
            e.HasOne<Organization>().WithMany().HasForeignKey(i => i.LabId).OnDelete(DeleteBehavior.Restrict);
            e.HasIndex(i => new { i.CaseId, i.LabId }).IsUnique().HasDatabaseName("ix_involvements_case_id_lab_id");
            // The lab projection starts from the lab: its involvements, in the case list's order, then their cases.
            e.HasIndex(i => new { i.LabId, i.CaseCreatedAt, i.CaseId }).HasDatabaseName("ix_involvements_lab_id_case_created_at_case_id");
        });
        modelBuilder.Entity<InvolvementRelease>(e =>
        {
            e.ToTable("involvement_releases");
            e.HasKey(x => new { x.InvolvementId, x.ReleaseId });
            e.HasOne<Involvement>().WithMany().HasForeignKey(x => x.InvolvementId).OnDelete(DeleteBehavior.Restrict);
            e.HasOne<Release>().WithMany().HasForeignKey(x => x.ReleaseId).OnDelete(DeleteBehavior.Restrict);
            e.HasIndex(x => x.ReleaseId).HasDatabaseName("ix_involvement_releases_release_id");
        });
        modelBuilder.Entity<AuditorAccreditation>(e =>
        {
            e.ToTable("accreditations");
            e.HasOne<Organization>().WithMany().HasForeignKey(a => a.AuditorId).OnDelete(DeleteBehavior.Restrict);
            e.HasOne<Organization>().WithMany().HasForeignKey(a => a.AuthorityId).OnDelete(DeleteBehavior.Restrict);
            e.HasIndex(a => a.AuditorId).HasDatabaseName("ix_accreditations_auditor_id");
            e.HasIndex(a => a.AuthorityId).HasDatabaseName("ix_accreditations_authority_id");
        });
        modelBuilder.Entity<AccreditationScope>(e =>
        {
            e.ToTable("accreditation_scopes");
            e.HasKey(x => new { x.AccreditationId, x.Item });
            e.HasOne<AuditorAccreditation>().WithMany().HasForeignKey(x => x.AccreditationId).OnDelete(DeleteBehavior.Restrict);
        });
        modelBuilder.Entity<AuthorityPolicy>(e =>
        {
            e.ToTable("authority_policies");
            e.HasKey(x => x.AuthorityId);
            e.Property(x => x.AuthorityId).ValueGeneratedNever();
            e.HasOne<Organization>().WithOne().HasForeignKey<AuthorityPolicy>(x => x.AuthorityId).OnDelete(DeleteBehavior.Restrict);
        });
        modelBuilder.Entity<AuthorityParty>(e =>
        {
            e.ToTable("authority_parties");
            e.HasKey(x => new { x.AuthorityId, x.Party, x.OrganizationId });
            e.HasOne<AuthorityPolicy>().WithMany().HasForeignKey(x => x.AuthorityId).OnDelete(DeleteBehavior.Restrict);
            e.HasOne<Organization>().WithMany().HasForeignKey(x => x.OrganizationId).OnDelete(DeleteBehavior.Restrict);
            e.HasIndex(x => x.OrganizationId).HasDatabaseName("ix_authority_parties_organization_id");
        });
        modelBuilder.Entity<EventEnvelope>(e =>
        {
            e.ToTable("event_envelopes");
            e.HasKey(x => x.Seq);
            e.Property(x => x.Seq).ValueGeneratedNever();
            e.HasIndex(x => new { x.ObjectKind, x.ObjectId }).HasDatabaseName("ix_event_envelopes_object");
            e.HasIndex(x => x.CaseId).HasDatabaseName("ix_event_envelopes_case_id");
        });
        modelBuilder.Entity<EventBody>(e =>
        {
            e.ToTable("event_bodies");
            e.HasKey(x => x.Seq);
            e.Property(x => x.Seq).ValueGeneratedNever();
            e.HasOne<EventEnvelope>().WithOne().HasForeignKey<EventBody>(x => x.Seq).OnDelete(DeleteBehavior.Restrict);
        });
        modelBuilder.Entity<RegistrySetting>(e =>
        {
            e.ToTable("settings");
            e.HasKey(s => s.Name);
        });
        modelBuilder.Entity<IdempotencyRecord>(e =>
        {
            e.ToTable("idempotency_keys");
            e.HasKey(r => new { r.UserId, r.Key });
            e.HasOne<User>().WithMany().HasForeignKey(r => r.UserId).OnDelete(DeleteBehavior.Restrict);
            e.HasIndex(r => r.ExpiresAt).HasDatabaseName("ix_idempotency_keys_expires_at");
        });

        var sqlite = Database.IsSqlite();
        foreach (var entity in modelBuilder.Model.GetEntityTypes())
        {
            foreach (var property in entity.GetProperties())
            {
                property.SetColumnName(SnakeCase(property.Name));
                var type = Nullable.GetUnderlyingType(property.ClrType) ?? property.ClrType;
                if (type.IsEnum)
                {
                    property.SetValueConverter(LowerCaseEnumConverter(type));
                }
                else if (type == typeof(DateTimeOffset) && sqlite)
                {
                    // SQLite has no time type: Unix milliseconds order and compare correctly in SQL.
                    property.SetValueConverter(UnixMilliseconds);
                }
            }

            foreach (var key in entity.GetKeys())
            {
                key.SetName($"pk_{entity.GetTableName()}");
            }
        }
    }

    private static readonly ValueConverter<DateTimeOffset, long> UnixMilliseconds = new(
        v => v.ToUnixTimeMilliseconds(),
        v => DateTimeOffset.FromUnixTimeMilliseconds(v));

    private static ValueConverter LowerCaseEnumConverter(Type enumType) =>
        (ValueConverter)Activator.CreateInstance(typeof(LowerCaseEnum<>).MakeGenericType(enumType))!;

    internal static string SnakeCase(string name)
    {
        var builder = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0)
            {
                builder.Append('_');
            }

            builder.Append(char.ToLowerInvariant(name[i]));
        }

        return builder.ToString();
    }

    private sealed class LowerCaseEnum<T>() : ValueConverter<T, string>(
        v => LowerCaseEnumNames<T>.Name(v),
        v => LowerCaseEnumNames<T>.Parse(v))
        where T : struct, Enum;
}
