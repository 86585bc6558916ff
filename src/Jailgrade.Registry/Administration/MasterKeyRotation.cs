using System.Text.Json.Nodes;
using Jailgrade.Registry.Events;
using Jailgrade.Registry.Identity;
using Jailgrade.Registry.Persistence;
using Jailgrade.Registry.Secrets;
using Microsoft.EntityFrameworkCore;

namespace Jailgrade.Registry.Administration;

/// <summary>
/// <c>jailgrade admin rotate-master-key</c> (docs/deploy.md, "Rotating the master key"): rewraps every
/// case's data key under a new master key in batches, each batch one transaction, and makes the new
/// key current only when none is left under the old one. A rerun after an interruption finishes the job.
/// </summary>
public static class MasterKeyRotation
{
    /// <summary>The setting naming the key an unfinished rotation rewraps to; absent when none is under way.</summary>
    public const string TargetSetting = "master_key_rotation_to";

    /// <summary>Data keys rewrapped per transaction unless told otherwise.</summary>
    public const int DefaultBatchSize = 500;

    /// <summary>Where a rotation stands after a batch: data keys under the new key, of all data keys.</summary>
    public sealed record Progress(int Rewrapped, int Total);

    /// <summary>What a finished rotation did.</summary>
    /// <param name="RewrappedNow">Data keys this run rewrapped (an earlier, interrupted run may have done the others).</param>
    /// <param name="Total">Data keys the registry holds, all now under the new key.</param>
    public sealed record Rotated(string OldKeyId, string NewKeyId, bool NewKeyCreated, int RewrappedNow, int Total, bool AlreadyCurrent);

    /// <summary>
    /// Rotates from the key in <paramref name="oldKeyPath"/> (the registry's current one) to the key in
    /// <paramref name="newKeyPath"/>, created (mode 0600) when that file does not exist.
    /// <paramref name="afterBatch"/> hears of each committed batch; cancelling stops between batches.
    /// </summary>
    /// <exception cref="MasterKeyException">A key file is missing, unsafe, malformed, beside the database, or the wrong key.</exception>
    /// <exception cref="RegistryAdminException">The registry is not initialized.</exception>
    /// <exception cref="CaseSecretException">A data key does not unwrap under the current key (altered or moved); the batches before it stay rewrapped.</exception>
    public static async Task<Rotated> RotateAsync(RegistryDatabase database, string oldKeyPath, string newKeyPath, TimeProvider time,
        int batchSize = DefaultBatchSize, Action<Progress>? afterBatch = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var old = MasterKey.Load(oldKeyPath);
        MasterKey.CheckNotBesideDatabase(newKeyPath, database.SqlitePath);
        await Migrator.MigrateAsync(database, cancellationToken);
        await using var db = database.CreateOwnerContext();
        var current = await SettingAsync(db, RegistryAdmin.MasterKeyIdSetting, cancellationToken)
            ?? throw new RegistryAdminException($"{database.Display} is not initialized; run 'jailgrade admin init' first");
        var target = await SettingAsync(db, TargetSetting, cancellationToken);
        if (target is null && File.Exists(newKeyPath) && MasterKey.Load(newKeyPath) is { } done && done.Id == current && old.Id != current)
        {
            // The rotation finished earlier: a rerun of the same command has nothing left to do.
            return new Rotated(old.Id, done.Id, false, 0, await db.CaseKeys.CountAsync(cancellationToken), AlreadyCurrent: true);
        }

        if (old.Id != current)
        {
            throw new MasterKeyException($"master key file {oldKeyPath} holds key {old.Id}, but the current key of {database.Display} is {current}; give the current key with --master-key-file");
        }

        await CheckUnwrapsAsync(db, old, oldKeyPath, cancellationToken);
        if (target is not null && !File.Exists(newKeyPath))
        {
            throw new MasterKeyException($"a rotation to master key {target} is unfinished on {database.Display}, and {newKeyPath} does not exist; give the file holding key {target} with --new-master-key-file to finish it");
        }

        var (next, created) = MasterKey.LoadOrCreate(newKeyPath, database.SqlitePath);
        if (next.Id == old.Id)
        {
            throw new MasterKeyException($"master key file {newKeyPath} holds key {next.Id}, the current key; name a new file (it is created) or another key");
        }

        if (target is not null && target != next.Id)
        {
            throw new MasterKeyException($"a rotation to master key {target} is unfinished on {database.Display}; finish it first with --new-master-key-file holding key {target} (not {next.Id})");
        }

        await CheckUnwrapsAsync(db, next, newKeyPath, cancellationToken);
        if (target is null)
        {
            await using var begin = await EventLog.BeginWriteAsync(db, cancellationToken);
            db.Settings.Add(new RegistrySetting { Name = TargetSetting, Value = next.Id });
            await db.SaveChangesAsync(cancellationToken);
            await begin.CommitAsync(cancellationToken);
            db.ChangeTracker.Clear();
        }

        var rewrapped = 0;
        while (true)
        {
            rewrapped += await RewrapRemainingAsync(db, old, next, batchSize, afterBatch, cancellationToken);
            var total = await FinishAsync(db, old, next, time, cancellationToken);
            if (total is { } all)
            {
                return new Rotated(old.Id, next.Id, created, rewrapped, all, AlreadyCurrent: false);
            }
        }
    }

    private static async Task<int> RewrapRemainingAsync(RegistryDbContext db, MasterKey old, MasterKey next, int batchSize, Action<Progress>? afterBatch, CancellationToken cancellationToken)
    {
        var rewrapped = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await using var transaction = await EventLog.BeginWriteAsync(db, cancellationToken);
            var batch = await db.CaseKeys.Where(k => k.MasterKeyId != next.Id).OrderBy(k => k.CaseId).ThenBy(k => k.KeyVersion).Take(batchSize).ToListAsync(cancellationToken);
            if (batch.Count == 0)
            {
                return rewrapped;
            }

            foreach (var key in batch)
            {
                if (key.MasterKeyId != old.Id)
                {
                    throw new MasterKeyException($"the data key of case {key.CaseId:D} is wrapped by master key {key.MasterKeyId}, neither the current key {old.Id} nor the new key {next.Id}");
                }

                try
                {
                    CaseSecrets.Rewrap(old, next, key);
                }
                catch (CaseSecretException e)
                {
                    // The batch's transaction rolls back: every key stays unwrappable by one of the two
                    // master keys, and a rerun resumes once the damaged key is restored.
                    var under = await db.CaseKeys.CountAsync(k => k.MasterKeyId == next.Id, CancellationToken.None);
                    var total = await db.CaseKeys.CountAsync(CancellationToken.None);
                    throw new CaseSecretException($"{e.Message}; the rotation stopped with {under} of {total} data keys under the new key {next.Id} and wrote nothing of this batch; restore that case's data key (case_keys) from a backup, then run the command again to finish");
                }
            }

            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(CancellationToken.None);
            db.ChangeTracker.Clear();
            rewrapped += batch.Count;
            if (afterBatch is not null)
            {
                var total = await db.CaseKeys.CountAsync(CancellationToken.None);
                var under = await db.CaseKeys.CountAsync(k => k.MasterKeyId == next.Id, CancellationToken.None);
                afterBatch(new Progress(under, total));
            }
        }
    }

    // Makes the new key current, in the writers' lock, when no data key is left under the old one; null
    // when one is (a case filed meanwhile): the caller rewraps again.
    private static async Task<int?> FinishAsync(RegistryDbContext db, MasterKey old, MasterKey next, TimeProvider time, CancellationToken cancellationToken) =>
        await EventLog.WriteAsync(db, time, async write =>
        {
            if (await write.Db.CaseKeys.AnyAsync(k => k.MasterKeyId != next.Id, cancellationToken))
            {
                return (int?)null;
            }

            var total = await write.Db.CaseKeys.CountAsync(cancellationToken);
            var current = await write.Db.Settings.SingleAsync(s => s.Name == RegistryAdmin.MasterKeyIdSetting, cancellationToken);
            current.Value = next.Id;
            write.Db.Settings.Remove(await write.Db.Settings.SingleAsync(s => s.Name == TargetSetting, cancellationToken));
            write.Append("master_key.rotated", "registry", Guid.Empty, new JsonObject
            {
                ["actor"] = EventBodies.Operator("admin rotate-master-key"),
                ["changes"] = new JsonArray(
                    new JsonObject { ["field"] = "master_key_id", ["from"] = old.Id, ["to"] = next.Id },
                    new JsonObject { ["field"] = "data_keys_rewrapped", ["to"] = total }),
            });
            return total;
        }, cancellationToken);

    // A key file can carry the right id and the wrong bytes: one data key it wrapped must unwrap.
    private static async Task CheckUnwrapsAsync(RegistryDbContext db, MasterKey key, string path, CancellationToken cancellationToken)
    {
        var sample = await db.CaseKeys.AsNoTracking().Where(k => k.MasterKeyId == key.Id).OrderBy(k => k.CaseId).FirstOrDefaultAsync(cancellationToken);
        if (sample is null)
        {
            return;
        }

        try
        {
            CaseSecrets.Unwrap(key, sample);
        }
        catch (CaseSecretException)
        {
            throw new MasterKeyException($"master key file {path} holds a key with id {key.Id} that does not unwrap the data keys wrapped by key {key.Id}: it is not that key");
        }
    }

    private static Task<string?> SettingAsync(RegistryDbContext db, string name, CancellationToken cancellationToken) =>
        db.Settings.AsNoTracking().Where(s => s.Name == name).Select(s => s.Value).SingleOrDefaultAsync(cancellationToken);
}
