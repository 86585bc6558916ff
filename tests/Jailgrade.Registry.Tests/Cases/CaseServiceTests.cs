using System.Text.Json.Nodes;
using Jailgrade.Registry.Access;
using Jailgrade.Registry.Cases;
using Jailgrade.Registry.Persistence;
using Jailgrade.Registry.Secrets;
using Jailgrade.Registry.Tests.TestSupport;
using Microsoft.EntityFrameworkCore;

namespace Jailgrade.Registry.Tests.Cases;

/// <summary>The case service directly (no HTTP), on SQLite and on PostgreSQL.</summary>
public class CaseServiceTests
{
    [Fact]
    public Task Lab_OfATwoLabCase_SeesItsOwnInvolvementOnly_Sqlite() => LabSeesItsOwnInvolvementOnly(DatabaseProvider.Sqlite);

    [PostgresFact]
    public Task Lab_OfATwoLabCase_SeesItsOwnInvolvementOnly_Postgres() => LabSeesItsOwnInvolvementOnly(DatabaseProvider.PostgreSql);

    [Fact]
    public Task Reporter_SeesOnlyItsOwnCases_Sqlite() => ReporterSeesOnlyItsOwnCases(DatabaseProvider.Sqlite);

    [PostgresFact]
    public Task Reporter_SeesOnlyItsOwnCases_Postgres() => ReporterSeesOnlyItsOwnCases(DatabaseProvider.PostgreSql);

    [Fact]
    public Task Regulator_SeesByScope_AllOrganizationJurisdiction_Sqlite() => RegulatorSeesByScope(DatabaseProvider.Sqlite);

    [PostgresFact]
    public Task Regulator_SeesByScope_AllOrganizationJurisdiction_Postgres() => RegulatorSeesByScope(DatabaseProvider.PostgreSql);

    [Fact]
    public async Task Transition_Illegal_IsRefusedNamingTheAllowedOnes()
    {
        await using var fixture = await CaseFixture.CreateAsync(DatabaseProvider.Sqlite);
        var view = await fixture.TwoLabCaseAsync();
        var own = await OwnViewAsync(fixture, fixture.World.LabA);

        var result = await fixture.Service().TransitionAsync(fixture.World.LabA.Caller, view.Header.Id, own.Involvements[0].Involvement.Id, own.ETag, "closed");

        var illegal = result.ShouldBeOfType<CaseResult.Illegal>();
        illegal.Allowed.ShouldBe(["mitigating"]);
        illegal.Detail.ShouldBe("triaged → closed is not a transition; from triaged allowed: mitigating");
    }

    [Theory]
    [InlineData("assessed")]
    [InlineData("decided")]
    [InlineData("triaged")]
    public async Task Transition_IntoAStateOnlyAnOperationEnters_IsIllegal(string to)
    {
        await using var fixture = await CaseFixture.CreateAsync(DatabaseProvider.Sqlite);
        var view = await fixture.TwoLabCaseAsync();
        var own = await OwnViewAsync(fixture, fixture.World.LabA);

        var result = await fixture.Service().TransitionAsync(fixture.World.LabA.Caller, view.Header.Id, own.Involvements[0].Involvement.Id, own.ETag, to);

        result.ShouldBeOfType<CaseResult.Illegal>();
    }

    [Fact]
    public async Task Transition_LegalButByTheWrongParty_IsForbiddenAndTheRightOneMovesIt()
    {
        await using var fixture = await CaseFixture.CreateAsync(DatabaseProvider.Sqlite);
        var view = await fixture.TwoLabCaseAsync();
        var involvement = view.Involvements.Single(i => i.Involvement.LabId == fixture.World.LabA.Organization).Involvement.Id;

        var byRegulator = await fixture.Service().TransitionAsync(fixture.World.Regulator.Caller, view.Header.Id, involvement, view.ETag, "mitigating");
        var own = await OwnViewAsync(fixture, fixture.World.LabA);
        var byLab = await fixture.Service().TransitionAsync(fixture.World.LabA.Caller, view.Header.Id, involvement, own.ETag, "mitigating");

        byRegulator.ShouldBeOfType<CaseResult.Forbidden>().Why.ShouldBe("triaged → mitigating is made by the involvement's lab");
        var moved = byLab.ShouldBeOfType<CaseResult.Done>().Case;
        moved.Status.ShouldBe("mitigating");
        moved.Involvements.Single().Involvement.Version.ShouldBe(2);
    }

    [Fact]
    public async Task Transition_OnAnotherCasesInvolvement_IsNotFound()
    {
        await using var fixture = await CaseFixture.CreateAsync(DatabaseProvider.Sqlite);
        var first = await fixture.TwoLabCaseAsync();
        var second = await fixture.TwoLabCaseAsync();
        var foreign = second.Involvements[0].Involvement.Id;

        var result = await fixture.Service().TransitionAsync(fixture.World.Regulator.Caller, first.Header.Id, foreign, first.ETag, "mitigating");

        result.ShouldBeOfType<CaseResult.NotFound>().Kind.ShouldBe("involvement");
    }

    [Fact]
    public async Task Write_WithAStaleETag_IsStaleAndChangesNothing()
    {
        await using var fixture = await CaseFixture.CreateAsync(DatabaseProvider.Sqlite);
        var filed = await fixture.FileAsync(fixture.World.Reporter);
        var rejected = await fixture.Service().RejectAsync(fixture.World.Regulator.Caller, filed.Header.Id, filed.ETag, "not a jailbreak");

        var again = await fixture.Service().RejectAsync(fixture.World.Regulator.Caller, filed.Header.Id, filed.ETag, "twice");

        rejected.ShouldBeOfType<CaseResult.Done>().Case.Status.ShouldBe("rejected");
        again.ShouldBeOfType<CaseResult.Stale>().Current.Header.Version.ShouldBe(2);
    }

    [Fact]
    public async Task File_TheEvent_RecordsThatTheTechniqueWasSetAndTheHeaderDigest_NeverTheText()
    {
        await using var fixture = await CaseFixture.CreateAsync(DatabaseProvider.Sqlite);
        const string Technique = "Canary-7 cue: pretend the assistant is a librarian.";

        var filed = await fixture.FileAsync(fixture.World.Reporter, Technique);

        var db = fixture.Context();
        var bodies = await db.EventBodies.Select(b => b.Canonical).ToListAsync();
        bodies.ShouldAllBe(b => !b!.Contains("Canary-7", StringComparison.Ordinal));
        var created = JsonNode.Parse((await fixture.Service().HistoryAsync(fixture.World.Reporter.Caller, filed.Header.Id, 0, 10))!.Single().Body!.ToJsonString())!;
        created["changes"]!.AsArray().ShouldContain(c => c!["field"]!.GetValue<string>() == "technique" && c["set"]!.GetValue<bool>());
        var header = await db.Cases.SingleAsync(c => c.Id == filed.Header.Id);
        var auditors = new List<Guid>();
        created["state"]!["digest"]!.GetValue<string>().ShouldBe(CaseStates.Digest(header.StateSalt, CaseStates.Header(header, auditors)));
        System.Text.Encoding.UTF8.GetString(header.Technique!).ShouldNotContain("Canary-7");
    }

    [Fact]
    public async Task Technique_Read_ReturnsTheTextAndLeavesAnEvent()
    {
        await using var fixture = await CaseFixture.CreateAsync(DatabaseProvider.Sqlite);
        var view = await fixture.TwoLabCaseAsync("Canary cue: the librarian persona.");

        var text = await fixture.Service().ReadTechniqueAsync(fixture.World.LabA.Caller, view.Header.Id);

        text.ShouldBe("Canary cue: the librarian persona.");
        var history = await fixture.Service().HistoryAsync(fixture.World.LabA.Caller, view.Header.Id, 0, 50);
        var read = history!.Last();
        read.Type.ShouldBe("case.technique_read");
        read.Body!["actor"]!["user"]!.GetValue<string>().ShouldBe(fixture.World.LabA.User.ToString("D"));
        // Recorded against Lab A's own part: Lab B's projection does not hold it.
        (await fixture.Service().HistoryAsync(fixture.World.LabB.Caller, view.Header.Id, 0, 50))!.ShouldNotContain(e => e.Type == "case.technique_read");
        (await fixture.Service().ReadTechniqueAsync(fixture.World.OtherReporter.Caller, view.Header.Id)).ShouldBeNull();
    }

    [Fact]
    public async Task Technique_CiphertextSwappedBetweenTwoCases_FailsToDecrypt()
    {
        await using var fixture = await CaseFixture.CreateAsync(DatabaseProvider.Sqlite);
        var first = await fixture.FileAsync(fixture.World.Reporter, "first canary cue");
        var second = await fixture.FileAsync(fixture.World.Reporter, "second canary cue");
        await using (var db = fixture.Database.CreateContext())
        {
            var a = await db.Cases.SingleAsync(c => c.Id == first.Header.Id);
            var b = await db.Cases.SingleAsync(c => c.Id == second.Header.Id);
            (a.Technique, b.Technique) = (b.Technique, a.Technique);
            await db.SaveChangesAsync();
        }

        var error = await Should.ThrowAsync<CaseSecretException>(() => fixture.Service().ReadTechniqueAsync(fixture.World.Reporter.Caller, first.Header.Id));

        error.Message.ShouldContain($"the technique of case {first.Header.Id:D} does not decrypt");
        (await fixture.Service().HistoryAsync(fixture.World.Reporter.Caller, first.Header.Id, 0, 50))!.ShouldNotContain(e => e.Type == "case.technique_read");
    }

    [Fact]
    public async Task Duplicate_OfACaseTheRegulatorCannotSee_IsInvalidAndOfAVisibleOneResolves()
    {
        await using var fixture = await CaseFixture.CreateAsync(DatabaseProvider.Sqlite);
        var original = await fixture.FileAsync(fixture.World.Reporter);
        var copy = await fixture.FileAsync(fixture.World.OtherReporter);

        var missing = await fixture.Service().DuplicateAsync(fixture.World.Regulator.Caller, copy.Header.Id, copy.ETag, Guid.NewGuid());
        var itself = await fixture.Service().DuplicateAsync(fixture.World.Regulator.Caller, copy.Header.Id, copy.ETag, copy.Header.Id);
        var done = await fixture.Service().DuplicateAsync(fixture.World.Regulator.Caller, copy.Header.Id, copy.ETag, original.Header.Id);

        missing.ShouldBeOfType<CaseResult.Invalid>().Field.ShouldBe("of");
        itself.ShouldBeOfType<CaseResult.Invalid>().Field.ShouldBe("of");
        var resolved = done.ShouldBeOfType<CaseResult.Done>().Case;
        (resolved.Status, resolved.Header.DuplicateOfId).ShouldBe(("duplicate", original.Header.Id));
    }

    private static async Task LabSeesItsOwnInvolvementOnly(DatabaseProvider provider)
    {
        await using var fixture = await CaseFixture.CreateAsync(provider);
        var world = fixture.World;
        var full = await fixture.TwoLabCaseAsync();
        full.Involvements.Count.ShouldBe(2);

        var asA = await OwnViewAsync(fixture, world.LabA);
        var asB = await OwnViewAsync(fixture, world.LabB);
        asA.Involvements.Select(i => i.Involvement.LabId).ShouldBe([world.LabA.Organization]);
        asA.Involvements[0].Releases.ShouldBe([world.ReleaseA]);

        // Lab B moves its own part: Lab A's projection (ETag, status, last event, history) is unchanged.
        var historyBefore = await fixture.Service().HistoryAsync(world.LabA.Caller, full.Header.Id, 0, 100);
        var moved = await fixture.Service().TransitionAsync(world.LabB.Caller, full.Header.Id, asB.Involvements[0].Involvement.Id, asB.ETag, "mitigating");
        moved.ShouldBeOfType<CaseResult.Done>().Case.Status.ShouldBe("mitigating");

        var asAAfter = await OwnViewAsync(fixture, world.LabA);
        asAAfter.ETag.ShouldBe(asA.ETag);
        asAAfter.Status.ShouldBe("triaged");
        asAAfter.LastEvent.ShouldBe(asA.LastEvent);
        (await fixture.Service().HistoryAsync(world.LabA.Caller, full.Header.Id, 0, 100))!.Select(e => e.Seq).ShouldBe(historyBefore!.Select(e => e.Seq).ToList());
        historyBefore!.ShouldAllBe(e => e.ObjectKind == "case" || e.ObjectId == asA.Involvements[0].Involvement.Id);

        // The reporter sees both parts, and its ETag moved with Lab B's change.
        var asReporter = (await fixture.Service().ViewAsync(world.Reporter.Caller, full.Header.Id))!;
        asReporter.Involvements.Count.ShouldBe(2);
        asReporter.ETag.ShouldNotBe(full.ETag);
        asReporter.Status.ShouldBe("triaged");
    }

    private static async Task ReporterSeesOnlyItsOwnCases(DatabaseProvider provider)
    {
        await using var fixture = await CaseFixture.CreateAsync(provider);
        var mine = await fixture.FileAsync(fixture.World.Reporter);
        var theirs = await fixture.FileAsync(fixture.World.OtherReporter);

        var db = fixture.Context();
        var visibility = await Visibility.ForAsync(db, fixture.World.Reporter.Caller);
        (await visibility.Cases().Select(c => c.Id).ToListAsync()).ShouldBe([mine.Header.Id]);
        (await fixture.Service().ViewAsync(fixture.World.Reporter.Caller, theirs.Header.Id)).ShouldBeNull();
        // Before triage no lab and no auditor sees it; the authority's regulator does.
        (await fixture.Service().ViewAsync(fixture.World.LabA.Caller, mine.Header.Id)).ShouldBeNull();
        (await fixture.Service().ViewAsync(fixture.World.Auditor.Caller, mine.Header.Id)).ShouldBeNull();
        (await fixture.Service().ViewAsync(fixture.World.Regulator.Caller, mine.Header.Id))!.Status.ShouldBe("reported");
    }

    private static async Task RegulatorSeesByScope(DatabaseProvider provider)
    {
        await using var fixture = await CaseFixture.CreateAsync(provider);
        var world = fixture.World;
        var filed = await fixture.FileAsync(world.Reporter);
        // Filed with the first authority and triaged to Lab B only, whose release is offered in FR.
        var triaged = await fixture.Service().TriageAsync(world.Regulator.Caller, filed.Header.Id, filed.ETag,
            new TriageRequest([new(world.LabB.Organization, [world.ReleaseB])], []));
        triaged.ShouldBeOfType<CaseResult.Done>();

        async Task<bool> SeenByOther() => (await fixture.Service().ViewAsync(world.OtherRegulator.Caller, filed.Header.Id)) is not null;

        (await SeenByOther()).ShouldBeTrue("no scope row: all");
        await CaseWorld.ScopeAsync(fixture.Database, world.OtherRegulator.Organization, (ScopeKind.Organization, world.LabA.Organization.ToString("D")));
        (await SeenByOther()).ShouldBeFalse("scoped to Lab A; the case involves Lab B");
        await CaseWorld.ScopeAsync(fixture.Database, world.OtherRegulator.Organization, (ScopeKind.Organization, world.LabB.Organization.ToString("D")));
        (await SeenByOther()).ShouldBeTrue("scoped to Lab B");
        await CaseWorld.ScopeAsync(fixture.Database, world.OtherRegulator.Organization, (ScopeKind.Jurisdiction, "DE"));
        (await SeenByOther()).ShouldBeFalse("scoped to DE; Lab B's release is offered in FR");
        await CaseWorld.ScopeAsync(fixture.Database, world.OtherRegulator.Organization, (ScopeKind.Jurisdiction, "F"));
        (await SeenByOther()).ShouldBeFalse("a prefix of a region is not the region");
        await CaseWorld.ScopeAsync(fixture.Database, world.OtherRegulator.Organization, (ScopeKind.Jurisdiction, "FR"));
        (await SeenByOther()).ShouldBeTrue("scoped to FR");
        await CaseWorld.ScopeAsync(fixture.Database, world.OtherRegulator.Organization, (ScopeKind.All, ""));
        (await SeenByOther()).ShouldBeTrue("scope all");

        // Whatever the scope, the authority a case was filed with sees it.
        await CaseWorld.ScopeAsync(fixture.Database, world.Regulator.Organization, (ScopeKind.Jurisdiction, "JP"));
        (await fixture.Service().ViewAsync(world.Regulator.Caller, filed.Header.Id)).ShouldNotBeNull();
    }

    private static async Task<CaseView> OwnViewAsync(CaseFixture fixture, Party party)
    {
        var db = fixture.Context();
        var visibility = await Visibility.ForAsync(db, party.Caller);
        var id = await visibility.Cases().OrderByDescending(c => c.CreatedAt).Select(c => c.Id).FirstAsync();
        return (await fixture.Service().ViewAsync(party.Caller, id))!;
    }
}
