using System.Text.Json.Nodes;
using Jailgrade.Registry.Administration;
using Jailgrade.Registry.Cases;
using Jailgrade.Registry.Identity;
using Jailgrade.Registry.Persistence;
using Jailgrade.Registry.Secrets;
using Jailgrade.Registry.Tests.Cases;
using Jailgrade.Registry.Tests.TestSupport;
using Microsoft.EntityFrameworkCore;

namespace Jailgrade.Registry.Tests.Administration;

/// <summary><c>admin rotate-master-key</c> on the database directly, on SQLite and on PostgreSQL.</summary>
public class MasterKeyRotationTests
{
    private static readonly string[] Techniques = ["first canary cue", "second canary cue", "third canary cue"];

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [PostgresData]
    public async Task Rotate_RegistryWithCases_EveryTechniqueReadsWithOnlyTheNewKey(DatabaseProvider provider)
    {
        await using var fixture = await CaseFixture.CreateAsync(provider);
        var ids = await FileAllAsync(fixture);
        var newPath = NewKeyPath(fixture);

        var rotated = await MasterKeyRotation.RotateAsync(fixture.Database, fixture.MasterKeyPath, newPath, fixture.Time, batchSize: 2);

        File.Delete(fixture.MasterKeyPath);
        var next = MasterKey.Load(newPath);
        (rotated.OldKeyId, rotated.NewKeyId, rotated.NewKeyCreated, rotated.RewrappedNow, rotated.Total).ShouldBe((fixture.Master.Id, next.Id, true, 3, 3));
        if (!OperatingSystem.IsWindows())
        {
            File.GetUnixFileMode(newPath).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        await using var db = fixture.Context();
        var withNewKey = new CaseService(db, fixture.Time, next);
        for (var i = 0; i < ids.Count; i++)
        {
            (await withNewKey.ReadTechniqueAsync(fixture.World.Reporter.Caller, ids[i])).ShouldBe(Techniques[i]);
        }

        (await db.CaseKeys.Select(k => k.MasterKeyId).Distinct().ToListAsync()).ShouldBe([next.Id]);
        (await SettingsAsync(fixture)).OrderBy(s => s.Key, StringComparer.Ordinal).ShouldBe(
            [new(RegistryAdmin.LogOriginSetting, "registry.test/log"), new(RegistryAdmin.MasterKeyIdSetting, next.Id)]);
        var withOldKey = await Should.ThrowAsync<CaseSecretException>(() => fixture.Service().ReadTechniqueAsync(fixture.World.Reporter.Caller, ids[0]));
        withOldKey.Message.ShouldContain($"was wrapped by master key {next.Id}, not {fixture.Master.Id}");
    }

    [Fact]
    public async Task Rotate_RecordsOneEventWithTheOldAndNewKeyIdsAndTheCount()
    {
        await using var fixture = await CaseFixture.CreateAsync(DatabaseProvider.Sqlite);
        await FileAllAsync(fixture);
        await using var db = fixture.Context();
        var before = await db.EventEnvelopes.MaxAsync(e => e.Seq);

        var rotated = await MasterKeyRotation.RotateAsync(fixture.Database, fixture.MasterKeyPath, NewKeyPath(fixture), fixture.Time, batchSize: 1);

        var events = await db.EventEnvelopes.Where(e => e.Seq > before).ToListAsync();
        var only = events.ShouldHaveSingleItem();
        (only.Type, only.ObjectKind, only.ObjectId, only.CaseId).ShouldBe(("master_key.rotated", "registry", Guid.Empty, (Guid?)null));
        var body = JsonNode.Parse((await db.EventBodies.SingleAsync(b => b.Seq == only.Seq)).Canonical!)!["body"]!;
        body["actor"]!["operator"]!.GetValue<string>().ShouldBe("admin rotate-master-key");
        body["changes"]!.ToJsonString().ShouldBe(
            $$"""[{"field":"master_key_id","from":"{{fixture.Master.Id}}","to":"{{rotated.NewKeyId}}"},{"field":"data_keys_rewrapped","to":3}]""");
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [PostgresData]
    public async Task Rotate_StoppedAfterOneBatch_KeepsTheOldKeyCurrentAndARerunFinishesTheRest(DatabaseProvider provider)
    {
        await using var fixture = await CaseFixture.CreateAsync(provider);
        var ids = await FileAllAsync(fixture);
        var newPath = NewKeyPath(fixture);
        using var stop = new CancellationTokenSource();
        var heard = new List<MasterKeyRotation.Progress>();

        await Should.ThrowAsync<OperationCanceledException>(() => MasterKeyRotation.RotateAsync(fixture.Database, fixture.MasterKeyPath, newPath, fixture.Time, batchSize: 1,
            progress => { heard.Add(progress); stop.Cancel(); }, stop.Token));

        heard.ShouldBe([new MasterKeyRotation.Progress(1, 3)]);
        var next = MasterKey.Load(newPath);
        Guid stillOld;
        await using (var db = fixture.Context())
        {
            (await db.CaseKeys.CountAsync(k => k.MasterKeyId == next.Id)).ShouldBe(1);
            stillOld = await db.CaseKeys.Where(k => k.MasterKeyId == fixture.Master.Id).Select(k => k.CaseId).FirstAsync();
        }

        (await SettingsAsync(fixture)).ShouldContainKeyAndValue(RegistryAdmin.MasterKeyIdSetting, fixture.Master.Id);
        (await SettingsAsync(fixture)).ShouldContainKeyAndValue(MasterKeyRotation.TargetSetting, next.Id);
        // Half-way, the old key still reads what it still wraps.
        (await fixture.Service().ReadTechniqueAsync(fixture.World.Reporter.Caller, stillOld)).ShouldBe(Techniques[ids.IndexOf(stillOld)]);

        var resumed = await MasterKeyRotation.RotateAsync(fixture.Database, fixture.MasterKeyPath, newPath, fixture.Time, batchSize: 1);

        (resumed.NewKeyId, resumed.NewKeyCreated, resumed.RewrappedNow, resumed.Total).ShouldBe((next.Id, false, 2, 3));
        (await SettingsAsync(fixture)).ShouldNotContainKey(MasterKeyRotation.TargetSetting);
        await using var after = fixture.Context();
        for (var i = 0; i < ids.Count; i++)
        {
            (await new CaseService(after, fixture.Time, next).ReadTechniqueAsync(fixture.World.Reporter.Caller, ids[i])).ShouldBe(Techniques[i]);
        }
    }

    [Fact]
    public async Task Rotate_UnfinishedToOneKey_RefusesAnotherNewKeyUntilItIsFinished()
    {
        await using var fixture = await CaseFixture.CreateAsync(DatabaseProvider.Sqlite);
        await FileAllAsync(fixture);
        var newPath = NewKeyPath(fixture);
        using var stop = new CancellationTokenSource();
        await Should.ThrowAsync<OperationCanceledException>(() => MasterKeyRotation.RotateAsync(fixture.Database, fixture.MasterKeyPath, newPath, fixture.Time, batchSize: 1, _ => stop.Cancel(), stop.Token));
        var other = Path.Combine(Path.GetDirectoryName(newPath)!, "other.key");
        var otherKey = MasterKey.Generate();
        otherKey.WriteNew(other);

        var error = await Should.ThrowAsync<MasterKeyException>(() => MasterKeyRotation.RotateAsync(fixture.Database, fixture.MasterKeyPath, other, fixture.Time));

        var target = MasterKey.Load(newPath).Id;
        error.Message.ShouldBe($"a rotation to master key {target} is unfinished on {fixture.Database.Display}; finish it first with --new-master-key-file holding key {target} (not {otherKey.Id})");
    }

    [Fact]
    public async Task Rotate_RunAgainAfterItFinished_HasNothingToDo()
    {
        await using var fixture = await CaseFixture.CreateAsync(DatabaseProvider.Sqlite);
        await FileAllAsync(fixture);
        var newPath = NewKeyPath(fixture);
        await MasterKeyRotation.RotateAsync(fixture.Database, fixture.MasterKeyPath, newPath, fixture.Time);

        var again = await MasterKeyRotation.RotateAsync(fixture.Database, fixture.MasterKeyPath, newPath, fixture.Time);

        (again.AlreadyCurrent, again.RewrappedNow, again.Total).ShouldBe((true, 0, 3));
    }

    [Fact]
    public async Task Rotate_OldKeyThatIsNotTheCurrentOne_IsRefusedBeforeAnythingChanges()
    {
        await using var fixture = await CaseFixture.CreateAsync(DatabaseProvider.Sqlite);
        await FileAllAsync(fixture);
        var stranger = Path.Combine(Path.GetDirectoryName(fixture.MasterKeyPath)!, "stranger.key");
        var strangerKey = MasterKey.Generate();
        strangerKey.WriteNew(stranger);
        var before = await WrappedAsync(fixture);
        var newPath = NewKeyPath(fixture);

        var error = await Should.ThrowAsync<MasterKeyException>(() => MasterKeyRotation.RotateAsync(fixture.Database, stranger, newPath, fixture.Time));

        error.Message.ShouldBe($"master key file {stranger} holds key {strangerKey.Id}, but the current key of {fixture.Database.Display} is {fixture.Master.Id}; give the current key with --master-key-file");
        await ShouldBeUnchangedAsync(fixture, before, newPath);
    }

    [Fact]
    public async Task Rotate_OldKeyWithTheCurrentIdButOtherBytes_IsRefusedBeforeAnythingChanges()
    {
        await using var fixture = await CaseFixture.CreateAsync(DatabaseProvider.Sqlite);
        await FileAllAsync(fixture);
        var forged = Path.Combine(Path.GetDirectoryName(fixture.MasterKeyPath)!, "forged.key");
        File.WriteAllText(forged, $"jailgrade-master-key/v1 {fixture.Master.Id} {Convert.ToBase64String(new byte[32])}\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(forged, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        var before = await WrappedAsync(fixture);
        var newPath = NewKeyPath(fixture);

        var error = await Should.ThrowAsync<MasterKeyException>(() => MasterKeyRotation.RotateAsync(fixture.Database, forged, newPath, fixture.Time));

        error.Message.ShouldBe($"master key file {forged} holds a key with id {fixture.Master.Id} that does not unwrap the data keys wrapped by key {fixture.Master.Id}: it is not that key");
        await ShouldBeUnchangedAsync(fixture, before, newPath);
    }

    [Fact]
    public async Task Rotate_NewKeyFileHoldingTheCurrentKey_IsRefused()
    {
        await using var fixture = await CaseFixture.CreateAsync(DatabaseProvider.Sqlite);
        await FileAllAsync(fixture);
        var before = await WrappedAsync(fixture);

        var error = await Should.ThrowAsync<MasterKeyException>(() => MasterKeyRotation.RotateAsync(fixture.Database, fixture.MasterKeyPath, fixture.MasterKeyPath, fixture.Time));

        error.Message.ShouldContain($"holds key {fixture.Master.Id}, the current key");
        (await WrappedAsync(fixture)).ShouldBe(before);
        (await SettingsAsync(fixture)).ShouldNotContainKey(MasterKeyRotation.TargetSetting);
    }

    [Fact]
    public async Task Rotate_NewKeyBesideTheDatabase_IsRefusedAndNotWritten()
    {
        await using var fixture = await CaseFixture.CreateAsync(DatabaseProvider.Sqlite);
        var beside = Path.Combine(Path.GetDirectoryName(fixture.Database.SqlitePath!)!, "new.key");

        var error = await Should.ThrowAsync<MasterKeyException>(() => MasterKeyRotation.RotateAsync(fixture.Database, fixture.MasterKeyPath, beside, fixture.Time));

        error.Message.ShouldContain("it is in the database's directory");
        File.Exists(beside).ShouldBeFalse();
    }

    [Fact]
    public async Task Rotate_WrappedKeysSwappedBetweenTwoCasesAfterwards_FailToUnwrap()
    {
        await using var fixture = await CaseFixture.CreateAsync(DatabaseProvider.Sqlite);
        var ids = await FileAllAsync(fixture);
        var rotated = await MasterKeyRotation.RotateAsync(fixture.Database, fixture.MasterKeyPath, NewKeyPath(fixture), fixture.Time);
        await using (var db = fixture.Context())
        {
            var a = await db.CaseKeys.SingleAsync(k => k.CaseId == ids[0]);
            var b = await db.CaseKeys.SingleAsync(k => k.CaseId == ids[1]);
            (a.Wrapped, b.Wrapped) = (b.Wrapped, a.Wrapped);
            await db.SaveChangesAsync();
        }

        var next = MasterKey.Load(NewKeyPath(fixture));
        await using var reader = fixture.Context();
        var error = await Should.ThrowAsync<CaseSecretException>(() => new CaseService(reader, fixture.Time, next).ReadTechniqueAsync(fixture.World.Reporter.Caller, ids[0]));

        error.Message.ShouldBe($"the data key of case {ids[0]:D} does not unwrap: it belongs to another case or version, or was altered");
        rotated.NewKeyId.ShouldBe(next.Id);
        (await new CaseService(reader, fixture.Time, next).ReadTechniqueAsync(fixture.World.Reporter.Caller, ids[2])).ShouldBe(Techniques[2]);
    }

    [Fact]
    public async Task Rotate_TechniqueCiphertextSwappedBetweenTwoCasesAfterwards_FailsToDecrypt()
    {
        await using var fixture = await CaseFixture.CreateAsync(DatabaseProvider.Sqlite);
        var ids = await FileAllAsync(fixture);
        await MasterKeyRotation.RotateAsync(fixture.Database, fixture.MasterKeyPath, NewKeyPath(fixture), fixture.Time);
        await using (var db = fixture.Context())
        {
            var a = await db.Cases.SingleAsync(c => c.Id == ids[0]);
            var b = await db.Cases.SingleAsync(c => c.Id == ids[1]);
            (a.Technique, b.Technique) = (b.Technique, a.Technique);
            await db.SaveChangesAsync();
        }

        await using var reader = fixture.Context();
        var error = await Should.ThrowAsync<CaseSecretException>(() => new CaseService(reader, fixture.Time, MasterKey.Load(NewKeyPath(fixture))).ReadTechniqueAsync(fixture.World.Reporter.Caller, ids[0]));

        error.Message.ShouldContain($"the technique of case {ids[0]:D} does not decrypt");
    }

    private static string NewKeyPath(CaseFixture fixture) => Path.Combine(Path.GetDirectoryName(fixture.MasterKeyPath)!, "rotated", "master.key");

    private static async Task<List<Guid>> FileAllAsync(CaseFixture fixture)
    {
        var ids = new List<Guid>();
        foreach (var technique in Techniques)
        {
            ids.Add((await fixture.FileAsync(fixture.World.Reporter, technique)).Header.Id);
        }

        return ids;
    }

    private static async Task<Dictionary<string, string>> SettingsAsync(CaseFixture fixture)
    {
        await using var db = fixture.Database.CreateContext();
        return await db.Settings.AsNoTracking().ToDictionaryAsync(s => s.Name, s => s.Value);
    }

    private static async Task<List<string>> WrappedAsync(CaseFixture fixture)
    {
        await using var db = fixture.Database.CreateContext();
        return (await db.CaseKeys.AsNoTracking().OrderBy(k => k.CaseId).ToListAsync()).Select(k => $"{k.CaseId} {k.MasterKeyId} {Convert.ToBase64String(k.Wrapped)}").ToList();
    }

    private static async Task ShouldBeUnchangedAsync(CaseFixture fixture, List<string> wrappedBefore, string newPath)
    {
        (await WrappedAsync(fixture)).ShouldBe(wrappedBefore);
        (await SettingsAsync(fixture)).ShouldNotContainKey(MasterKeyRotation.TargetSetting);
        (await SettingsAsync(fixture)).ShouldContainKeyAndValue(RegistryAdmin.MasterKeyIdSetting, fixture.Master.Id);
        File.Exists(newPath).ShouldBeFalse();
    }
}
