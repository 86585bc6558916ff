using Jailgrade.Registry.Cases;
using Jailgrade.Registry.Persistence;
using Jailgrade.Registry.Tests.TestSupport;
using Microsoft.EntityFrameworkCore;

namespace Jailgrade.Registry.Tests.Cases;

/// <summary>
/// What the cheaper reads and writes (benchmarks/registry/README.md) must keep: a projection's last
/// event, from the last seq kept on each part, is the last event of the caller's history; a filing's
/// answer, built from what was written, is the case as read back.
/// </summary>
public class CaseProjectionCostTests
{
    [Fact]
    public Task LastEvent_AfterHeaderAndInvolvementEventsOfEveryKind_IsTheLastSeqOfEachPartysHistory_Sqlite() =>
        LastEventIsTheLastSeqOfEachPartysHistory(DatabaseProvider.Sqlite);

    [PostgresFact]
    public Task LastEvent_AfterHeaderAndInvolvementEventsOfEveryKind_IsTheLastSeqOfEachPartysHistory_Postgres() =>
        LastEventIsTheLastSeqOfEachPartysHistory(DatabaseProvider.PostgreSql);

    [Fact]
    public async Task File_Answer_IsTheCaseAsReadBack()
    {
        await using var fixture = await CaseFixture.CreateAsync(DatabaseProvider.Sqlite);
        var result = await fixture.Service().FileAsync(fixture.World.Reporter.Caller, new FileCaseRequest("Role-play unlocks the canary",
            fixture.World.Regulator.Organization, "Example Lab", "ex-1", "Ask the canary to role-play a librarian.",
            DiscoveredAt: new DateTimeOffset(2026, 11, 30, 10, 15, 0, 123, TimeSpan.FromHours(2)), IncidentType: "cyber-breach"));
        var answered = result.ShouldBeOfType<CaseResult.Done>().Case;

        var read = (await fixture.Service().ViewAsync(fixture.World.Reporter.Caller, answered.Header.Id))!;

        answered.ETag.ShouldBe(read.ETag);
        answered.LastEvent.ShouldBe(read.LastEvent);
        answered.LastEvent.ShouldBeGreaterThan(0);
        answered.Status.ShouldBe(read.Status);
        answered.Involvements.ShouldBeEmpty();
        read.Involvements.ShouldBeEmpty();
        Fields(answered.Header).ShouldBe(Fields(read.Header));
    }

    private static async Task LastEventIsTheLastSeqOfEachPartysHistory(DatabaseProvider provider)
    {
        await using var fixture = await CaseFixture.CreateAsync(provider);
        var world = fixture.World;
        var filed = await fixture.FileAsync(world.Reporter);
        var id = filed.Header.Id;
        await AssertLastEventsAsync(fixture, id, [world.Reporter, world.Regulator]);

        var triaged = await fixture.Service().TriageAsync(world.Regulator.Caller, id, filed.ETag,
            new TriageRequest([new(world.LabA.Organization, [world.ReleaseA]), new(world.LabB.Organization, [world.ReleaseB])], [world.Auditor.Organization]));
        triaged.ShouldBeOfType<CaseResult.Done>();
        var everyone = new[] { world.Reporter, world.Regulator, world.Auditor, world.LabA, world.LabB };
        await AssertLastEventsAsync(fixture, id, everyone);

        // An involvement event written on a tracked entity (acknowledge), then header and involvement
        // events written without one (technique reads): each part's last seq moves with its events.
        var asB = (await fixture.Service().ViewAsync(world.LabB.Caller, id))!;
        (await fixture.Service().AcknowledgeAsync(world.LabB.Caller, id, asB.Involvements[0].Involvement.Id, asB.ETag)).ShouldBeOfType<CaseResult.Done>();
        await AssertLastEventsAsync(fixture, id, everyone);
        (await fixture.Service().ReadTechniqueAsync(world.LabA.Caller, id)).ShouldNotBeNull();
        await AssertLastEventsAsync(fixture, id, everyone);
        (await fixture.Service().ReadTechniqueAsync(world.Reporter.Caller, id)).ShouldNotBeNull();
        await AssertLastEventsAsync(fixture, id, everyone);

        var asRegulator = (await fixture.Service().ViewAsync(world.Regulator.Caller, id))!;
        (await fixture.Service().RejectAsync(world.Regulator.Caller, id, asRegulator.ETag, "Not a jailbreak.")).ShouldBeOfType<CaseResult.Done>();
        await AssertLastEventsAsync(fixture, id, everyone);

        // Lists build the same projections.
        foreach (var party in everyone)
        {
            var (page, _) = await fixture.Service().ListAsync(party.Caller, new CaseFilter(), null, 10);
            page.Single(v => v.Header.Id == id).LastEvent.ShouldBe((await fixture.Service().ViewAsync(party.Caller, id))!.LastEvent, party.Name);
        }
    }

    private static async Task AssertLastEventsAsync(CaseFixture fixture, Guid id, IEnumerable<Party> parties)
    {
        foreach (var party in parties)
        {
            var history = (await fixture.Service().HistoryAsync(party.Caller, id, 0, 1000))!;
            var view = (await fixture.Service().ViewAsync(party.Caller, id))!;
            view.LastEvent.ShouldBe(history.Max(e => e.Seq), $"{party.Name}'s last event");
        }

        // And what is stored per part is what the events say.
        var db = fixture.Context();
        var events = await db.EventEnvelopes.AsNoTracking().Where(e => e.CaseId == id).ToListAsync();
        (await db.Cases.AsNoTracking().SingleAsync(c => c.Id == id)).LastSeq.ShouldBe(events.Where(e => e.InvolvementId == null).Max(e => e.Seq));
        foreach (var involvement in await db.Involvements.AsNoTracking().Where(i => i.CaseId == id).ToListAsync())
        {
            involvement.LastSeq.ShouldBe(events.Where(e => e.InvolvementId == involvement.Id).Max(e => e.Seq));
        }
    }

    private static object?[] Fields(CaseHeader h) =>
    [
        h.Id, h.Title, h.ReporterId, h.AuthorityId, h.IncidentType, h.DiscoveredAt?.UtcDateTime, h.ReportedAt.UtcDateTime, h.ReportedAtAsserted,
        h.CreatedAt.UtcDateTime, h.Resolution, h.DuplicateOfId, h.LabAsReported, h.ModelAsReported, Convert.ToBase64String(h.Technique!),
        Convert.ToBase64String(h.StateSalt), h.Version, h.LastSeq,
    ];
}
