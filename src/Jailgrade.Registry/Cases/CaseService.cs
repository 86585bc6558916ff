using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Jailgrade.Registry.Access;
using Jailgrade.Registry.Events;
using Jailgrade.Registry.Identity;
using Jailgrade.Registry.Internal;
using Jailgrade.Registry.Organizations;
using Jailgrade.Registry.Secrets;
using Microsoft.EntityFrameworkCore;

namespace Jailgrade.Registry.Cases;

/// <summary>What a caller files: the header and the technique (sealed before it is stored).</summary>
public sealed record FileCaseRequest(string Title, Guid Authority, string LabAsReported, string ModelAsReported, string Technique,
    DateTimeOffset? DiscoveredAt = null, DateTimeOffset? ReportedAt = null, string? IncidentType = null);

/// <summary>One lab's part as triage links it.</summary>
public sealed record TriageInvolvement(Guid Lab, IReadOnlyList<Guid> Releases);

/// <summary>Triage: one involvement per lab, the auditors assigned, and optionally the incident type.</summary>
public sealed record TriageRequest(IReadOnlyList<TriageInvolvement> Involvements, IReadOnlyList<Guid> Auditors, string? IncidentType = null);

/// <summary>The filters of a case list; each applies to the caller's projection only.</summary>
public sealed record CaseFilter(string? Status = null, Guid? Release = null, Guid? Lab = null, DateTimeOffset? ChangedSince = null, Guid? ChangedBy = null)
{
    /// <summary>The values <see cref="Status"/> may take: the lifecycle's states and the two resolutions.</summary>
    public static IReadOnlyList<string> Statuses { get; } =
        [.. Lifecycle.DerivationOrder.Select(Lifecycle.Name), .. LowerCaseEnumNames<CaseResolution>.All];
}

/// <summary>A page of a case's history as the caller sees it.</summary>
public sealed record HistoryEntry(long Seq, string Type, DateTimeOffset Time, string ObjectKind, Guid ObjectId, JsonNode? Body);

/// <summary>
/// Cases, without HTTP: filing, triage, acknowledgement, transitions, rejection, duplicates, reads and
/// the technique. Every read starts from <see cref="Visibility"/>; every change is an event written in
/// the same transaction (<see cref="EventLog.WriteAsync"/>), attributed to the caller, with the changed
/// fields and the new state digest of the part it touched. An ETag is compared inside the write lock.
/// </summary>
public sealed class CaseService(RegistryDbContext db, TimeProvider time, MasterKey master)
{
    public const int MaxTitle = 200;
    public const int MaxTechnique = 32_000;

    /// <summary>Files a case; the caller's organization is the reporter.</summary>
    public async Task<CaseResult> FileAsync(Caller caller, FileCaseRequest request, CancellationToken cancellationToken = default)
    {
        if (caller.Role is Role.Admin or Role.Public)
        {
            return new CaseResult.Forbidden($"a {LowerCaseEnumNames<Role>.Name(caller.Role)} files no case; reporters, labs, auditors and regulators do");
        }

        if ((Text("title", request.Title, MaxTitle) ?? Text("labAsReported", request.LabAsReported, MaxTitle) ?? Text("modelAsReported", request.ModelAsReported, MaxTitle)
            ?? Technique(request.Technique) ?? IncidentType(request.IncidentType)) is { } invalid)
        {
            return invalid;
        }

        if (request.DiscoveredAt is { } discovered && request.ReportedAt is { } reported && discovered > reported)
        {
            return new CaseResult.Invalid("discoveredAt", EventEncoding.Time(discovered), $"a time no later than reportedAt ({EventEncoding.Time(reported)})");
        }

        if (!await db.Organizations.AnyAsync(o => o.Id == request.Authority && o.Kind == OrganizationKind.Authority, cancellationToken))
        {
            return new CaseResult.Invalid("authority", request.Authority.ToString("D"), "the id of an organization of kind authority");
        }

        var id = Guid.NewGuid();
        var filed = await EventLog.WriteAsync(db, time, write =>
        {
            var (key, dataKey) = CaseSecrets.NewKey(master, id, 1, write.Now);
            var header = new CaseHeader
            {
                Id = id,
                Title = request.Title,
                ReporterId = caller.OrganizationId,
                AuthorityId = request.Authority,
                IncidentType = request.IncidentType,
                DiscoveredAt = request.DiscoveredAt is { } d ? EventEncoding.Truncate(d) : null,
                ReportedAt = request.ReportedAt is { } r ? EventEncoding.Truncate(r) : write.Now,
                ReportedAtAsserted = request.ReportedAt is not null,
                CreatedAt = write.Now,
                LabAsReported = request.LabAsReported,
                ModelAsReported = request.ModelAsReported,
                Technique = CaseSecrets.Seal(dataKey, key.KeyVersion, FieldAddress.Technique(id), request.Technique),
                StateSalt = RandomNumberGenerator.GetBytes(32),
                Version = 1,
            };
            write.Db.Cases.Add(header);
            write.Db.CaseKeys.Add(key);
            JsonArray changes =
            [
                Change("title", null, header.Title),
                Change("reporter", null, EventEncoding.Id(header.ReporterId)),
                Change("authority", null, EventEncoding.Id(header.AuthorityId)),
                Change("labAsReported", null, header.LabAsReported),
                Change("modelAsReported", null, header.ModelAsReported),
                Change("discoveredAt", null, header.DiscoveredAt is { } dd ? EventEncoding.Time(dd) : null, asserted: true),
                Change("reportedAt", null, EventEncoding.Time(header.ReportedAt), asserted: header.ReportedAtAsserted),
                // Never the text: only that it was set (the state digest binds its ciphertext).
                new JsonObject { ["field"] = "technique", ["set"] = true },
            ];
            if (header.IncidentType is not null)
            {
                changes.Insert(5, Change("incidentType", null, header.IncidentType));
            }

            Record(write, caller, "case.created", header, null, changes, HeaderState(header, []));
            return Task.FromResult(header);
        }, cancellationToken);

        // The filer's projection is the header just written, whole (the reporter sees its own cases) and
        // with no involvement yet: built from what was saved instead of read back.
        return new CaseResult.Done(new CaseView(filed, [], filed.LastSeq));
    }

    /// <summary>The caller's projection of a case, or null when it is missing or invisible to the caller.</summary>
    public async Task<CaseView?> ViewAsync(Caller caller, Guid id, CancellationToken cancellationToken = default)
    {
        var visibility = await Visibility.ForAsync(db, caller, cancellationToken);
        return (await ViewsAsync(visibility, visibility.Cases(cases => cases.Where(c => c.Id == id)), cancellationToken)).SingleOrDefault();
    }

    /// <summary>Triage by a regulator of the case's authority: one involvement per lab with its releases, auditors assigned.</summary>
    public Task<CaseResult> TriageAsync(Caller caller, Guid id, string? ifMatch, TriageRequest request, CancellationToken cancellationToken = default) =>
        WriteAsync(caller, id, ifMatch, cancellationToken: cancellationToken,
            authorize: view => RegulatorOf(caller, view.Header) ? null : "only a regulator of the authority the case was filed with triages it",
            validate: () => ValidateTriageAsync(request, cancellationToken),
            apply: async (write, view) =>
            {
                if (Resolved(view) is { } resolved)
                {
                    return resolved;
                }

                if (await write.Db.Involvements.AnyAsync(i => i.CaseId == id, cancellationToken))
                {
                    return new CaseResult.Conflict("involvements", $"case {id:D} is triaged already");
                }

                var header = await write.Db.Cases.SingleAsync(c => c.Id == id, cancellationToken);
                var auditors = request.Auditors.Distinct().Order().ToList();
                JsonArray changes = [Change("auditors", new JsonArray(), new JsonArray([.. auditors.Select(a => (JsonNode)EventEncoding.Id(a))]))];
                if (request.IncidentType is not null && request.IncidentType != header.IncidentType)
                {
                    changes.Add(Change("incidentType", header.IncidentType, request.IncidentType));
                    header.IncidentType = request.IncidentType;
                }

                header.Version++;
                write.Db.CaseAuditors.AddRange(auditors.Select(a => new CaseAuditor { CaseId = id, AuditorId = a, CaseCreatedAt = header.CreatedAt }));
                Record(write, caller, "case.triaged", header, null, changes, HeaderState(header, auditors));
                foreach (var part in request.Involvements)
                {
                    var involvement = new Involvement
                    {
                        Id = Guid.NewGuid(),
                        CaseId = id,
                        LabId = part.Lab,
                        Status = InvolvementStatus.Triaged,
                        CreatedAt = write.Now,
                        CaseCreatedAt = header.CreatedAt,
                        StateSalt = RandomNumberGenerator.GetBytes(32),
                        Version = 1,
                    };
                    var releases = part.Releases.Distinct().Order().ToList();
                    write.Db.Involvements.Add(involvement);
                    write.Db.InvolvementReleases.AddRange(releases.Select(r => new InvolvementRelease { InvolvementId = involvement.Id, ReleaseId = r }));
                    Record(write, caller, "involvement.created", header, involvement,
                        [
                            Change("lab", null, EventEncoding.Id(part.Lab)),
                            Change("releases", null, new JsonArray([.. releases.Select(r => (JsonNode)EventEncoding.Id(r))])),
                            Change("status", null, Lifecycle.Name(InvolvementStatus.Triaged)),
                        ],
                        InvolvementState(involvement, releases));
                }

                return null;
            });

    /// <summary>A user of the involvement's lab acknowledges the case (the event is that user's).</summary>
    public Task<CaseResult> AcknowledgeAsync(Caller caller, Guid id, Guid involvementId, string? ifMatch, CancellationToken cancellationToken = default) =>
        WriteAsync(caller, id, ifMatch, cancellationToken: cancellationToken,
            involvementId: involvementId,
            authorize: view => caller.Role == Role.Lab && view.Involvements.Any(i => i.Involvement.Id == involvementId && i.Involvement.LabId == caller.OrganizationId)
                ? null
                : "only a user of the involvement's own lab acknowledges it",
            validate: null,
            apply: async (write, view) =>
            {
                var involvement = await write.Db.Involvements.SingleAsync(i => i.Id == involvementId, cancellationToken);
                if (involvement.AcknowledgedAt is { } at)
                {
                    return new CaseResult.Conflict("acknowledgedAt", $"involvement {involvementId:D} was acknowledged at {EventEncoding.Time(at)}");
                }

                involvement.AcknowledgedAt = write.Now;
                involvement.Version++;
                await RecordInvolvementAsync(write, caller, view.Header, involvement, [Change("acknowledgedAt", null, EventEncoding.Time(write.Now))], "involvement.acknowledged", cancellationToken);
                return null;
            });

    /// <summary>Moves an involvement along its lifecycle; refuses an illegal transition naming the allowed ones.</summary>
    public Task<CaseResult> TransitionAsync(Caller caller, Guid id, Guid involvementId, string? ifMatch, string to, CancellationToken cancellationToken = default) =>
        WriteAsync(caller, id, ifMatch, cancellationToken: cancellationToken,
            involvementId: involvementId,
            authorize: null,
            validate: () => Task.FromResult<CaseResult?>(LowerCaseEnumNames<InvolvementStatus>.TryParse(to ?? "", out _)
                ? null
                : new CaseResult.Invalid("to", to, $"one of {string.Join(", ", LowerCaseEnumNames<InvolvementStatus>.All)}")),
            apply: async (write, view) =>
            {
                var target = LowerCaseEnumNames<InvolvementStatus>.Parse(to);
                var involvement = await write.Db.Involvements.SingleAsync(i => i.Id == involvementId, cancellationToken);
                if (view.Header.Resolution is { } resolution)
                {
                    return new CaseResult.Illegal($"case {id:D} is {LowerCaseEnumNames<CaseResolution>.Name(resolution)}: no transition is allowed", []);
                }

                var allowed = Lifecycle.AllowedFrom(involvement.Status).Select(Lifecycle.Name).ToList();
                if (Lifecycle.Party(involvement.Status, target) is not { } party)
                {
                    return new CaseResult.Illegal(
                        $"{Lifecycle.Name(involvement.Status)} → {to} is not a transition; from {Lifecycle.Name(involvement.Status)} allowed: {(allowed.Count == 0 ? "none" : string.Join(", ", allowed))}",
                        allowed);
                }

                if (!await MayAsync(write.Db, caller, view.Header, involvement, party, cancellationToken))
                {
                    return new CaseResult.Forbidden($"{Lifecycle.Name(involvement.Status)} → {to} is made by {PartyName(party)}");
                }

                var from = involvement.Status;
                involvement.Status = target;
                involvement.Version++;
                await RecordInvolvementAsync(write, caller, view.Header, involvement, [Change("status", Lifecycle.Name(from), to)], "involvement.transitioned", cancellationToken);
                return null;
            });

    /// <summary>A regulator of the case's authority rejects the whole case.</summary>
    public Task<CaseResult> RejectAsync(Caller caller, Guid id, string? ifMatch, string reason, CancellationToken cancellationToken = default) =>
        WriteAsync(caller, id, ifMatch, cancellationToken: cancellationToken,
            authorize: view => RegulatorOf(caller, view.Header) ? null : "only a regulator of the authority the case was filed with rejects it",
            validate: () => Task.FromResult<CaseResult?>(Text("reason", reason, 2000)),
            apply: (write, view) => ResolveAsync(write, caller, view, CaseResolution.Rejected, null, Change("reason", null, reason), cancellationToken));

    /// <summary>A regulator of the case's authority marks it a duplicate of another case it can see.</summary>
    public Task<CaseResult> DuplicateAsync(Caller caller, Guid id, string? ifMatch, Guid of, CancellationToken cancellationToken = default) =>
        WriteAsync(caller, id, ifMatch, cancellationToken: cancellationToken,
            authorize: view => RegulatorOf(caller, view.Header) ? null : "only a regulator of the authority the case was filed with marks it a duplicate",
            validate: async () =>
            {
                var visibility = await Visibility.ForAsync(db, caller, cancellationToken);
                return of != id && await visibility.Cases().AnyAsync(c => c.Id == of, cancellationToken)
                    ? null
                    : new CaseResult.Invalid("of", of.ToString("D"), "the id of another case you can see");
            },
            apply: (write, view) => ResolveAsync(write, caller, view, CaseResolution.Duplicate, of, null, cancellationToken));

    /// <summary>
    /// The technique detail, for anyone who sees the case (reporter, regulators in scope, assigned
    /// auditors, involved labs). The read is an event committed before this returns; null when the
    /// case is missing or invisible.
    /// </summary>
    /// <exception cref="CaseSecretException">The stored text does not decrypt where it is (moved or altered).</exception>
    public async Task<string?> ReadTechniqueAsync(Caller caller, Guid id, CancellationToken cancellationToken = default)
    {
        return await EventLog.WriteAsync(db, time, async write =>
        {
            var visibility = await Visibility.ForAsync(write.Db, caller, cancellationToken);
            var header = await visibility.Cases().AsNoTracking().SingleOrDefaultAsync(c => c.Id == id, cancellationToken);
            if (header?.Technique is not { } sealedText)
            {
                return null;
            }

            var version = CaseSecrets.KeyVersionOf(sealedText);
            var key = await write.Db.CaseKeys.AsNoTracking().SingleOrDefaultAsync(k => k.CaseId == id && k.KeyVersion == version, cancellationToken)
                ?? throw new CaseSecretException($"case {id:D} has no data key version {version}");
            var text = CaseSecrets.Open(CaseSecrets.Unwrap(master, key), FieldAddress.Technique(id), sealedText);

            // A lab that sees only its own part reads against that part, so other labs do not learn of it.
            Guid? own = null;
            if (caller.Role == Role.Lab && !await visibility.FullCases().AnyAsync(c => c.Id == id, cancellationToken))
            {
                own = await write.Db.Involvements.Where(i => i.CaseId == id && i.LabId == caller.OrganizationId).Select(i => (Guid?)i.Id).SingleAsync(cancellationToken);
            }

            var envelope = write.Append("case.technique_read", own is null ? "case" : "involvement", own ?? id,
                new JsonObject { ["actor"] = EventBodies.User(caller), ["changes"] = new JsonArray() }, id, own);
            write.Db.CaseEventActors.Add(new CaseEventActor { Seq = envelope.Seq, OrganizationId = caller.OrganizationId });
            return text;
        }, cancellationToken);
    }

    /// <summary>
    /// A page of the cases the caller sees, ordered by (created, id) after the given position (keyset
    /// pagination: cases filed meanwhile neither shift nor repeat a page). Every filter is applied to
    /// the caller's projection, in SQL.
    /// </summary>
    public async Task<(List<CaseView> Page, bool More)> ListAsync(Caller caller, CaseFilter filter, (DateTimeOffset CreatedAt, Guid Id)? after, int limit, CancellationToken cancellationToken = default)
    {
        var visibility = await Visibility.ForAsync(db, caller, cancellationToken);
        var involvements = visibility.Involvements();

        // The filters apply to each branch of the visible cases, each branch stopping at a page in its own
        // index's order (Visibility.CasePage).
        IQueryable<CaseHeader> Filtered(IQueryable<CaseHeader> cases)
        {
            if (filter.Lab is { } lab)
            {
                cases = cases.Where(c => involvements.Any(i => i.CaseId == c.Id && i.LabId == lab));
            }

            if (filter.Release is { } release)
            {
                var links = db.InvolvementReleases;
                cases = cases.Where(c => involvements.Any(i => i.CaseId == c.Id && links.Any(l => l.InvolvementId == i.Id && l.ReleaseId == release)));
            }

            if (filter.ChangedSince is not null || filter.ChangedBy is not null)
            {
                // "What did party X change since T": one visible event that is both.
                var events = visibility.Events();
                if (filter.ChangedSince is { } since)
                {
                    events = events.Where(e => e.OccurredAt >= since);
                }

                if (filter.ChangedBy is { } by)
                {
                    var actors = db.CaseEventActors;
                    events = events.Where(e => actors.Any(a => a.Seq == e.Seq && a.OrganizationId == by));
                }

                cases = cases.Where(c => events.Any(e => e.CaseId == c.Id));
            }

            if (filter.Status is { } status)
            {
                cases = WithStatus(cases, involvements, status);
            }

            return cases;
        }

        var page = await ViewsAsync(visibility, visibility.CasePage(Filtered, after, limit + 1), cancellationToken);
        return page.Count > limit ? (page[..limit], true) : (page, false);
    }

    // The derived status (Lifecycle.Derive) in SQL: no visible involvement less advanced, and one at it.
    private static IQueryable<CaseHeader> WithStatus(IQueryable<CaseHeader> cases, IQueryable<Involvement> involvements, string status)
    {
        if (LowerCaseEnumNames<CaseResolution>.TryParse(status, out var resolution))
        {
            return cases.Where(c => c.Resolution == resolution);
        }

        var target = LowerCaseEnumNames<InvolvementStatus>.Parse(status);
        cases = cases.Where(c => c.Resolution == null);
        foreach (var lower in Lifecycle.DerivationOrder.Take(Lifecycle.Rank(target)))
        {
            cases = cases.Where(c => !involvements.Any(i => i.CaseId == c.Id && i.Status == lower));
        }

        return target == InvolvementStatus.Reported
            ? cases.Where(c => !involvements.Any(i => i.CaseId == c.Id && i.Status != InvolvementStatus.Reported))
            : cases.Where(c => involvements.Any(i => i.CaseId == c.Id && i.Status == target));
    }

    /// <summary>A case's events in the caller's projection, after <paramref name="afterSeq"/>; null when the case is invisible.</summary>
    public async Task<List<HistoryEntry>?> HistoryAsync(Caller caller, Guid id, long afterSeq, int limit, CancellationToken cancellationToken = default)
    {
        var visibility = await Visibility.ForAsync(db, caller, cancellationToken);
        if (!await visibility.Cases().AnyAsync(c => c.Id == id, cancellationToken))
        {
            return null;
        }

        var rows = await (from e in visibility.Events().AsNoTracking()
                          join b in db.EventBodies.AsNoTracking() on e.Seq equals b.Seq
                          where e.CaseId == id && e.Seq > afterSeq
                          orderby e.Seq
                          select new { e.Seq, e.Type, e.OccurredAt, e.ObjectKind, e.ObjectId, b.Canonical }).Take(limit).ToListAsync(cancellationToken);
        return [.. rows.Select(r => new HistoryEntry(r.Seq, r.Type, r.OccurredAt, r.ObjectKind, r.ObjectId,
            r.Canonical is null ? null : JsonNode.Parse(r.Canonical)!["body"]?.DeepClone()))];
    }

    /// <summary>
    /// The projections of some visible cases, each with its visible involvements, their releases and its
    /// last visible event: two queries, the headers, then the visible involvements with their releases.
    /// The last visible event is the greatest of the header's own and each visible involvement's last
    /// event (kept on each part by <see cref="EventLog"/>), so no event is read.
    /// </summary>
    public async Task<List<CaseView>> ViewsAsync(Visibility visibility, IQueryable<CaseHeader> cases, CancellationToken cancellationToken = default)
    {
        var headers = await cases.AsNoTracking().ToListAsync(cancellationToken);
        if (headers.Count == 0)
        {
            return [];
        }

        var ids = headers.Select(h => h.Id).ToList();
        var links = db.InvolvementReleases;
        var rows = await (from i in visibility.Involvements().AsNoTracking()
                          where ids.Contains(i.CaseId)
                          from l in links.Where(l => l.InvolvementId == i.Id).DefaultIfEmpty()
                          select new { Involvement = i, Release = l == null ? (Guid?)null : l.ReleaseId }).ToListAsync(cancellationToken);
        var parts = rows.GroupBy(r => r.Involvement.Id)
            .Select(g => new InvolvementView(g.First().Involvement, [.. g.Where(r => r.Release is not null).Select(r => r.Release!.Value).Order()]))
            .ToLookup(p => p.Involvement.CaseId);
        return [.. headers.Select(h =>
        {
            List<InvolvementView> mine = [.. parts[h.Id].OrderBy(i => i.Involvement.CreatedAt).ThenBy(i => i.Involvement.LabId)];
            return new CaseView(h, mine, mine.Select(i => i.Involvement.LastSeq).Append(h.LastSeq).Max());
        })];
    }

    private async Task<CaseResult> WriteAsync(Caller caller, Guid id, string? ifMatch,
        Func<CaseView, string?>? authorize, Func<Task<CaseResult?>>? validate, Func<RegistryWrite, CaseView, Task<CaseResult?>> apply, Guid? involvementId = null, CancellationToken cancellationToken = default)
    {
        // One projection, read inside the write lock, answers every check in order and is the one the
        // change replaces: nothing can move between what was authorized and what is compared.
        var refused = await EventLog.WriteAsync(db, time, async write =>
        {
            var view = await ViewAsync(caller, id, cancellationToken);
            if (view is null)
            {
                return new CaseResult.NotFound("case", id);
            }

            // A nested id is checked against its parent: another case's involvement is missing here.
            if (involvementId is { } nested && view.Involvements.All(i => i.Involvement.Id != nested))
            {
                return new CaseResult.NotFound("involvement", nested);
            }

            if (authorize?.Invoke(view) is { } why)
            {
                return new CaseResult.Forbidden(why);
            }

            if (ifMatch is null)
            {
                return new CaseResult.PreconditionRequired();
            }

            if (validate is not null && await validate() is { } invalid)
            {
                return invalid;
            }

            return view.ETag != ifMatch ? new CaseResult.Stale(view) : await apply(write, view);
        }, cancellationToken);
        return refused ?? new CaseResult.Done((await ViewAsync(caller, id, cancellationToken))!);
    }

    private async Task<CaseResult?> ValidateTriageAsync(TriageRequest request, CancellationToken cancellationToken)
    {
        if (request.Involvements.Count == 0)
        {
            return new CaseResult.Invalid("involvements", "[]", "at least one {\"lab\", \"releases\"}");
        }

        if (IncidentType(request.IncidentType) is { } badIncident)
        {
            return badIncident;
        }

        var labs = request.Involvements.Select(i => i.Lab).ToList();
        if (labs.Distinct().Count() != labs.Count)
        {
            return new CaseResult.Invalid("involvements", "a lab twice", "one involvement per lab");
        }

        var knownLabs = await db.Organizations.Where(o => labs.Contains(o.Id) && o.Kind == OrganizationKind.Lab).Select(o => o.Id).ToListAsync(cancellationToken);
        for (var n = 0; n < request.Involvements.Count; n++)
        {
            var part = request.Involvements[n];
            if (!knownLabs.Contains(part.Lab))
            {
                return new CaseResult.Invalid($"involvements[{n}].lab", part.Lab.ToString("D"), "the id of an organization of kind lab");
            }

            if (part.Releases.Count == 0)
            {
                return new CaseResult.Invalid($"involvements[{n}].releases", "[]", "at least one release of the lab");
            }

            var releases = part.Releases.ToList();
            var owned = await (from r in db.Releases
                               join m in db.Models on r.ModelId equals m.Id
                               where releases.Contains(r.Id) && m.LabId == part.Lab
                               select r.Id).ToListAsync(cancellationToken);
            if (releases.FirstOrDefault(r => !owned.Contains(r)) is var foreign && foreign != Guid.Empty)
            {
                return new CaseResult.Invalid($"involvements[{n}].releases", foreign.ToString("D"), "the id of a release of a model of that lab");
            }
        }

        var auditors = request.Auditors.ToList();
        var knownAuditors = await db.Organizations.Where(o => auditors.Contains(o.Id) && o.Kind == OrganizationKind.Auditor).Select(o => o.Id).ToListAsync(cancellationToken);
        if (auditors.FirstOrDefault(a => !knownAuditors.Contains(a)) is var unknown && unknown != Guid.Empty)
        {
            return new CaseResult.Invalid("auditors", unknown.ToString("D"), "ids of organizations of kind auditor");
        }

        return null;
    }

    private static async Task<CaseResult?> ResolveAsync(RegistryWrite write, Caller caller, CaseView view, CaseResolution resolution, Guid? duplicateOf, JsonObject? extra, CancellationToken cancellationToken)
    {
        if (Resolved(view) is { } resolved)
        {
            return resolved;
        }

        var header = await write.Db.Cases.SingleAsync(c => c.Id == view.Header.Id, cancellationToken);
        header.Resolution = resolution;
        header.DuplicateOfId = duplicateOf;
        header.Version++;
        JsonArray changes = [Change("resolution", null, LowerCaseEnumNames<CaseResolution>.Name(resolution))];
        if (duplicateOf is { } of)
        {
            changes.Add(Change("duplicateOf", null, EventEncoding.Id(of)));
        }

        if (extra is not null)
        {
            changes.Add(extra);
        }

        var auditors = await write.Db.CaseAuditors.Where(a => a.CaseId == header.Id).Select(a => a.AuditorId).ToListAsync(cancellationToken);
        Record(write, caller, resolution == CaseResolution.Rejected ? "case.rejected" : "case.duplicate", header, null, changes, HeaderState(header, auditors));
        return null;
    }

    private static CaseResult.Conflict? Resolved(CaseView view) =>
        view.Header.Resolution is { } r ? new CaseResult.Conflict("resolution", $"case {view.Header.Id:D} is {LowerCaseEnumNames<CaseResolution>.Name(r)} already") : null;

    private static bool RegulatorOf(Caller caller, CaseHeader header) => caller.Role == Role.Regulator && caller.OrganizationId == header.AuthorityId;

    private static async Task<bool> MayAsync(RegistryDbContext db, Caller caller, CaseHeader header, Involvement involvement, TransitionParty party, CancellationToken cancellationToken) => party switch
    {
        TransitionParty.Lab => caller.Role == Role.Lab && caller.OrganizationId == involvement.LabId,
        TransitionParty.Regulator => RegulatorOf(caller, header),
        _ => RegulatorOf(caller, header)
            || (caller.Role == Role.Auditor && await db.CaseAuditors.AnyAsync(a => a.CaseId == header.Id && a.AuditorId == caller.OrganizationId, cancellationToken)),
    };

    private static string PartyName(TransitionParty party) => party switch
    {
        TransitionParty.Lab => "the involvement's lab",
        TransitionParty.Regulator => "a regulator of the case's authority",
        _ => "a regulator of the case's authority or an assigned auditor",
    };

    private static async Task RecordInvolvementAsync(RegistryWrite write, Caller caller, CaseHeader header, Involvement involvement, JsonArray changes, string type, CancellationToken cancellationToken)
    {
        var releases = await write.Db.InvolvementReleases.Where(l => l.InvolvementId == involvement.Id).Select(l => l.ReleaseId).ToListAsync(cancellationToken);
        Record(write, caller, type, header, involvement, changes, InvolvementState(involvement, releases));
    }

    private static void Record(RegistryWrite write, Caller caller, string type, CaseHeader header, Involvement? involvement, JsonArray changes, JsonObject state)
    {
        var body = new JsonObject
        {
            ["actor"] = EventBodies.User(caller),
            ["changes"] = changes,
            ["state"] = state,
        };
        var envelope = involvement is null
            ? write.Append(type, "case", header.Id, body, header.Id)
            : write.Append(type, "involvement", involvement.Id, body, header.Id, involvement.Id);
        write.Db.CaseEventActors.Add(new CaseEventActor { Seq = envelope.Seq, OrganizationId = caller.OrganizationId });
    }

    private static JsonObject HeaderState(CaseHeader header, IEnumerable<Guid> auditors) =>
        new() { ["part"] = "header", ["digest"] = CaseStates.Digest(header.StateSalt, CaseStates.Header(header, auditors)) };

    private static JsonObject InvolvementState(Involvement involvement, IEnumerable<Guid> releases) =>
        new() { ["part"] = "involvement", ["id"] = EventEncoding.Id(involvement.Id), ["digest"] = CaseStates.Digest(involvement.StateSalt, CaseStates.Involvement(involvement, releases)) };

    private static JsonObject Change(string field, JsonNode? from, JsonNode? to, bool asserted = false)
    {
        var change = new JsonObject { ["field"] = field, ["from"] = from, ["to"] = to };
        if (asserted)
        {
            change["asserted"] = true;
        }

        return change;
    }

    private static CaseResult.Invalid? Text(string field, string? value, int max) =>
        string.IsNullOrWhiteSpace(value) || value.Length > max || value.Any(c => char.IsControl(c) && c is not ('\n' or '\t'))
            ? new CaseResult.Invalid(field, value, $"1 to {max} characters, no control characters")
            : null;

    private static CaseResult.Invalid? Technique(string? value) =>
        string.IsNullOrWhiteSpace(value) || value.Length > MaxTechnique
            ? new CaseResult.Invalid("technique", null, $"the technique as text, 1 to {MaxTechnique} characters")
            : null;

    private static CaseResult.Invalid? IncidentType(string? value) =>
        value is null || (value.Length is >= 1 and <= 40 && value.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-') && char.IsAsciiLetterLower(value[0]))
            ? null
            : new CaseResult.Invalid("incidentType", value, "a lower-case word such as death or cyber-breach (letters, digits, '-'; at most 40)");
}
