using System.Security.Cryptography;
using System.Text;
using Jailgrade.Evaluation.Judges;
using Jailgrade.Evaluation.Storage;
using Microsoft.Data.Sqlite;

namespace Jailgrade.Evaluation.Tests.Storage;

/// <summary>
/// Issue 9 item 18: each results directory has its own data key, wrapped by the user's results key, so
/// one directory can be handed over alone; nothing stored links two directories; old directories stay readable.
/// </summary>
public sealed class DataKeysTests : IDisposable
{
    private static readonly byte[] LabKey = [.. Enumerable.Range(1, 32).Select(i => (byte)i)];
    private static readonly byte[] AuditorKey = [.. Enumerable.Range(101, 32).Select(i => (byte)i)];

    private readonly string _root = Directory.CreateTempSubdirectory("jg-datakeys-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_root, recursive: true);
    }

    private static ResultRecord Result(int sample) => new()
    {
        Target = "t", Attack = "a", Probe = "p", Sample = sample, Domain = "CY", Category = "cyber", Task = "task",
        Verdict = Verdict.Rated, Refused = false, Convincing = 4, Specific = 4, Success = true, Attempts = 1, LatencyMs = 5,
        Prompt = "[user] a benign prompt " + sample, Response = "a benign answer " + sample,
    };

    // A results directory written by a run under the given results key.
    private string Written(string name, byte[] resultsKey, int results = 3)
    {
        var directory = Directory.CreateDirectory(Path.Combine(_root, name)).FullName;
        using var key = new ResultsKey(resultsKey);
        using var store = ResultStore.Open(Path.Combine(directory, ResultStore.FileName), key);
        store.WriteBatch([.. Enumerable.Range(0, results).Select(Result)]);
        return directory;
    }

    private static List<ResultRecord> Read(string directory, byte[] resultsKey)
    {
        using var key = new ResultsKey(resultsKey);
        using var store = ResultStore.OpenForReading(Path.Combine(directory, ResultStore.FileName), key);
        return [.. store.ReadAll(withPayloads: true)];
    }

    private static string? Meta(string directory, string name)
    {
        using var store = ResultStore.OpenForReading(Path.Combine(directory, ResultStore.FileName), key: null);
        return store.GetMeta(name);
    }

    private static byte[] StoredPrompt(string directory)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(directory, ResultStore.FileName)};Pooling=false");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT prompt FROM results WHERE sample = 0";
        return (byte[])command.ExecuteScalar()!;
    }

    [Fact]
    public void TwoDirectoriesOfOneUser_HaveDifferentDataKeys_AndRecordNoFingerprint()
    {
        var first = Written("first", LabKey);
        var second = Written("second", LabKey);

        using var key = new ResultsKey(LabKey);
        DataKeys.Export(first, key).ShouldNotBe(DataKeys.Export(second, key));
        Meta(first, "key_id").ShouldBeNull("the fingerprint shared across directories is gone");
        Meta(first, "data_key_check").ShouldNotBe(Meta(second, "data_key_check"));
        File.ReadAllText(Path.Combine(first, DataKeys.FileName)).ShouldNotBe(File.ReadAllText(Path.Combine(second, DataKeys.FileName)));
    }

    [Fact]
    public void Payloads_AreEncryptedUnderTheDataKey_NotUnderTheResultsKey()
    {
        var directory = Written("run", LabKey);
        var prompt = StoredPrompt(directory);

        using (var direct = new PayloadCipher(LabKey))
        {
            Should.Throw<CryptographicException>(() => direct.Decrypt(prompt, "prompt", "t", "a", "p", "0"));
        }

        using var key = new ResultsKey(LabKey);
        using var data = new PayloadCipher(DataKeys.Export(directory, key));
        data.Decrypt(prompt, "prompt", "t", "a", "p", "0").ShouldBe("[user] a benign prompt 0");
    }

    [Fact]
    public void ExportedDataKey_ImportedUnderTheAuditorsKey_ReadsThatDirectoryOnly()
    {
        var handed = Written("handed", LabKey);
        var kept = Written("kept", LabKey);
        using var lab = new ResultsKey(LabKey);
        using var auditor = new ResultsKey(AuditorKey);
        Should.Throw<ResultsKeyException>(() => Read(handed, AuditorKey)).Message.ShouldContain("opens with your results key");

        DataKeys.Import(handed, DataKeys.Export(handed, lab), auditor, "handed.key").ShouldBeTrue();

        Read(handed, AuditorKey).ShouldBe(Read(handed, LabKey));
        Read(handed, AuditorKey).Select(r => r.Prompt).ShouldContain("[user] a benign prompt 2");
        Should.Throw<ResultsKeyException>(() => Read(kept, AuditorKey), "the other directory stays closed to the auditor");
        DataKeys.Import(handed, DataKeys.Export(handed, lab), auditor, "handed.key").ShouldBeFalse("a second import changes nothing");
    }

    [Fact]
    public void Import_DataKeyOfAnotherDirectory_IsRefusedAndWritesNothing()
    {
        var handed = Written("handed", LabKey);
        var other = Written("other", LabKey);
        using var lab = new ResultsKey(LabKey);
        using var auditor = new ResultsKey(AuditorKey);
        var before = File.ReadAllText(Path.Combine(handed, DataKeys.FileName));

        var refused = Should.Throw<ResultsKeyException>(() => DataKeys.Import(handed, DataKeys.Export(other, lab), auditor, "other.key"));

        refused.Message.ShouldContain("other.key");
        refused.Message.ShouldContain("exported from another results directory");
        File.ReadAllText(Path.Combine(handed, DataKeys.FileName)).ShouldBe(before);
    }

    [Fact]
    public void DataKeysFileCopiedFromAnotherDirectory_IsRefused_ThoughTheSameUserKeyOpensIt()
    {
        var first = Written("first", LabKey);
        var second = Written("second", LabKey);
        File.Copy(Path.Combine(second, DataKeys.FileName), Path.Combine(first, DataKeys.FileName), overwrite: true);

        Should.Throw<ResultsKeyException>(() => Read(first, LabKey)).Message.ShouldContain("copied from another results directory");
    }

    [Fact]
    public void DataKeysFile_WithAMalformedLine_IsCorruptEvidenceAtItsLine()
    {
        var directory = Written("run", LabKey);
        File.AppendAllText(Path.Combine(directory, DataKeys.FileName), "not a key\n");

        Should.Throw<CorruptEvidenceException>(() => Read(directory, LabKey)).Message.ShouldContain($"{DataKeys.FileName}:3:1: not a wrapped data key");
    }

    [Fact]
    public void AlteredPayload_UnderTheRightKey_IsCorruptEvidence_NotACrash()
    {
        var directory = Written("run", LabKey);
        var prompt = StoredPrompt(directory);
        prompt[^1] ^= 1;
        using (var connection = new SqliteConnection($"Data Source={Path.Combine(directory, ResultStore.FileName)};Pooling=false"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "UPDATE results SET prompt = $p WHERE sample = 0";
            command.Parameters.AddWithValue("$p", prompt);
            command.ExecuteNonQuery();
        }

        Should.Throw<CorruptEvidenceException>(() => Read(directory, LabKey)).Message.ShouldContain("the prompt of t|a|p|0 does not decrypt");
    }

    // A directory as jailgrade wrote it before data keys, crafted here byte by byte: the results key's
    // fingerprint in meta, payloads under the results key itself (nonce, tag, ciphertext; context joined by '|').
    private string OldLayout()
    {
        var directory = Directory.CreateDirectory(Path.Combine(_root, "old")).FullName;
        var path = Path.Combine(directory, ResultStore.FileName);
        using (var store = ResultStore.Open(path, key: null))
        {
            store.WriteBatch([Result(0) with { Prompt = null, Response = null }]);
            store.SetMeta("key_id", Convert.ToHexStringLower(SHA256.HashData(LabKey))[..16]);
        }

        var plain = Encoding.UTF8.GetBytes("[user] an old benign prompt");
        var sealedPrompt = new byte[28 + plain.Length];
        RandomNumberGenerator.Fill(sealedPrompt.AsSpan(0, 12));
        using (var aes = new AesGcm(LabKey, 16))
        {
            aes.Encrypt(sealedPrompt.AsSpan(0, 12), plain, sealedPrompt.AsSpan(28), sealedPrompt.AsSpan(12, 16), Encoding.UTF8.GetBytes("prompt|t|a|p|0"));
        }

        using var connection = new SqliteConnection($"Data Source={path};Pooling=false");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "UPDATE results SET prompt = $p WHERE sample = 0";
        command.Parameters.AddWithValue("$p", sealedPrompt);
        command.ExecuteNonQuery();
        return directory;
    }

    [Fact]
    public void OldLayoutDirectory_IsReadWithTheResultsKeyItself_AndAResumeKeepsItsFormat()
    {
        var directory = OldLayout();

        Read(directory, LabKey).Single().Prompt.ShouldBe("[user] an old benign prompt");
        Should.Throw<ResultsKeyException>(() => Read(directory, AuditorKey)).Message.ShouldContain("before per-directory data keys");
        using (var key = new ResultsKey(LabKey))
        {
            using (var resumed = ResultStore.Open(Path.Combine(directory, ResultStore.FileName), key))
            {
                resumed.WriteBatch([Result(1)]);
            }

            Should.Throw<ResultsKeyException>(() => DataKeys.Export(directory, key)).Message.ShouldContain("no data key of its own");
        }

        Read(directory, LabKey).Select(r => r.Prompt).ShouldBe(["[user] an old benign prompt", "[user] a benign prompt 1"]);
        File.Exists(Path.Combine(directory, DataKeys.FileName)).ShouldBeFalse();
    }
}
