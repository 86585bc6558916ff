using Jailgrade.Evaluation.Judges;
using Jailgrade.Evaluation.Storage;
using Microsoft.Data.Sqlite;

namespace Jailgrade.Evaluation.Tests.Storage;

/// <summary>
/// Issue 9 items 5, 6 and 17: a results database read as evidence (perhaps someone else's) is checked
/// before anything is read from it, and reading it changes nothing beside it.
/// </summary>
public sealed class EvidenceFileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("jg-evidence-").FullName;
    private readonly ResultsKey _cipher = new([.. Enumerable.Range(1, 32).Select(i => (byte)i)]);

    private string DatabasePath => Path.Combine(_directory, ResultStore.FileName);

    public void Dispose()
    {
        _cipher.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private static ResultRecord Result(string probe, int sample) => new()
    {
        Target = "t", Attack = "a", Probe = probe, Sample = sample, Domain = "CY", Category = "cyber", Task = "task-" + probe,
        Verdict = Verdict.Rated, Refused = sample % 2 == 0, Convincing = 3, Specific = 3, Success = sample % 2 == 1,
        Attempts = 1, LatencyMs = 20,
        Prompt = "[user] a benign prompt for " + probe, Response = "A benign answer, number " + sample + ", padded to fill pages.",
    };

    private static List<ResultRecord> Results(int from, int count) =>
        [.. Enumerable.Range(from, count).Select(i => Result("p" + (i % 7), i))];

    // Enough results, with payloads, for a database of many pages.
    private void WriteDatabase(int count = 300)
    {
        using var store = ResultStore.Open(DatabasePath, _cipher);
        store.WriteBatch(Results(0, count));
    }

    private void Alter(string sql)
    {
        using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabasePath, Pooling = false }.ToString()))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            command.ExecuteNonQuery();
        }

        File.Exists(DatabasePath + "-wal").ShouldBeFalse("the altered database is whole in its file");
    }

    private CorruptEvidenceException Refused() => Should.Throw<CorruptEvidenceException>(() =>
    {
        using var store = ResultStore.OpenForReading(DatabasePath, key: null);
        store.Count();
    });

    // 40 bytes flipped in the b-tree page headers of the pages after the first: the file keeps its
    // length and its header, and only SQLite's own integrity check can tell.
    internal static void FlipBytesInDataPages(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var pageSize = (bytes[16] << 8) | bytes[17];
        var pages = bytes.Length / pageSize;
        pages.ShouldBeGreaterThan(4, "a database of several pages");
        for (var i = 0; i < 40; i++)
        {
            var page = 1 + (i % (pages - 1));
            bytes[(page * pageSize) + 3 + (i / (pages - 1))] ^= 0x5A;
        }

        File.WriteAllBytes(path, bytes);
    }

    [Fact]
    public void TruncatedDatabase_IsRefusedAsTruncated_NotReadAsFewerResults()
    {
        WriteDatabase();
        var length = new FileInfo(DatabasePath).Length;
        using (var file = File.Open(DatabasePath, FileMode.Open))
        {
            file.SetLength(length / 2);
        }

        Refused().Message.ShouldContain("is truncated");
    }

    [Fact]
    public void EmptyDatabase_IsRefusedAsEmpty_NotReadAsZeroResults()
    {
        File.WriteAllBytes(DatabasePath, []);

        Refused().Message.ShouldContain("is empty (0 bytes)");
    }

    [Fact]
    public void FlippedBytesInDataPages_AreRefusedByTheIntegrityCheck_ForReadersAndForAWriterResuming()
    {
        WriteDatabase();
        FlipBytesInDataPages(DatabasePath);

        Refused().Message.ShouldContain("integrity check (quick_check) failed");
        Should.Throw<CorruptEvidenceException>(() => ResultStore.Open(DatabasePath, _cipher).Dispose())
            .Message.ShouldContain("integrity check (quick_check) failed");
    }

    [Fact]
    public void ResultsReplacedByARecursiveView_IsRefusedByTheSchemaCheck_BeforeAnyQueryReadsIt()
    {
        WriteDatabase(count: 10);
        // A view that would recurse for ever; its first recursive step raises an error (abs of the
        // smallest integer), so that a query reaching it fails with that error, not the schema check's
        // message, instead of hanging the test.
        Alter("""
            DROP TABLE results;
            CREATE VIEW results AS
              WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE abs(-9223372036854775807 - n) > 0)
              SELECT 't' AS target, 'a' AS attack, 'p' AS probe, n AS sample FROM r;
            """);

        var refused = Refused();

        refused.Message.ShouldContain("schema check failed");
        refused.Message.ShouldContain("unexpected: view results");
        Should.Throw<CorruptEvidenceException>(() => ResultStore.Open(DatabasePath, _cipher).Dispose()).Message.ShouldContain("schema check failed");
    }

    [Fact]
    public void ExtraTrigger_IsRefusedByTheSchemaCheck()
    {
        WriteDatabase(count: 10);
        Alter("CREATE TRIGGER touch AFTER INSERT ON meta BEGIN DELETE FROM cache; END;");

        var refused = Refused();

        refused.Message.ShouldContain("schema check failed");
        refused.Message.ShouldContain("unexpected: trigger touch");
    }

    // What a run killed after committing leaves behind: the database file and its log, never checkpointed
    // (copied aside while the writer is still open), in a directory of their own.
    private string KilledRun(int checkpointed, params int[] batchesInLog)
    {
        WriteDatabase(count: checkpointed);
        var killed = Directory.CreateDirectory(Path.Combine(_directory, "killed")).FullName;
        using (var writer = ResultStore.Open(DatabasePath, _cipher))
        {
            var from = checkpointed;
            foreach (var size in batchesInLog)
            {
                writer.WriteBatch(Results(from, size));
                from += size;
            }

            File.Copy(DatabasePath, Path.Combine(killed, ResultStore.FileName));
            File.Copy(DatabasePath + "-wal", Path.Combine(killed, ResultStore.FileName + "-wal"));
            File.Copy(Path.Combine(_directory, DataKeys.FileName), Path.Combine(killed, DataKeys.FileName));
        }

        new FileInfo(Path.Combine(killed, ResultStore.FileName + "-wal")).Length.ShouldBeGreaterThan(0);
        return killed;
    }

    [Fact]
    public void KilledRun_ResultsOnlyInTheLog_AreAllRead_AndCountedAsPending()
    {
        var killed = KilledRun(checkpointed: 40, 12, 3);

        using var store = ResultStore.OpenForReading(Path.Combine(killed, ResultStore.FileName), _cipher);

        store.PendingInWal.ShouldBe(15);
        store.Count().ShouldBe(55);
        store.ReadAll(withPayloads: true).ToList().ShouldBe(Results(0, 55).OrderBy(r => r.Probe, StringComparer.Ordinal).ThenBy(r => r.Sample));
    }

    [Fact]
    public void ReadOnlyDirectoryHandedToAnAuditor_ReadingCreatesNoFile_AndChangesNoByteOrTime()
    {
        // The hardest case: a log beside the database and no -shm, which any ordinary open would create.
        var killed = KilledRun(checkpointed: 20, 5);
        var path = Path.Combine(killed, ResultStore.FileName);
        var before = Snapshot(killed);

        using (var store = ResultStore.OpenForReading(path, _cipher))
        {
            store.ReadAll(withPayloads: true).Count().ShouldBe(25);
            store.ReadRequestRows().Count.ShouldBe(7);
        }

        Snapshot(killed).ShouldBe(before);
    }

    [Fact]
    public void WriterClosingNormally_LeavesNoLogBehind_EvenWithAReaderStillOpen()
    {
        WriteDatabase(count: 5);
        // Another connection open on the database (a report running beside the run): SQLite's own
        // checkpoint on close happens only for the last connection, so this one is the writer's.
        using var bystander = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabasePath, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        bystander.Open();
        using (var look = bystander.CreateCommand())
        {
            look.CommandText = "SELECT COUNT(*) FROM meta";
            look.ExecuteScalar();
        }

        using (var writer = ResultStore.Open(DatabasePath, _cipher))
        {
            writer.WriteBatch(Results(5, 30));
            new FileInfo(DatabasePath + "-wal").Length.ShouldBeGreaterThan(0);
        }

        var log = new FileInfo(DatabasePath + "-wal");
        (log.Exists ? log.Length : 0).ShouldBe(0);
    }

    // Every file in a directory: name, length, last write time and a digest of its bytes.
    private static List<string> Snapshot(string directory) =>
    [
        .. Directory.GetFiles(directory).Order(StringComparer.Ordinal).Select(f =>
            $"{Path.GetFileName(f)} {new FileInfo(f).Length} {File.GetLastWriteTimeUtc(f):O} {Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(f)))}"),
    ];
}
