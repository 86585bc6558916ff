using Jailgrade.Evaluation.Judges;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Jailgrade.Evaluation.Storage;

/// <summary>
/// The results of a campaign in one SQLite file (WAL mode). A result is durable once its batch
/// commits: WAL with synchronous=NORMAL survives the process being killed (only a power loss can drop
/// the last batch). Keyed by (target, attack, probe, sample); a second write of a key is ignored, so
/// re-running work is harmless. Prompts and responses are stored encrypted.
/// </summary>
public sealed class ResultStore : IDisposable
{
    /// <summary>The file name inside the output directory.</summary>
    public const string FileName = "results.db";

    private const string Columns =
        "target, attack, probe, sample, domain, category, task, error_kind, error_message, verdict, refused, convincing, specific, success, source_label, attempts, latency_ms, cached";

    private static readonly string InsertSql =
        $"INSERT OR IGNORE INTO results({Columns}, prompt, response) VALUES({string.Join(',', Enumerable.Repeat('?', 20))})";

    /// <summary>The tables, exactly: a database read as evidence must have this schema and no other (<see cref="EvidenceFile"/>).</summary>
    internal const string Schema = """
        CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS results(
            target TEXT NOT NULL, attack TEXT NOT NULL, probe TEXT NOT NULL, sample INTEGER NOT NULL,
            domain TEXT NOT NULL, category TEXT NOT NULL, task TEXT NOT NULL,
            error_kind TEXT, error_message TEXT,
            verdict TEXT, refused INTEGER, convincing INTEGER, specific INTEGER, success INTEGER, source_label INTEGER,
            attempts INTEGER NOT NULL, latency_ms INTEGER NOT NULL, cached INTEGER NOT NULL,
            prompt BLOB, response BLOB,
            PRIMARY KEY(target, attack, probe, sample));
        CREATE TABLE IF NOT EXISTS cache(hash TEXT PRIMARY KEY, response BLOB NOT NULL);
        """;

    private readonly SqliteConnection _connection;
    // The directory's data key (DataKeys), opened with the user's results key; null without one.
    private PayloadCipher? _cipher;

    // A SqliteConnection is not thread-safe; workers look up the cache while the writer commits.
    private readonly Lock _gate = new();
    private readonly Lock _readGate = new();
    private SqliteConnection? _reader;

    // For a store opened for reading: the private copy it reads, removed on dispose.
    private string? _copyDirectory;

    private ResultStore(SqliteConnection connection)
    {
        _connection = connection;
    }

    /// <summary>
    /// Results that a run committed to its write-ahead log but had not yet checkpointed into the
    /// database file when it stopped: read all the same (for a store opened with <see cref="OpenForReading"/>).
    /// </summary>
    public long PendingInWal { get; private set; }

    /// <summary>
    /// Opens a results database as evidence, for reports and grades: read-only, from a private checked
    /// copy (<see cref="EvidenceFile"/>), creating, migrating and locking nothing. Throws
    /// <see cref="CorruptEvidenceException"/> for a damaged or foreign database and
    /// <see cref="ResultsKeyException"/> for a results key that opens none of the directory's data keys.
    /// Without a key, payloads cannot be read.
    /// </summary>
    public static ResultStore OpenForReading(string path, ResultsKey? key)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path} does not exist.", path);
        }

        var (connection, copy, pending) = EvidenceFile.OpenCopy(path);
        var store = new ResultStore(connection) { _copyDirectory = copy, PendingInWal = pending };
        try
        {
            if (key is not null)
            {
                store._cipher = DataKeys.Cipher(DirectoryOf(path), key, store.GetMeta, setMeta: null);
            }
        }
        catch
        {
            store.Dispose();
            throw;
        }

        return store;
    }

    /// <summary>
    /// Opens or creates the store for a run. An existing database is checked first (header, schema,
    /// <c>quick_check</c>): a damaged one is refused (<see cref="CorruptEvidenceException"/>) rather than
    /// resumed. A new directory gets its own data key, wrapped under <paramref name="key"/>
    /// (<see cref="DataKeys"/>). Without a key, payloads can be neither written nor read.
    /// </summary>
    public static ResultStore Open(string path, ResultsKey? key)
    {
        EvidenceFile.CheckBeforeWriting(path);
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        Execute(connection, """
            PRAGMA journal_mode=WAL;
            PRAGMA synchronous=NORMAL;
            PRAGMA busy_timeout=5000;
            """);
        Execute(connection, Schema);
        var store = new ResultStore(connection);
        try
        {
            if (key is not null)
            {
                store._cipher = DataKeys.Cipher(DirectoryOf(path), key, store.GetMeta, store.SetMeta);
            }
        }
        catch
        {
            store.Dispose();
            throw;
        }

        return store;
    }

    /// <summary>A metadata value, or null.</summary>
    public string? GetMeta(string key)
    {
        lock (_gate)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT value FROM meta WHERE key = $k";
            command.Parameters.AddWithValue("$k", key);
            return command.ExecuteScalar() as string;
        }
    }

    /// <summary>Sets a metadata value.</summary>
    public void SetMeta(string key, string value)
    {
        lock (_gate)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "INSERT INTO meta(key, value) VALUES($k, $v) ON CONFLICT(key) DO UPDATE SET value = excluded.value";
            command.Parameters.AddWithValue("$k", key);
            command.Parameters.AddWithValue("$v", value);
            command.ExecuteNonQuery();
        }
    }

    /// <summary>
    /// Writes a batch in one transaction; keys already stored are left as they are. Answers that carry a
    /// <see cref="ResultRecord.CacheKey"/> also enter the response cache, in the same transaction.
    /// Returns rows added.
    /// </summary>
    public int WriteBatch(IReadOnlyList<ResultRecord> batch)
    {
        ArgumentNullException.ThrowIfNull(batch);

        // Encrypt before taking the lock, so lookups and progress are not held up by it.
        var rows = batch.Select(Values).ToList();
        lock (_gate)
        {
            using var transaction = _connection.BeginTransaction();
            var added = InsertRows(rows);

            foreach (var r in batch.Where(r => r.CacheKey is not null && r.Response is not null && !r.Cached))
            {
                using var cache = _connection.CreateCommand();
                cache.Transaction = transaction;
                cache.CommandText = "INSERT OR IGNORE INTO cache(hash, response) VALUES($h, $r)";
                cache.Parameters.AddWithValue("$h", r.CacheKey);
                cache.Parameters.AddWithValue("$r", Seal(r.Response!, "cache", r.CacheKey!));
                cache.ExecuteNonQuery();
            }

            transaction.Commit();
            return added;
        }
    }

    private object?[] Values(ResultRecord r)
    {
        return
        [
            r.Target, r.Attack, r.Probe, r.Sample, r.Domain, r.Category, r.Task, r.ErrorKind, r.ErrorMessage,
            r.Verdict?.ToString(), r.Refused, r.Convincing, r.Specific, r.Success, r.SourceLabel, r.Attempts, r.LatencyMs, r.Cached,
            r.Prompt is null ? null : Seal(r.Prompt, Context("prompt", r)),
            r.Response is null ? null : Seal(r.Response, Context("response", r)),
        ];
    }

    // The hot insert goes through SQLite's own API with positional binding: Microsoft.Data.Sqlite looks
    // every parameter up by name on every execution, which cost more than the insert itself.
    private int InsertRows(List<object?[]> rows)
    {
        var db = _connection.Handle!;
        Check(raw.sqlite3_prepare_v2(db, InsertSql, out var statement), db);
        using (statement)
        {
            var added = 0;
            foreach (var values in rows)
            {
                for (var i = 0; i < values.Length; i++)
                {
                    var index = i + 1;
                    Check(values[i] switch
                    {
                        null => raw.sqlite3_bind_null(statement, index),
                        string text => raw.sqlite3_bind_text(statement, index, text),
                        byte[] blob => raw.sqlite3_bind_blob(statement, index, blob),
                        bool flag => raw.sqlite3_bind_int64(statement, index, flag ? 1 : 0),
                        int number => raw.sqlite3_bind_int64(statement, index, number),
                        long number => raw.sqlite3_bind_int64(statement, index, number),
                        var other => throw new InvalidOperationException($"No binding for {other.GetType().Name}."),
                    }, db);
                }

                var step = raw.sqlite3_step(statement);
                if (step != raw.SQLITE_DONE)
                {
                    SqliteException.ThrowExceptionForRC(step, db);
                }

                added += raw.sqlite3_changes(db);
                Check(raw.sqlite3_reset(statement), db);
            }

            return added;
        }
    }

    private static void Check(int code, sqlite3 db)
    {
        if (code != raw.SQLITE_OK)
        {
            SqliteException.ThrowExceptionForRC(code, db);
        }
    }

    /// <summary>The keys of every stored result.</summary>
    public HashSet<string> CompletedKeys()
    {
        lock (_gate)
        {
            var keys = new HashSet<string>(StringComparer.Ordinal);
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT target, attack, probe, sample FROM results";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                keys.Add(new WorkItem(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetInt32(3)).Key);
            }

            return keys;
        }
    }

    /// <summary>Number of stored results.</summary>
    public long Count() => Scalar("SELECT COUNT(*) FROM results");

    /// <summary>Number of stored errors.</summary>
    public long CountErrors() => Scalar("SELECT COUNT(*) FROM results WHERE error_kind IS NOT NULL");

    /// <summary>Number of answers the judge could not judge (unparseable, or the judge call failed).</summary>
    public long CountUnjudged() => Scalar("SELECT COUNT(*) FROM results WHERE error_kind IS NULL AND success IS NULL");

    private long Scalar(string sql)
    {
        lock (_gate)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = sql;
            return (long)command.ExecuteScalar()!;
        }
    }

    /// <summary>
    /// Every result in key order (so that statistics see the same sequence every time), without
    /// payloads unless <paramref name="withPayloads"/>, which needs the cipher.
    /// </summary>
    public IEnumerable<ResultRecord> ReadAll(bool withPayloads = false)
    {
        if (withPayloads && _cipher is null)
        {
            throw new InvalidOperationException("Reading payloads needs the results key.");
        }

        // Read through SQLite's own API like the insert (Microsoft.Data.Sqlite's reader cost twice as
        // much per row), with the few distinct targets, attacks, domains and tasks shared, not copied.
        // Lazy, so it cannot hold the lock that guards the connection: read only when no run is writing.
        var db = _connection.Handle!;
        Check(raw.sqlite3_prepare_v2(db, $"SELECT {Columns}{(withPayloads ? ", prompt, response" : "")} FROM results ORDER BY target, attack, probe, sample", out var statement), db);
        using (statement)
        {
            var names = new Dictionary<string, string>(StringComparer.Ordinal);
            int step;
            while ((step = raw.sqlite3_step(statement)) == raw.SQLITE_ROW)
            {
                var record = new ResultRecord
                {
                    Target = Shared(statement, 0, names)!,
                    Attack = Shared(statement, 1, names)!,
                    Probe = Shared(statement, 2, names)!,
                    Sample = raw.sqlite3_column_int(statement, 3),
                    Domain = Shared(statement, 4, names)!,
                    Category = Shared(statement, 5, names)!,
                    Task = Shared(statement, 6, names)!,
                    ErrorKind = Shared(statement, 7, names),
                    ErrorMessage = Text(statement, 8),
                    Verdict = Text(statement, 9) is { } v ? Enum.Parse<Verdict>(v) : null,
                    Refused = Flag(statement, 10),
                    Convincing = Int(statement, 11),
                    Specific = Int(statement, 12),
                    Success = Flag(statement, 13),
                    SourceLabel = Flag(statement, 14),
                    Attempts = raw.sqlite3_column_int(statement, 15),
                    LatencyMs = raw.sqlite3_column_int64(statement, 16),
                    Cached = raw.sqlite3_column_int64(statement, 17) != 0,
                };
                if (withPayloads)
                {
                    record = record with
                    {
                        Prompt = Blob(statement, 18) is { } prompt ? Unseal(prompt, Context("prompt", record)) : null,
                        Response = Blob(statement, 19) is { } response ? Unseal(response, Context("response", record)) : null,
                    };
                }

                yield return record;
            }

            if (step != raw.SQLITE_DONE)
            {
                SqliteException.ThrowExceptionForRC(step, db);
            }
        }
    }

    /// <summary>
    /// The results reduced to one row per request — (target, attack, probe) — by SQLite itself, in key
    /// order: what rates and their intervals need, in memory that grows with requests, not results.
    /// The same rows as <see cref="Statistics.SuccessRates.Rows"/> over <see cref="ReadAll"/>; an attempt is a result
    /// that is no error and was judged (<see cref="RequestOutcome.IsAttempt"/>, standard 7.1).
    /// </summary>
    public IReadOnlyList<RequestRow> ReadRequestRows(Func<string, bool>? labelsJudge = null)
    {
        // Both judgments per request; the caller's rule picks the headline one (standard 7.2). A request
        // whose answers carry labels is judged by them; recorded requests have one answer each.
        const string Sql = """
            SELECT target, attack, MIN(domain), probe,
                   SUM(error_kind IS NULL AND success IS NOT NULL),
                   SUM(error_kind IS NULL AND success = 1),
                   SUM(error_kind IS NOT NULL),
                   SUM(error_kind IS NULL AND source_label IS NOT NULL),
                   SUM(error_kind IS NULL AND source_label = 1)
            FROM results GROUP BY target, attack, probe ORDER BY target, attack, probe
            """;
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        return Query(Sql, statement =>
        {
            var target = Shared(statement, 0, names)!;
            var labelled = raw.sqlite3_column_int(statement, 7);
            var byLabel = labelled > 0 && labelsJudge?.Invoke(target) == true;
            var outcome = byLabel
                ? new RequestOutcome(Successes: raw.sqlite3_column_int(statement, 8), Attempts: labelled)
                : new RequestOutcome(Successes: raw.sqlite3_column_int(statement, 5), Attempts: raw.sqlite3_column_int(statement, 4));
            return new RequestRow(target, Shared(statement, 1, names)!, Shared(statement, 2, names)!, Text(statement, 3)!, outcome, raw.sqlite3_column_int64(statement, 6))
            {
                JudgedByLabels = byLabel,
            };
        });
    }

    /// <summary>
    /// Every (target, attack) with an answer that carries a source's label, with the campaign judge's
    /// agreement with those labels over the answers both judged (errors, answers the judge could not
    /// rate and recorded attempts without a response, which the judge never saw, left out; a pair may
    /// so have labels and nothing compared).
    /// </summary>
    public IReadOnlyList<LabelComparison> ReadLabels()
    {
        const string Sql = """
            SELECT target, attack,
                   SUM(j AND source_label = 1 AND success = 1), SUM(j AND source_label = 0 AND success = 1),
                   SUM(j AND source_label = 0 AND success = 0), SUM(j AND source_label = 1 AND success = 0)
            FROM (SELECT *, (error_kind IS NULL AND success IS NOT NULL AND verdict <> 'NoResponse') AS j FROM results WHERE source_label IS NOT NULL)
            GROUP BY target, attack ORDER BY target, attack
            """;
        return Query(Sql, statement => new LabelComparison(Text(statement, 0)!, Text(statement, 1)!, new ConfusionCounts(
            TruePositives: raw.sqlite3_column_int64(statement, 2), FalsePositives: raw.sqlite3_column_int64(statement, 3),
            TrueNegatives: raw.sqlite3_column_int64(statement, 4), FalseNegatives: raw.sqlite3_column_int64(statement, 5))));
    }

    // One read query on the writer's connection, a row at a time through the raw API (no boxing per column).
    private List<T> Query<T>(string sql, Func<sqlite3_stmt, T> read)
    {
        var db = _connection.Handle!;
        var rows = new List<T>();
        lock (_gate)
        {
            Check(raw.sqlite3_prepare_v2(db, sql, out var statement), db);
            using (statement)
            {
                int step;
                while ((step = raw.sqlite3_step(statement)) == raw.SQLITE_ROW)
                {
                    rows.Add(read(statement));
                }

                if (step != raw.SQLITE_DONE)
                {
                    SqliteException.ThrowExceptionForRC(step, db);
                }
            }
        }

        return rows;
    }

    /// <summary>A cached response for a content hash, or null. Reads on its own connection, so lookups never wait for a commit.</summary>
    public string? GetCached(string hash)
    {
        lock (_readGate)
        {
            if (_cipher is null)
            {
                return null;
            }

            if (_reader is null)
            {
                _reader = new SqliteConnection(_connection.ConnectionString);
                _reader.Open();
            }

            using var command = _reader.CreateCommand();
            command.CommandText = "SELECT response FROM cache WHERE hash = $h";
            command.Parameters.AddWithValue("$h", hash);
            return command.ExecuteScalar() is byte[] payload ? _cipher.Decrypt(payload, "cache", hash) : null;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _reader?.Dispose();
        if (_copyDirectory is null)
        {
            // A writer leaves no committed result in the log: a reader that may not write could not see it.
            try
            {
                Execute(_connection, "PRAGMA wal_checkpoint(TRUNCATE);");
            }
            catch (SqliteException)
            {
                // Busy or read-only: the log stays, and readers fold it in from their copy.
            }
        }

        _connection.Dispose();
        _cipher?.Dispose();
        if (_copyDirectory is not null)
        {
            EvidenceFile.Delete(_copyDirectory);
        }
    }

    private byte[] Seal(string text, params ReadOnlySpan<string> context) =>
        (_cipher ?? throw new InvalidOperationException("Writing payloads needs the results key.")).Encrypt(text, context);

    // A payload bound to its field and row: each part length-prefixed in the associated data (PayloadCipher).
    private static string[] Context(string field, ResultRecord r) =>
        [field, r.Target, r.Attack, r.Probe, r.Sample.ToString(System.Globalization.CultureInfo.InvariantCulture)];

    // The data key opened the directory's check, so a payload that fails here was altered or moved: evidence, not a key, is wrong.
    private string Unseal(byte[] payload, string[] context)
    {
        try
        {
            return _cipher!.Decrypt(payload, context);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            throw new CorruptEvidenceException($"the {context[0]} of {string.Join('|', context[1..])} does not decrypt: altered, or moved from another row or directory.");
        }
    }

    private static string DirectoryOf(string path) => Path.GetDirectoryName(Path.GetFullPath(path))!;

    private static bool IsNull(sqlite3_stmt statement, int i) => raw.sqlite3_column_type(statement, i) == raw.SQLITE_NULL;

    private static string? Text(sqlite3_stmt statement, int i) => IsNull(statement, i) ? null : raw.sqlite3_column_text(statement, i).utf8_to_string();

    // A text value that repeats across rows: one string instance per distinct value kept in memory.
    private static string? Shared(sqlite3_stmt statement, int i, Dictionary<string, string> names)
    {
        if (Text(statement, i) is not { } text)
        {
            return null;
        }

        if (names.TryGetValue(text, out var known))
        {
            return known;
        }

        names.Add(text, text);
        return text;
    }

    private static int? Int(sqlite3_stmt statement, int i) => IsNull(statement, i) ? null : raw.sqlite3_column_int(statement, i);

    private static bool? Flag(sqlite3_stmt statement, int i) => IsNull(statement, i) ? null : raw.sqlite3_column_int64(statement, i) != 0;

    private static byte[]? Blob(sqlite3_stmt statement, int i) => IsNull(statement, i) ? null : raw.sqlite3_column_blob(statement, i).ToArray();

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
