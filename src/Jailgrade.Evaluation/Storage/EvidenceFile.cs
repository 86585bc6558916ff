using System.Buffers.Binary;
using System.Text;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Jailgrade.Evaluation.Storage;

/// <summary>
/// A results database that is damaged, truncated or not ours (an unexpected schema, a failed integrity
/// check): evidence that must not be graded. Documented as exit 8.
/// </summary>
public sealed class CorruptEvidenceException(string message) : Exception(message);

/// <summary>
/// Opens a results database for reading as SECURITY.md section 3 asks of evidence that may come from
/// someone else: its header checked first; then a private copy (committed results still in a
/// <c>-wal</c> file folded into the copy, never dropped, and counted); the copy opened read-only and
/// immutable with defensive settings and a step budget; its schema compared with exactly what
/// <see cref="ResultStore"/> writes (no views, no triggers) before any query reads a table; then
/// <c>quick_check</c>. Nothing is created, migrated or locked beside the original.
/// </summary>
internal static class EvidenceFile
{
    /// <summary>The most virtual-machine steps one connection may run: far above any honest query over a results database.</summary>
    public const long StepBudget = 50_000_000_000;

    private const int StepsPerCallback = 100_000;

    private static readonly byte[] Magic = Encoding.ASCII.GetBytes("SQLite format 3\0");

    /// <summary>Checks the file's header: the SQLite magic, and a length that holds every page the header counts.</summary>
    public static void CheckHeader(string path)
    {
        var name = Path.GetFileName(path);
        var length = new FileInfo(path).Length;
        if (length == 0)
        {
            throw new CorruptEvidenceException($"{path} is empty (0 bytes): not a results database; nothing can be graded from it.");
        }

        var header = new byte[100];
        using (var stream = File.OpenRead(path))
        {
            if (stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false) < header.Length || !header.AsSpan(0, 16).SequenceEqual(Magic))
            {
                throw new CorruptEvidenceException($"{path} is not an SQLite database (its first bytes are not the SQLite header).");
            }
        }

        int pageSize = BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(16, 2)) is var p && p == 1 ? 65536 : p;
        var pages = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(28, 4));
        if (pageSize < 512 || (pageSize & (pageSize - 1)) != 0)
        {
            throw new CorruptEvidenceException($"{path}: bad page size {pageSize} in the header (expected a power of two from 512 to 65536).");
        }

        if (pages > 0 && length < (long)pageSize * pages)
        {
            throw new CorruptEvidenceException($"{name} is truncated: its header counts {pages} pages of {pageSize} bytes ({(long)pageSize * pages} bytes), the file has {length}.");
        }
    }

    /// <summary>
    /// A private, checked copy of the database ready to read, and how many results the original's
    /// <c>-wal</c> held that were not yet in the database file itself.
    /// </summary>
    public static (SqliteConnection Connection, string CopyDirectory, long PendingInWal) OpenCopy(string path)
    {
        CheckHeader(path);
        var copyDirectory = Directory.CreateTempSubdirectory("jailgrade-evidence-").FullName;
        try
        {
            var copy = Path.Combine(copyDirectory, ResultStore.FileName);
            File.Copy(path, copy);
            var wal = path + "-wal";
            long pending = 0;
            if (File.Exists(wal) && new FileInfo(wal).Length > 0)
            {
                File.Copy(wal, copy + "-wal");
                pending = FoldWal(copy);
            }

            var connection = Open(copy, immutable: true);
            try
            {
                Check(connection, path);
            }
            catch
            {
                connection.Dispose();
                throw;
            }

            return (connection, copyDirectory, pending);
        }
        catch
        {
            Delete(copyDirectory);
            throw;
        }
    }

    /// <summary>Checks an existing database before a writer touches it: header, schema and <c>quick_check</c>, on a read-only connection.</summary>
    public static void CheckBeforeWriting(string path)
    {
        if (!File.Exists(path) || new FileInfo(path).Length == 0)
        {
            return;
        }

        CheckHeader(path);
        using var connection = Open(path, immutable: false);
        // A database with no table at all is one a run is creating right now (or created and was
        // killed before its first commit): nothing in it to protect, and the writer's schema follows.
        if (Schema(connection).Count > 0)
        {
            Check(connection, path);
        }
    }

    /// <summary>Removes a private copy.</summary>
    public static void Delete(string copyDirectory)
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(copyDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder the OS cleans later.
        }
    }

    /// <summary>The schema <see cref="ResultStore"/> writes, as SQLite records it: type, name, table, SQL.</summary>
    internal static IReadOnlyList<string> ExpectedSchema { get; } = ReadExpectedSchema();

    private static List<string> ReadExpectedSchema()
    {
        using var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        using (var create = connection.CreateCommand())
        {
            create.CommandText = ResultStore.Schema;
            create.ExecuteNonQuery();
        }

        return Schema(connection);
    }

    private static List<string> Schema(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY type, name";
        using var reader = command.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read())
        {
            rows.Add($"{reader.GetString(0)}|{reader.GetString(1)}|{reader.GetString(2)}|{(reader.IsDBNull(3) ? "" : reader.GetString(3))}");
        }

        return rows;
    }

    // The copy's WAL, folded into the copy: results committed by a run that was killed before it
    // checkpointed are read, and counted so that the reader can say so.
    private static long FoldWal(string copy)
    {
        long before;
        using (var plain = Open(copy, immutable: true))
        {
            before = CountResults(plain);
        }

        using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = copy, Pooling = false }.ToString()))
        {
            connection.Open();
            Guard(connection);
            using var checkpoint = connection.CreateCommand();
            checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
            checkpoint.ExecuteNonQuery();
        }

        using var folded = Open(copy, immutable: true);
        return Math.Max(0, CountResults(folded) - before);
    }

    private static long CountResults(SqliteConnection connection)
    {
        // A file whose schema is not ours has no count to give; the full check refuses it later.
        if (!Schema(connection).SequenceEqual(ExpectedSchema))
        {
            return 0;
        }

        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM results";
        return (long)command.ExecuteScalar()!;
    }

    private static SqliteConnection Open(string path, bool immutable)
    {
        var source = immutable ? new Uri(Path.GetFullPath(path)).AbsoluteUri + "?immutable=1" : path;
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = source, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        try
        {
            connection.Open();
            Guard(connection);
            using var pragmas = connection.CreateCommand();
            pragmas.CommandText = "PRAGMA trusted_schema=OFF; PRAGMA query_only=ON; PRAGMA cell_size_check=ON;";
            pragmas.ExecuteNonQuery();
            return connection;
        }
        catch (SqliteException e)
        {
            connection.Dispose();
            throw new CorruptEvidenceException($"{Path.GetFileName(path)} cannot be opened as a database: {e.Message}");
        }
    }

    // Defensive mode (no writes to the schema, no shadow tables) and a budget of steps per connection.
    private static void Guard(SqliteConnection connection)
    {
        var db = connection.Handle!;
        raw.sqlite3_db_config(db, raw.SQLITE_DBCONFIG_DEFENSIVE, 1, out _);
        long steps = 0;
        raw.sqlite3_progress_handler(db, StepsPerCallback, _ => (steps += StepsPerCallback) > StepBudget ? 1 : 0, null);
    }

    private static void Check(SqliteConnection connection, string path)
    {
        List<string> schema;
        try
        {
            schema = Schema(connection);
        }
        catch (SqliteException e)
        {
            throw new CorruptEvidenceException($"{Path.GetFileName(path)}: the database is damaged ({e.Message}); nothing was graded from it.");
        }

        if (!schema.SequenceEqual(ExpectedSchema))
        {
            var extra = schema.Except(ExpectedSchema).Select(s => s.Split('|')[0] + " " + s.Split('|')[1]).ToList();
            var missing = ExpectedSchema.Except(schema).Select(s => s.Split('|')[0] + " " + s.Split('|')[1]).ToList();
            throw new CorruptEvidenceException($"{path}: schema check failed: not the schema jailgrade writes"
                + (extra.Count > 0 ? $"; unexpected: {string.Join(", ", extra)}" : "")
                + (missing.Count > 0 ? $"; missing or different: {string.Join(", ", missing)}" : "") + ". Nothing was read from it.");
        }

        // Damage quick_check meets on its way (a page it cannot parse) stops it with an error rather than
        // a row: the same failed check, said the same way.
        var problems = new List<string>();
        try
        {
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA quick_check";
            using var reader = command.ExecuteReader();
            while (reader.Read() && problems.Count < 3)
            {
                problems.Add(reader.GetString(0));
            }
        }
        catch (SqliteException e)
        {
            problems.Add(e.Message);
        }

        if (problems is not ["ok"])
        {
            throw new CorruptEvidenceException($"{path}: integrity check (quick_check) failed: {string.Join("; ", problems)}. The database is damaged; nothing was graded from it.");
        }
    }
}
