using Jailgrade.Registry.Events;
using Jailgrade.Registry.Identity;
using Jailgrade.Registry.Internal;
using Jailgrade.Registry.Organizations;
using Jailgrade.Registry.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Jailgrade.Registry.Administration;

/// <summary>
/// The operator's work on the database directly: <c>jailgrade admin init</c> and <c>jailgrade users
/// add</c>. Each creation is an event, attributed to the operator's verb.
/// </summary>
public static class RegistryAdmin
{
    /// <summary>The setting that records which master key the registry was initialized with.</summary>
    public const string MasterKeyIdSetting = "master_key_id";

    /// <summary>The setting that holds the log's origin (the name its checkpoints will carry).</summary>
    public const string LogOriginSetting = "log_origin";

    /// <summary>What <see cref="InitializeAsync"/> did.</summary>
    public sealed record Initialized(string ApiKey, string KeyDisplay, string MasterKeyId, bool MasterKeyCreated, string MasterKeyPath);

    /// <summary>
    /// Migrates the database, then creates the operator organization, its first administrator with an
    /// API key, the log origin and (when the file does not exist yet) the master key. Refused when an
    /// administrator exists, or when the key file would sit in the SQLite database's directory.
    /// </summary>
    public static async Task<Initialized> InitializeAsync(RegistryDatabase database, string masterKeyPath, string organization, string adminName, string origin, TimeProvider time, CancellationToken cancellationToken = default)
    {
        MasterKey.CheckNotBesideDatabase(masterKeyPath, database.SqlitePath);
        await Migrator.MigrateAsync(database, cancellationToken);
        await using var db = database.CreateOwnerContext();
        if (await db.Users.AnyAsync(u => u.Role == Role.Admin, cancellationToken))
        {
            throw new RegistryAdminException($"{database.Display} already has an administrator; admin init runs once (add users with 'jailgrade users add')");
        }

        var (master, created) = MasterKey.LoadOrCreate(masterKeyPath, database.SqlitePath);

        var (key, display) = await EventLog.WriteAsync(db, time, write =>
        {
            var actor = EventBodies.Operator("admin init");
            var org = CreateOrganization(write, actor, organization, OrganizationKind.Operator);
            var (_, apiKey, keyDisplay) = CreateUser(write, actor, org, adminName, Role.Admin);
            write.Db.Settings.Add(new RegistrySetting { Name = MasterKeyIdSetting, Value = master.Id });
            write.Db.Settings.Add(new RegistrySetting { Name = LogOriginSetting, Value = origin });
            return Task.FromResult((apiKey, keyDisplay));
        }, cancellationToken);
        return new Initialized(key, display, master.Id, created, Path.GetFullPath(masterKeyPath));
    }

    /// <summary>
    /// Migrates the database, then adds a user with an API key to an organization, creating the
    /// organization when <paramref name="newOrganizationKind"/> is given. Returns the key (shown once).
    /// </summary>
    public static async Task<(string ApiKey, string KeyDisplay)> AddUserAsync(RegistryDatabase database, string organization, OrganizationKind? newOrganizationKind, string userName, Role role, TimeProvider time, CancellationToken cancellationToken = default)
    {
        await Migrator.MigrateAsync(database, cancellationToken);
        await using var db = database.CreateOwnerContext();
        if (!await db.Settings.AnyAsync(s => s.Name == MasterKeyIdSetting, cancellationToken))
        {
            throw new RegistryAdminException($"{database.Display} is not initialized; run 'jailgrade admin init' first");
        }

        return await EventLog.WriteAsync(db, time, async write =>
        {
            var actor = EventBodies.Operator("users add");
            var org = await write.Db.Organizations.SingleOrDefaultAsync(o => o.Name == organization, cancellationToken);
            if (org is null)
            {
                org = newOrganizationKind is { } kind
                    ? CreateOrganization(write, actor, organization, kind)
                    : throw new RegistryAdminException($"no organization named '{organization}'; to create it add --new-org KIND ({string.Join(", ", LowerCaseEnumNames<OrganizationKind>.All)})");
            }
            else if (newOrganizationKind is not null)
            {
                throw new RegistryAdminException($"organization '{organization}' exists already (a {LowerCaseEnumNames<OrganizationKind>.Name(org.Kind)}); drop --new-org to add a user to it");
            }

            CheckRoleFits(role, org);
            if (await write.Db.Users.AnyAsync(u => u.OrganizationId == org.Id && u.Name == userName, cancellationToken))
            {
                throw new RegistryAdminException($"organization '{organization}' already has a user named '{userName}'");
            }

            var (_, key, display) = CreateUser(write, actor, org, userName, role);
            return (key, display);
        }, cancellationToken);
    }

    /// <summary>Refuses a role that does not belong to the organization's kind (a regulator in a lab, say).</summary>
    public static void CheckRoleFits(Role role, Organization org)
    {
        OrganizationKind? required = role switch
        {
            Role.Admin => OrganizationKind.Operator,
            Role.Regulator => OrganizationKind.Authority,
            Role.Lab => OrganizationKind.Lab,
            Role.Auditor => OrganizationKind.Auditor,
            _ => null,
        };
        if (required is { } kind && org.Kind != kind)
        {
            throw new RegistryAdminException(
                $"role {LowerCaseEnumNames<Role>.Name(role)} belongs to an organization of kind {LowerCaseEnumNames<OrganizationKind>.Name(kind)}; '{org.Name}' is a {LowerCaseEnumNames<OrganizationKind>.Name(org.Kind)}");
        }
    }

    private static Organization CreateOrganization(RegistryWrite write, System.Text.Json.Nodes.JsonObject actor, string name, OrganizationKind kind)
    {
        var org = new Organization { Id = Guid.NewGuid(), Name = name, Kind = kind, CreatedAt = write.Now };
        write.Db.Organizations.Add(org);
        write.Append("organization.created", "organization", org.Id,
            EventBodies.Created(actor.DeepClone().AsObject(), ("name", name), ("kind", LowerCaseEnumNames<OrganizationKind>.Name(kind))));
        return org;
    }

    /// <summary>Adds a user with a new API key, and their events, to a write; returns the key (shown once).</summary>
    public static (User User, string Key, string Display) CreateUser(RegistryWrite write, System.Text.Json.Nodes.JsonObject actor, Organization org, string name, Role role)
    {
        var user = new User { Id = Guid.NewGuid(), OrganizationId = org.Id, Name = name, Role = role, CreatedAt = write.Now };
        write.Db.Users.Add(user);
        write.Append("user.created", "user", user.Id, EventBodies.Created(actor.DeepClone().AsObject(),
            ("name", name), ("organization", EventEncoding.Id(org.Id)), ("role", LowerCaseEnumNames<Role>.Name(role))));
        var (stored, key) = ApiKeys.Create(user.Id, write.Now);
        write.Db.ApiKeys.Add(stored);
        write.Append("api_key.created", "user", user.Id, EventBodies.Created(actor.DeepClone().AsObject(),
            ("key", ApiKeys.Display(stored)), ("expires", EventEncoding.Time(stored.ExpiresAt))));
        return (user, key, ApiKeys.Display(stored));
    }
}

/// <summary>An administrative request the registry refuses (the message says why and what to do).</summary>
public sealed class RegistryAdminException(string message) : Exception(message);
