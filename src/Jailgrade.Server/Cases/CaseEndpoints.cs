using System.Globalization;
using System.Security.Claims;
using System.Text.Json.Nodes;
using Jailgrade.Registry.Access;
using Jailgrade.Registry.Cases;
using Jailgrade.Registry.Events;
using Jailgrade.Registry.Internal;
using Jailgrade.Registry.Secrets;
using Jailgrade.Server.Identity;
using Jailgrade.Server.Internal;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Jailgrade.Server.Cases;

/// <summary>
/// <c>/api/v1/cases</c> (the contract in docs/registry.md, "Cases API"): every answer is the caller's
/// projection of a case, from <see cref="CaseService"/>. An invisible case is the same 404 as a
/// missing one; writes need <c>If-Match</c> with the projection's ETag.
/// </summary>
internal static class CaseEndpoints
{
    public sealed record InvolvementDto(Guid Id, Guid Lab, string Status, IReadOnlyList<Guid> Releases, string? AcknowledgedAt, long Version);

    public sealed record CaseDto(Guid Id, string Title, string Status, Guid Reporter, Guid Authority, string? IncidentType, string? DiscoveredAt,
        string ReportedAt, IReadOnlyList<string> Asserted, string CreatedAt, string? Resolution, Guid? DuplicateOf, string LabAsReported,
        string ModelAsReported, IReadOnlyList<InvolvementDto> Involvements, long LastEvent);

    public sealed record HistoryObjectDto(string Kind, Guid Id);

    public sealed record HistoryEntryDto(long Seq, string Type, string Time, HistoryObjectDto Object, JsonNode? Body);

    public sealed record TechniqueDto(string Technique);

    public sealed record FileCaseBody(string Title, Guid Authority, string LabAsReported, string ModelAsReported, string Technique,
        DateTimeOffset? DiscoveredAt = null, DateTimeOffset? ReportedAt = null, string? IncidentType = null);

    public sealed record TriageInvolvementBody(Guid Lab, IReadOnlyList<Guid> Releases);

    public sealed record TriageBody(IReadOnlyList<TriageInvolvementBody> Involvements, IReadOnlyList<Guid> Auditors, string? IncidentType = null);

    public sealed record TransitionBody(string To);

    public sealed record RejectBody(string Reason);

    public sealed record DuplicateBody(Guid Of);

    public static IServiceCollection AddCases(this IServiceCollection services) =>
        services.AddSingleton<Cursors>().AddScoped<CaseService>();

    public static RouteGroupBuilder MapCases(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/cases").WithTags("Cases");
        group.MapPost("", FileAsync).WithName("FileCase").Accepts<FileCaseBody>("application/json").Produces<CaseDto>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapGet("", ListAsync).WithName("ListCases").Produces<PageDto<CaseDto>>();
        group.MapGet("/{id:guid}", GetAsync).WithName("GetCase").Produces<CaseDto>().ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{id:guid}/history", HistoryAsync).WithName("CaseHistory").Produces<PageDto<HistoryEntryDto>>().ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{id:guid}/technique", TechniqueAsync).WithName("ReadCaseTechnique").Produces<TechniqueDto>().ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{id:guid}/triage", TriageAsync).WithName("TriageCase").Accepts<TriageBody>("application/json").Produces<CaseDto>().CaseWrite();
        group.MapPost("/{id:guid}/involvements/{involvementId:guid}/acknowledge", AcknowledgeAsync).WithName("AcknowledgeInvolvement").Produces<CaseDto>().CaseWrite();
        group.MapPost("/{id:guid}/involvements/{involvementId:guid}/transition", TransitionAsync).WithName("TransitionInvolvement").Accepts<TransitionBody>("application/json").Produces<CaseDto>().CaseWrite();
        group.MapPost("/{id:guid}/reject", RejectAsync).WithName("RejectCase").Accepts<RejectBody>("application/json").Produces<CaseDto>().CaseWrite();
        group.MapPost("/{id:guid}/duplicate", DuplicateAsync).WithName("MarkCaseDuplicate").Accepts<DuplicateBody>("application/json").Produces<CaseDto>().CaseWrite();
        return group;
    }

    // The refusals every case write may answer, for the OpenAPI document.
    private static RouteHandlerBuilder CaseWrite(this RouteHandlerBuilder route) => route
        .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
        .ProducesProblem(StatusCodes.Status412PreconditionFailed).ProducesProblem(StatusCodes.Status422UnprocessableEntity).ProducesProblem(StatusCodes.Status428PreconditionRequired);

    /// <summary>Who is asking, from the signed-in principal only.</summary>
    internal static Caller Caller(this ClaimsPrincipal principal) => new(principal.UserId(), principal.OrganizationId(), principal.Role(), principal.Token());

    private static async Task<IResult> FileAsync(HttpRequest request, ClaimsPrincipal caller, CaseService cases, CancellationToken cancellationToken)
    {
        var (body, invalid) = await StrictJson.ReadAsync<FileCaseBody>(request, cancellationToken);
        if (invalid is not null)
        {
            return invalid;
        }

        var result = await cases.FileAsync(caller.Caller(), new FileCaseRequest(body!.Title, body.Authority, body.LabAsReported, body.ModelAsReported, body.Technique,
            body.DiscoveredAt, body.ReportedAt, body.IncidentType), cancellationToken);
        if (result is CaseResult.Done done)
        {
            request.HttpContext.Response.Headers.ETag = done.Case.ETag;
            return TypedResults.Created($"/api/v1/cases/{done.Case.Header.Id:D}", Dto(done.Case));
        }

        return Answer(result, request.HttpContext.Response);
    }

    private static async Task<IResult> GetAsync(Guid id, ClaimsPrincipal caller, CaseService cases, HttpResponse response, CancellationToken cancellationToken)
    {
        var view = await cases.ViewAsync(caller.Caller(), id, cancellationToken);
        return view is null ? Problems.NotFound("case", id) : Answer(new CaseResult.Done(view), response);
    }

    private static async Task<IResult> ListAsync(HttpRequest request, ClaimsPrincipal caller, CaseService cases, Cursors cursors, CancellationToken cancellationToken)
    {
        var list = ListQuery.Read(request, cursors, "GET /api/v1/cases", "status", "release", "lab", "changed_since", "changed_by");
        var filter = new CaseFilter(list.OneOf("status", CaseFilter.Statuses), list.Id("release"), list.Id("lab"), list.Time("changed_since"), list.Id("changed_by"));
        var after = list.After();
        if (list.Problem is { } bad)
        {
            return bad;
        }

        var (page, more) = await cases.ListAsync(caller.Caller(), filter, after, list.Limit, cancellationToken);
        return TypedResults.Ok(new PageDto<CaseDto>([.. page.Select(Dto)], more ? list.Next(page[^1].Header.CreatedAt, page[^1].Header.Id) : null));
    }

    private static async Task<IResult> HistoryAsync(Guid id, HttpRequest request, ClaimsPrincipal caller, CaseService cases, Cursors cursors, CancellationToken cancellationToken)
    {
        var list = ListQuery.Read(request, cursors, $"GET /api/v1/cases/{id:D}/history");
        var after = list.AfterSeq();
        if (list.Problem is { } bad)
        {
            return bad;
        }

        var entries = await cases.HistoryAsync(caller.Caller(), id, after, list.Limit + 1, cancellationToken);
        if (entries is null)
        {
            return Problems.NotFound("case", id);
        }

        var more = entries.Count > list.Limit;
        var page = more ? entries[..list.Limit] : entries;
        return TypedResults.Ok(new PageDto<HistoryEntryDto>(
            [.. page.Select(e => new HistoryEntryDto(e.Seq, e.Type, EventEncoding.Time(e.Time), new HistoryObjectDto(e.ObjectKind, e.ObjectId), e.Body))],
            more ? list.Next(page[^1].Seq) : null));
    }

    private static async Task<IResult> TechniqueAsync(Guid id, ClaimsPrincipal caller, CaseService cases, HttpResponse response, CancellationToken cancellationToken)
    {
        string? technique;
        try
        {
            // The read is an event committed inside this call, before any byte of the answer is written.
            technique = await cases.ReadTechniqueAsync(caller.Caller(), id, cancellationToken);
        }
        catch (CaseSecretException)
        {
            return TypedResults.Problem($"the technique of case {id:D} cannot be decrypted where it is stored; the operator must check the database",
                statusCode: StatusCodes.Status500InternalServerError, title: "Undecryptable field");
        }

        if (technique is null)
        {
            return Problems.NotFound("case", id);
        }

        response.Headers.CacheControl = "no-store";
        response.Headers.XContentTypeOptions = "nosniff";
        return TypedResults.Ok(new TechniqueDto(technique));
    }

    private static async Task<IResult> TriageAsync(Guid id, HttpRequest request, ClaimsPrincipal caller, CaseService cases, CancellationToken cancellationToken) =>
        await WriteAsync<TriageBody>(request, (body, ifMatch) => cases.TriageAsync(caller.Caller(), id, ifMatch,
            new TriageRequest([.. body.Involvements.Select(i => new TriageInvolvement(i.Lab, i.Releases))], body.Auditors, body.IncidentType), cancellationToken), cancellationToken);

    private static async Task<IResult> AcknowledgeAsync(Guid id, Guid involvementId, HttpRequest request, ClaimsPrincipal caller, CaseService cases, CancellationToken cancellationToken) =>
        Answer(await cases.AcknowledgeAsync(caller.Caller(), id, involvementId, IfMatch(request), cancellationToken), request.HttpContext.Response);

    private static async Task<IResult> TransitionAsync(Guid id, Guid involvementId, HttpRequest request, ClaimsPrincipal caller, CaseService cases, CancellationToken cancellationToken) =>
        await WriteAsync<TransitionBody>(request, (body, ifMatch) => cases.TransitionAsync(caller.Caller(), id, involvementId, ifMatch, body.To, cancellationToken), cancellationToken);

    private static async Task<IResult> RejectAsync(Guid id, HttpRequest request, ClaimsPrincipal caller, CaseService cases, CancellationToken cancellationToken) =>
        await WriteAsync<RejectBody>(request, (body, ifMatch) => cases.RejectAsync(caller.Caller(), id, ifMatch, body.Reason, cancellationToken), cancellationToken);

    private static async Task<IResult> DuplicateAsync(Guid id, HttpRequest request, ClaimsPrincipal caller, CaseService cases, CancellationToken cancellationToken) =>
        await WriteAsync<DuplicateBody>(request, (body, ifMatch) => cases.DuplicateAsync(caller.Caller(), id, ifMatch, body.Of, cancellationToken), cancellationToken);

    private static async Task<IResult> WriteAsync<TBody>(HttpRequest request, Func<TBody, string?, Task<CaseResult>> write, CancellationToken cancellationToken)
        where TBody : class
    {
        var (body, invalid) = await StrictJson.ReadAsync<TBody>(request, cancellationToken);
        return invalid ?? Answer(await write(body!, IfMatch(request)), request.HttpContext.Response);
    }

    private static string? IfMatch(HttpRequest request) => request.Headers.IfMatch.Count == 1 ? request.Headers.IfMatch[0] : null;

    private static IResult Answer(CaseResult result, HttpResponse response)
    {
        switch (result)
        {
            case CaseResult.Done done:
                response.Headers.ETag = done.Case.ETag;
                return TypedResults.Ok(Dto(done.Case));
            case CaseResult.NotFound missing:
                return Problems.NotFound(missing.Kind, missing.Id);
            case CaseResult.Forbidden forbidden:
                return Problems.Forbidden(forbidden.Why);
            case CaseResult.PreconditionRequired:
                return Problems.PreconditionRequired();
            case CaseResult.Stale stale:
                response.Headers.ETag = stale.Current.ETag;
                return TypedResults.Problem("the case changed since it was read (its ETag is now the one in this answer); read it again and retry",
                    statusCode: StatusCodes.Status412PreconditionFailed, title: "Stale version");
            case CaseResult.Illegal illegal:
                return TypedResults.Problem(illegal.Detail, statusCode: StatusCodes.Status409Conflict, title: "Illegal transition",
                    extensions: new Dictionary<string, object?> { ["field"] = "to", ["allowed"] = illegal.Allowed });
            case CaseResult.Invalid bad:
                return Problems.Invalid(bad.Field, bad.Value, bad.Expected);
            case CaseResult.Conflict conflict:
                return Problems.Conflict(conflict.Field, conflict.Detail);
            default:
                throw new InvalidOperationException($"unexpected case result {result.GetType().Name}");
        }
    }

    private static CaseDto Dto(CaseView view)
    {
        var h = view.Header;
        List<string> asserted = [.. h.DiscoveredAt is null ? Array.Empty<string>() : ["discoveredAt"], .. h.ReportedAtAsserted ? ["reportedAt"] : Array.Empty<string>()];
        return new CaseDto(h.Id, h.Title, view.Status, h.ReporterId, h.AuthorityId, h.IncidentType, h.DiscoveredAt is { } d ? EventEncoding.Time(d) : null,
            EventEncoding.Time(h.ReportedAt), asserted, EventEncoding.Time(h.CreatedAt), h.Resolution is { } r ? LowerCaseEnumNames<CaseResolution>.Name(r) : null,
            h.DuplicateOfId, h.LabAsReported, h.ModelAsReported,
            [.. view.Involvements.Select(i => new InvolvementDto(i.Involvement.Id, i.Involvement.LabId, Lifecycle.Name(i.Involvement.Status), i.Releases,
                i.Involvement.AcknowledgedAt is { } a ? EventEncoding.Time(a) : null, i.Involvement.Version))],
            view.LastEvent);
    }
}
