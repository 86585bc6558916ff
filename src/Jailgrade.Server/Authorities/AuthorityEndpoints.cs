using System.Security.Claims;
using System.Text.Json.Nodes;
using Jailgrade.Policy;
using Jailgrade.Registry;
using Jailgrade.Registry.Events;
using Jailgrade.Registry.Organizations;
using Jailgrade.Registry.Parties;
using Jailgrade.Server.Identity;
using Jailgrade.Server.Internal;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace Jailgrade.Server.Authorities;

/// <summary>
/// <c>/api/v1/authorities/{orgId}</c>: an authority's configuration, the policy (id and version) that
/// governs the involvements in its scope and the organizations it names for that policy's parties
/// (docs/registry.md, "Authorities and their policy"). An administrator or a regulator of the authority
/// sees and sets it; to anyone else it is a 404. Its scope has routes of its own (<see cref="AuthorityScopeEndpoints"/>).
/// </summary>
internal static class AuthorityEndpoints
{
    public sealed record PolicyRef(string Id, string Version);

    public sealed record AuthorityDto(Guid Id, string Name, PolicyRef? Policy, IReadOnlyDictionary<string, List<Guid>> Parties, long Version);

    public sealed record SetPolicyRequest(string Policy, string Version, IReadOnlyDictionary<string, IReadOnlyList<Guid>>? Parties = null);

    public static RouteGroupBuilder MapAuthorities(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/authorities").WithTags("Authorities");
        group.MapGet("/{id:guid}", GetAsync).WithName("GetAuthority");
        group.MapPut("/{id:guid}/policy", SetPolicyAsync).WithName("SetAuthorityPolicy").Accepts<SetPolicyRequest>("application/json");
        group.MapGet("/{id:guid}/history", HistoryAsync).WithName("AuthorityHistory").Produces<PageDto<History.EntryDto>>();
        return group.MapAuthorityScope();
    }

    /// <summary>The authorities a caller may see, in SQL: all for an administrator, a regulator's own, none for anyone else.</summary>
    internal static IQueryable<Organization> VisibleAuthorities(this RegistryDbContext db, ClaimsPrincipal caller)
    {
        var authorities = db.Organizations.AsNoTracking().Where(o => o.Kind == OrganizationKind.Authority);
        var own = caller.OrganizationId();
        return caller.Role() switch
        {
            Role.Admin => authorities,
            Role.Regulator => authorities.Where(o => o.Id == own),
            _ => authorities.Where(o => false),
        };
    }

    private static async Task<IResult> GetAsync(Guid id, ClaimsPrincipal caller, RegistryDbContext db, HttpResponse response, CancellationToken cancellationToken)
    {
        var authority = await db.VisibleAuthorities(caller).SingleOrDefaultAsync(o => o.Id == id, cancellationToken);
        if (authority is null)
        {
            return Problems.NotFound("authority", id);
        }

        var dto = await DtoAsync(db, authority, cancellationToken);
        response.Headers.ETag = ETags.Of(dto.Version);
        return TypedResults.Ok(dto);
    }

    private static async Task<IResult> SetPolicyAsync(Guid id, HttpRequest request, ClaimsPrincipal caller, RegistryDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        // Seeing an authority and configuring it go together: an administrator, or its own regulators.
        var authority = await db.VisibleAuthorities(caller).SingleOrDefaultAsync(o => o.Id == id, cancellationToken);
        if (authority is null)
        {
            return Problems.NotFound("authority", id);
        }

        if (ETags.RequireIfMatch(request, out var expected) is { } required)
        {
            return required;
        }

        var (body, invalid) = await StrictJson.ReadAsync<SetPolicyRequest>(request, cancellationToken);
        if (invalid is not null)
        {
            return invalid;
        }

        var policy = BuiltinPolicies.Find(body!.Policy);
        if (policy is null)
        {
            return Problems.Invalid("policy", body.Policy, $"a policy the registry knows: {string.Join(", ", BuiltinPolicies.Ids)}");
        }

        if (body.Version != policy.Version)
        {
            return Problems.Invalid("version", body.Version, $"the version of {policy.Id} the registry knows: {policy.Version}");
        }

        var parties = body.Parties ?? new Dictionary<string, IReadOnlyList<Guid>>();
        if (await ValidPartiesAsync(db, policy, parties, cancellationToken) is { } bad)
        {
            return bad;
        }

        var outcome = await EventLog.WriteAsync(db, time, async write =>
        {
            var current = await write.Db.AuthorityPolicies.SingleOrDefaultAsync(p => p.AuthorityId == id, cancellationToken);
            if (ETags.IsStale(current?.Version ?? 0, expected))
            {
                return (Version: current?.Version ?? 0, Stale: true);
            }

            var before = await write.Db.AuthorityParties.Where(p => p.AuthorityId == id).ToListAsync(cancellationToken);
            var changes = new List<(string, JsonNode?, JsonNode?)>
            {
                ("policy", current?.PolicyId, policy.Id),
                ("policyVersion", current?.PolicyVersion, policy.Version),
                ("parties", PartiesJson(before.ToLookup(p => p.Party, p => p.OrganizationId)), PartiesJson(parties.SelectMany(p => p.Value.Select(o => (p.Key, o))).ToLookup(x => x.Key, x => x.o))),
            };
            if (current is null)
            {
                current = new AuthorityPolicy { AuthorityId = id, PolicyId = policy.Id, PolicyVersion = policy.Version, UpdatedAt = write.Now, Version = 1 };
                write.Db.AuthorityPolicies.Add(current);
            }
            else
            {
                current.PolicyId = policy.Id;
                current.PolicyVersion = policy.Version;
                current.UpdatedAt = write.Now;
                current.Version++;
            }

            write.Db.AuthorityParties.RemoveRange(before);
            write.Db.AuthorityParties.AddRange(parties.SelectMany(p => p.Value.Select(o => new AuthorityParty { AuthorityId = id, Party = p.Key, OrganizationId = o })));
            write.Append("authority.policy_set", "authority", id, History.Changed(caller.Actor(), [.. changes]));
            return (current.Version, Stale: false);
        }, cancellationToken);

        if (outcome.Stale)
        {
            return ETags.Stale(request.HttpContext.Response, "authority", outcome.Version);
        }

        request.HttpContext.Response.Headers.ETag = ETags.Of(outcome.Version);
        return TypedResults.Ok(await DtoAsync(db, authority, cancellationToken));
    }

    private static Task<IResult> HistoryAsync(Guid id, HttpRequest request, ClaimsPrincipal caller, RegistryDbContext db, Cursors cursors, CancellationToken cancellationToken) =>
        History.PageAsync(request, cursors, db, $"GET /api/v1/authorities/{id:D}/history", "authority", id,
            () => db.VisibleAuthorities(caller).AnyAsync(o => o.Id == id, cancellationToken), cancellationToken);

    private static async Task<IResult?> ValidPartiesAsync(RegistryDbContext db, JgPolicy policy, IReadOnlyDictionary<string, IReadOnlyList<Guid>> parties, CancellationToken cancellationToken)
    {
        foreach (var (party, organizations) in parties)
        {
            var field = $"parties.{party}";
            if (!policy.Parties.ContainsKey(party))
            {
                return Problems.Invalid(field, party, $"a party of {policy.Id}: {string.Join(", ", policy.Parties.Keys)}");
            }

            if (!PolicyParties.IsConfigurable(party))
            {
                return Problems.Invalid(field, party, $"a party the case does not decide ('{party}' is resolved from each case): {string.Join(", ", policy.Parties.Keys.Where(PolicyParties.IsConfigurable))}");
            }

            if (organizations.Count == 0 || organizations.Distinct().Count() != organizations.Count)
            {
                return Problems.Invalid(field, $"{organizations.Count} organizations", "one or more organization ids, each once");
            }

            var ids = organizations.ToList();
            var known = await db.Organizations.AsNoTracking().Where(o => ids.Contains(o.Id)).Select(o => o.Id).ToListAsync(cancellationToken);
            if (ids.FirstOrDefault(o => !known.Contains(o)) is var missing && missing != Guid.Empty)
            {
                return Problems.Invalid(field, missing.ToString("D"), "the ids of existing organizations");
            }
        }

        return null;
    }

    private static JsonObject PartiesJson(ILookup<string, Guid> parties) =>
        new(parties.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p =>
            KeyValuePair.Create(p.Key, (JsonNode?)new JsonArray([.. p.Select(o => (JsonNode)EventEncoding.Id(o))]))));

    private static async Task<AuthorityDto> DtoAsync(RegistryDbContext db, Organization authority, CancellationToken cancellationToken)
    {
        var policy = await db.AuthorityPolicies.AsNoTracking().SingleOrDefaultAsync(p => p.AuthorityId == authority.Id, cancellationToken);
        var parties = await db.AuthorityParties.AsNoTracking().Where(p => p.AuthorityId == authority.Id).ToListAsync(cancellationToken);
        return new AuthorityDto(authority.Id, authority.Name, policy is null ? null : new PolicyRef(policy.PolicyId, policy.PolicyVersion),
            parties.GroupBy(p => p.Party).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Select(p => p.OrganizationId).ToList()),
            policy?.Version ?? 0);
    }
}
