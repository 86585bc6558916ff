using System.Security.Claims;
using System.Text.Json.Nodes;
using Jailgrade.Policy.Eligibility;
using Jailgrade.Registry;
using Jailgrade.Registry.Cases;
using Jailgrade.Registry.Events;
using Jailgrade.Registry.Organizations;
using Jailgrade.Registry.Releases;
using Jailgrade.Server.Cases;
using Jailgrade.Server.Identity;
using Jailgrade.Server.Internal;
using Jailgrade.Standard;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace Jailgrade.Server.Releases;

/// <summary>
/// <c>/api/v1/models</c> and <c>/api/v1/releases</c>: a lab's models and their releases
/// (docs/registry.md, "Models and releases"). A lab creates and sees its own, an administrator any;
/// everyone else sees what <see cref="Visibility"/> derives from its scope and the cases it sees (anything
/// else is a 404, as a missing one). A release's exposure and regions
/// change with <c>If-Match</c>; every creation and change is an event.
/// </summary>
internal static class ReleaseEndpoints
{
    public sealed record ModelDto(Guid Id, Guid Lab, string Name, string CreatedAt, long Revision);

    public sealed record ReleaseDto(Guid Id, Guid Model, Guid Lab, string ModelName, string Version, string Exposure, IReadOnlyList<string> Regions, string CreatedAt, long Revision);

    public sealed record CreateModelRequest(string Name, Guid? Lab = null);

    public sealed record CreateReleaseRequest(string Version, string Exposure, IReadOnlyList<string> Regions);

    public sealed record ChangeReleaseRequest(string? Exposure = null, IReadOnlyList<string>? Regions = null);

    private static readonly string[] Exposures = [.. JgMetrics.Get(Metric.DeploymentExposure).Values.Select(v => v.Abbreviation)];

    public static RouteGroupBuilder MapReleases(this RouteGroupBuilder api)
    {
        var models = api.MapGroup("/models").WithTags("Models and releases");
        models.MapGet("", ListModelsAsync).WithName("ListModels").Produces<PageDto<ModelDto>>();
        models.MapPost("", CreateModelAsync).WithName("CreateModel").Accepts<CreateModelRequest>("application/json");
        models.MapGet("/{id:guid}", GetModelAsync).WithName("GetModel");
        models.MapPost("/{id:guid}/releases", CreateReleaseAsync).WithName("CreateRelease").Accepts<CreateReleaseRequest>("application/json");
        var releases = api.MapGroup("/releases").WithTags("Models and releases");
        releases.MapGet("", ListReleasesAsync).WithName("ListReleases").Produces<PageDto<ReleaseDto>>();
        releases.MapGet("/{id:guid}", GetReleaseAsync).WithName("GetRelease");
        releases.MapPatch("/{id:guid}", ChangeReleaseAsync).WithName("ChangeRelease").Accepts<ChangeReleaseRequest>("application/json");
        releases.MapGet("/{id:guid}/history", HistoryAsync).WithName("ReleaseHistory").Produces<PageDto<History.EntryDto>>();
        return api;
    }

    /// <summary>The models a caller may see: the authorization predicate (<see cref="Visibility.Models"/>), applied in SQL.</summary>
    private static async Task<IQueryable<AiModel>> VisibleModelsAsync(RegistryDbContext db, ClaimsPrincipal caller, CancellationToken cancellationToken) =>
        (await Visibility.ForAsync(db, caller.Caller(), cancellationToken)).Models().AsNoTracking();

    /// <summary>The releases a caller may see (<see cref="Visibility.Releases"/>), each with its model.</summary>
    private static async Task<IQueryable<VisibleRelease>> VisibleReleasesAsync(RegistryDbContext db, ClaimsPrincipal caller, CancellationToken cancellationToken)
    {
        var visibility = await Visibility.ForAsync(db, caller.Caller(), cancellationToken);
        return from r in visibility.Releases().AsNoTracking()
               join m in db.Models.AsNoTracking() on r.ModelId equals m.Id
               select new VisibleRelease { Release = r, Model = m };
    }

    private sealed class VisibleRelease
    {
        public required Release Release { get; init; }

        public required AiModel Model { get; init; }
    }

    /// <summary>Whether the caller may add releases to, or change releases of, models of <paramref name="lab"/>.</summary>
    private static bool MayChange(ClaimsPrincipal caller, Guid lab) =>
        caller.Role() == Role.Admin || (caller.Role() == Role.Lab && caller.OrganizationId() == lab);

    private static async Task<IResult> ListModelsAsync(HttpRequest request, ClaimsPrincipal caller, RegistryDbContext db, Cursors cursors, CancellationToken cancellationToken)
    {
        var list = ListQuery.Read(request, cursors, "GET /api/v1/models", "lab");
        var lab = list.Id("lab");
        var after = list.After();
        if (list.Problem is { } bad)
        {
            return bad;
        }

        var models = await VisibleModelsAsync(db, caller, cancellationToken);
        if (lab is { } only)
        {
            models = models.Where(m => m.LabId == only);
        }

        var (page, next) = await list.PageAsync(models, m => m.CreatedAt, m => m.Id, after, cancellationToken);
        return TypedResults.Ok(new PageDto<ModelDto>([.. page.Select(Dto)], next));
    }

    private static async Task<IResult> GetModelAsync(Guid id, ClaimsPrincipal caller, RegistryDbContext db, HttpResponse response, CancellationToken cancellationToken)
    {
        var model = await (await VisibleModelsAsync(db, caller, cancellationToken)).SingleOrDefaultAsync(m => m.Id == id, cancellationToken);
        if (model is null)
        {
            return Problems.NotFound("model", id);
        }

        response.Headers.ETag = ETags.Of(model.Revision);
        return TypedResults.Ok(Dto(model));
    }

    private static async Task<IResult> CreateModelAsync(HttpRequest request, ClaimsPrincipal caller, RegistryDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var role = caller.Role();
        if (role is not (Role.Admin or Role.Lab))
        {
            return Problems.Forbidden("only a lab (for itself) or an administrator creates models");
        }

        var (body, invalid) = await StrictJson.ReadAsync<CreateModelRequest>(request, cancellationToken);
        if (invalid is not null)
        {
            return invalid;
        }

        if (ValidText("name", body!.Name) is { } badName)
        {
            return badName;
        }

        Guid lab;
        if (role == Role.Lab)
        {
            if (body.Lab is { } named && named != caller.OrganizationId())
            {
                return Problems.Forbidden("a lab creates models only for itself");
            }

            lab = caller.OrganizationId();
        }
        else if (body.Lab is { } named && await db.Organizations.AnyAsync(o => o.Id == named && o.Kind == OrganizationKind.Lab, cancellationToken))
        {
            lab = named;
        }
        else
        {
            return Problems.Invalid("lab", body.Lab?.ToString("D"), "the id of an organization of kind lab");
        }

        var created = await EventLog.WriteAsync(db, time, async write =>
        {
            if (await write.Db.Models.AnyAsync(m => m.LabId == lab && m.Name == body.Name, cancellationToken))
            {
                return null;
            }

            var model = new AiModel { Id = Guid.NewGuid(), LabId = lab, Name = body.Name, CreatedAt = write.Now, Revision = 1 };
            write.Db.Models.Add(model);
            write.Append("model.created", "model", model.Id, EventBodies.Created(Actor(caller), ("lab", EventEncoding.Id(lab)), ("name", model.Name)));
            return model;
        }, cancellationToken);
        if (created is null)
        {
            return Problems.Conflict("name", $"the lab has a model named '{body.Name}'");
        }

        request.HttpContext.Response.Headers.ETag = ETags.Of(created.Revision);
        return TypedResults.Created($"/api/v1/models/{created.Id:D}", Dto(created));
    }

    private static async Task<IResult> CreateReleaseAsync(Guid id, HttpRequest request, ClaimsPrincipal caller, RegistryDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var model = await (await VisibleModelsAsync(db, caller, cancellationToken)).SingleOrDefaultAsync(m => m.Id == id, cancellationToken);
        if (model is null)
        {
            return Problems.NotFound("model", id);
        }

        if (!MayChange(caller, model.LabId))
        {
            return Problems.Forbidden("only the model's lab or an administrator adds releases");
        }

        var (body, invalid) = await StrictJson.ReadAsync<CreateReleaseRequest>(request, cancellationToken);
        if (invalid is not null)
        {
            return invalid;
        }

        if ((ValidText("version", body!.Version) ?? ValidExposure(body.Exposure) ?? ValidRegions(body.Regions)) is { } bad)
        {
            return bad;
        }

        var created = await EventLog.WriteAsync(db, time, async write =>
        {
            if (await write.Db.Releases.AnyAsync(r => r.ModelId == model.Id && r.Version == body.Version, cancellationToken))
            {
                return null;
            }

            var release = new Release
            {
                Id = Guid.NewGuid(), ModelId = model.Id, Version = body.Version, Exposure = body.Exposure,
                Regions = string.Join(',', body.Regions), CreatedAt = write.Now, Revision = 1,
            };
            write.Db.Releases.Add(release);
            write.Append("release.created", "release", release.Id, EventBodies.Created(Actor(caller),
                ("model", EventEncoding.Id(model.Id)), ("version", release.Version), ("exposure", release.Exposure), ("regions", RegionsJson(release.Regions))));
            return release;
        }, cancellationToken);
        if (created is null)
        {
            return Problems.Conflict("version", $"the model has a release '{body.Version}'");
        }

        request.HttpContext.Response.Headers.ETag = ETags.Of(created.Revision);
        return TypedResults.Created($"/api/v1/releases/{created.Id:D}", Dto(created, model));
    }

    private static async Task<IResult> ListReleasesAsync(HttpRequest request, ClaimsPrincipal caller, RegistryDbContext db, Cursors cursors, CancellationToken cancellationToken)
    {
        var list = ListQuery.Read(request, cursors, "GET /api/v1/releases", "model", "lab", "changed_since");
        var (model, lab, since) = (list.Id("model"), list.Id("lab"), list.Time("changed_since"));
        var after = list.After();
        if (list.Problem is { } bad)
        {
            return bad;
        }

        var visible = await VisibleReleasesAsync(db, caller, cancellationToken);
        if (model is { } onlyModel)
        {
            visible = visible.Where(x => x.Model.Id == onlyModel);
        }

        if (lab is { } onlyLab)
        {
            visible = visible.Where(x => x.Model.LabId == onlyLab);
        }

        if (since is { } t)
        {
            var changed = History.ChangedSince(db, "release", t);
            visible = visible.Where(x => changed.Contains(x.Release.Id));
        }

        var (page, next) = await list.PageAsync(visible, x => x.Release.CreatedAt, x => x.Release.Id, after, cancellationToken);
        return TypedResults.Ok(new PageDto<ReleaseDto>([.. page.Select(x => Dto(x.Release, x.Model))], next));
    }

    private static async Task<IResult> GetReleaseAsync(Guid id, ClaimsPrincipal caller, RegistryDbContext db, HttpResponse response, CancellationToken cancellationToken)
    {
        var found = await (await VisibleReleasesAsync(db, caller, cancellationToken)).Where(x => x.Release.Id == id).ToListAsync(cancellationToken);
        if (found is not [{ Release: var release, Model: var model }])
        {
            return Problems.NotFound("release", id);
        }

        response.Headers.ETag = ETags.Of(release.Revision);
        return TypedResults.Ok(Dto(release, model));
    }

    private static async Task<IResult> ChangeReleaseAsync(Guid id, HttpRequest request, ClaimsPrincipal caller, RegistryDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var found = await (await VisibleReleasesAsync(db, caller, cancellationToken)).Where(x => x.Release.Id == id).ToListAsync(cancellationToken);
        if (found is not [{ Model: var model }])
        {
            return Problems.NotFound("release", id);
        }

        if (!MayChange(caller, model.LabId))
        {
            return Problems.Forbidden("only the model's lab or an administrator changes its releases");
        }

        if (ETags.RequireIfMatch(request, out var expected) is { } required)
        {
            return required;
        }

        var (body, invalid) = await StrictJson.ReadAsync<ChangeReleaseRequest>(request, cancellationToken);
        if (invalid is not null)
        {
            return invalid;
        }

        if (body!.Exposure is null && body.Regions is null)
        {
            return Problems.Invalid("exposure", null, "exposure or regions, or both");
        }

        if (((body.Exposure is { } e ? ValidExposure(e) : null) ?? (body.Regions is { } r ? ValidRegions(r) : null)) is { } bad)
        {
            return bad;
        }

        var outcome = await EventLog.WriteAsync(db, time, async write =>
        {
            var release = await write.Db.Releases.SingleAsync(x => x.Id == id, cancellationToken);
            if (ETags.IsStale(release.Revision, expected))
            {
                return (Release: release, Stale: true);
            }

            var changes = new List<(string, JsonNode?, JsonNode?)>();
            if (body.Exposure is { } exposure && exposure != release.Exposure)
            {
                changes.Add(("exposure", release.Exposure, exposure));
                release.Exposure = exposure;
            }

            if (body.Regions is { } regions && string.Join(',', regions) is var joined && joined != release.Regions)
            {
                changes.Add(("regions", RegionsJson(release.Regions), RegionsJson(joined)));
                release.Regions = joined;
            }

            if (changes.Count > 0)
            {
                release.Revision++;
                write.Append("release.changed", "release", release.Id, History.Changed(Actor(caller), [.. changes]));
            }

            return (Release: release, Stale: false);
        }, cancellationToken);

        if (outcome.Stale)
        {
            return ETags.Stale(request.HttpContext.Response, "release", outcome.Release.Revision);
        }

        request.HttpContext.Response.Headers.ETag = ETags.Of(outcome.Release.Revision);
        return TypedResults.Ok(Dto(outcome.Release, model));
    }

    private static Task<IResult> HistoryAsync(Guid id, HttpRequest request, ClaimsPrincipal caller, RegistryDbContext db, Cursors cursors, CancellationToken cancellationToken) =>
        History.PageAsync(request, cursors, db, $"GET /api/v1/releases/{id:D}/history", "release", id,
            async () => await (await VisibleReleasesAsync(db, caller, cancellationToken)).AnyAsync(x => x.Release.Id == id, cancellationToken), cancellationToken);

    private static JsonObject Actor(ClaimsPrincipal caller) => caller.Actor();

    private static IResult? ValidText(string field, string? value) =>
        string.IsNullOrWhiteSpace(value) || value.Length > 200 || value.Any(char.IsControl)
            ? Problems.Invalid(field, value, "1 to 200 characters, no control characters")
            : null;

    private static IResult? ValidExposure(string? exposure) =>
        Exposures.Contains(exposure, StringComparer.Ordinal) ? null : Problems.Invalid("exposure", exposure, $"the JG DP value: one of {string.Join(", ", Exposures)}");

    private static IResult? ValidRegions(IReadOnlyList<string> regions)
    {
        for (var i = 0; i < regions.Count; i++)
        {
            if (!Countries.TryCheck(regions[i] ?? "", out var error))
            {
                return Problems.Invalid($"regions[{i}]", regions[i], $"an ISO 3166-1 alpha-2 code ({error})");
            }

            if (regions.Take(i).Contains(regions[i], StringComparer.Ordinal))
            {
                return Problems.Invalid($"regions[{i}]", regions[i], "each region once");
            }
        }

        return null;
    }

    private static JsonArray RegionsJson(string regions) =>
        new([.. Split(regions).Select(r => (JsonNode)JsonValue.Create(r))]);

    private static string[] Split(string regions) => regions.Length == 0 ? [] : regions.Split(',');

    private static ModelDto Dto(AiModel m) => new(m.Id, m.LabId, m.Name, EventEncoding.Time(m.CreatedAt), m.Revision);

    private static ReleaseDto Dto(Release r, AiModel m) =>
        new(r.Id, m.Id, m.LabId, m.Name, r.Version, r.Exposure, Split(r.Regions), EventEncoding.Time(r.CreatedAt), r.Revision);
}
