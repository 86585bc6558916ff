using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Jailgrade.Registry.Events;

/// <summary>
/// Every change to the registry goes through <see cref="WriteAsync{T}"/>: one transaction holding the
/// state and its events, with sequence numbers assigned by one writer at a time (SQLite: the write
/// lock of <c>BEGIN IMMEDIATE</c>; PostgreSQL: a transaction-scoped advisory lock), so they are
/// contiguous across instances and a rolled-back write leaves no gap.
/// </summary>
public static class EventLog
{
    // "jgevents": the advisory lock every writer of events takes on PostgreSQL.
    private const long WriterLock = 0x6a676576656e7473;

    /// <summary>
    /// Runs <paramref name="work"/> in a write transaction and commits it with its events. In a request
    /// holding an idempotency key (<see cref="RegistryDbContext.Idempotency"/>) the transaction stays
    /// open instead, and commits with the key's recorded response (<c>IdempotencyKeys.CompleteAsync</c>);
    /// a second write in that request joins it.
    /// </summary>
    public static async Task<T> WriteAsync<T>(RegistryDbContext db, TimeProvider time, Func<RegistryWrite, Task<T>> work, CancellationToken cancellationToken = default)
    {
        if (db.InBatch)
        {
            return await RunAsync(db, time, work, cancellationToken);
        }

        if (db.Idempotency is { } idempotent)
        {
            idempotent.Transaction ??= await BeginWriteAsync(db, cancellationToken);
            return await RunAsync(db, time, work, cancellationToken);
        }

        await using var transaction = await BeginWriteAsync(db, cancellationToken);
        var result = await RunAsync(db, time, work, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return result;
    }

    /// <summary>
    /// Runs many writes in one transaction, for bulk loads (the load benchmark's seed): every
    /// <see cref="WriteAsync{T}"/> inside joins it and still appends its own events with contiguous
    /// numbers, and all of them commit together, or none. Not for requests: a batch holds the writers'
    /// lock for its whole length.
    /// </summary>
    public static async Task BatchAsync(RegistryDbContext db, Func<Task> work, CancellationToken cancellationToken = default)
    {
        if (db.InBatch || db.Idempotency is not null)
        {
            throw new InvalidOperationException("a batch cannot run inside another write");
        }

        await using var transaction = await BeginWriteAsync(db, cancellationToken);
        db.InBatch = true;
        try
        {
            await work();
            await transaction.CommitAsync(cancellationToken);
        }
        finally
        {
            db.InBatch = false;
        }
    }

    /// <summary>Begins a transaction holding the writers' lock.</summary>
    internal static async Task<IDbContextTransaction> BeginWriteAsync(RegistryDbContext db, CancellationToken cancellationToken)
    {
        // EF's SQLite provider begins a non-deferred transaction: BEGIN IMMEDIATE, the database's write lock.
        var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (db.Database.IsNpgsql())
        {
            await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_xact_lock({WriterLock})", cancellationToken);
        }

        return transaction;
    }

    private static async Task<T> RunAsync<T>(RegistryDbContext db, TimeProvider time, Func<RegistryWrite, Task<T>> work, CancellationToken cancellationToken)
    {
        var last = await db.EventEnvelopes.MaxAsync(e => (long?)e.Seq, cancellationToken) ?? 0;
        var write = new RegistryWrite(db, EventEncoding.Truncate(time.GetUtcNow()), last);
        var result = await work(write);
        var untracked = write.StampCaseParts();
        await db.SaveChangesAsync(cancellationToken);
        foreach (var (id, seq) in untracked.Headers)
        {
            await db.Cases.Where(c => c.Id == id).ExecuteUpdateAsync(s => s.SetProperty(c => c.LastSeq, seq), cancellationToken);
        }

        foreach (var (id, seq) in untracked.Involvements)
        {
            await db.Involvements.Where(i => i.Id == id).ExecuteUpdateAsync(s => s.SetProperty(i => i.LastSeq, seq), cancellationToken);
        }

        return result;
    }
}

/// <summary>One write transaction: the context, the server's time for every event in it, and <see cref="Append"/>.</summary>
public sealed class RegistryWrite
{
    // The last event of each case part this write appended to (CaseHeader.LastSeq, Involvement.LastSeq).
    private readonly Dictionary<Guid, long> _headers = [];
    private readonly Dictionary<Guid, long> _involvements = [];
    private long _last;

    internal RegistryWrite(RegistryDbContext db, DateTimeOffset now, long last)
    {
        Db = db;
        Now = now;
        _last = last;
    }

    public RegistryDbContext Db { get; }

    /// <summary>The server's time of this write, at millisecond precision.</summary>
    public DateTimeOffset Now { get; }

    /// <summary>Adds an event with the next sequence number; saved with the rest of the write.</summary>
    public EventEnvelope Append(string type, string objectKind, Guid objectId, JsonObject body, Guid? caseId = null, Guid? involvementId = null)
    {
        var envelope = new EventEnvelope
        {
            Seq = ++_last,
            Type = type,
            ObjectKind = objectKind,
            ObjectId = objectId,
            CaseId = caseId,
            InvolvementId = involvementId,
            OccurredAt = Now,
            Commitment = [],
        };
        var canonical = EventEncoding.Canonical(envelope, body);
        var salt = RandomNumberGenerator.GetBytes(EventEncoding.SaltBytes);
        envelope.Commitment = EventEncoding.Commitment(salt, canonical);
        Db.EventEnvelopes.Add(envelope);
        Db.EventBodies.Add(new EventBody { Seq = envelope.Seq, Salt = salt, Canonical = canonical });
        if (involvementId is { } involvement)
        {
            _involvements[involvement] = envelope.Seq;
        }
        else if (caseId is { } header)
        {
            _headers[header] = envelope.Seq;
        }

        return envelope;
    }

    /// <summary>
    /// Sets the last seq of each case part appended to on its tracked entity, saved with the rest of the
    /// write; returns the parts the context does not track, which the caller updates after saving.
    /// </summary>
    internal (List<KeyValuePair<Guid, long>> Headers, List<KeyValuePair<Guid, long>> Involvements) StampCaseParts()
    {
        List<KeyValuePair<Guid, long>> headers = [], involvements = [];
        foreach (var (id, seq) in _headers)
        {
            if (Db.Cases.Local.FindEntry(id) is { } entry)
            {
                entry.Entity.LastSeq = seq;
            }
            else
            {
                headers.Add(new(id, seq));
            }
        }

        foreach (var (id, seq) in _involvements)
        {
            if (Db.Involvements.Local.FindEntry(id) is { } entry)
            {
                entry.Entity.LastSeq = seq;
            }
            else
            {
                involvements.Add(new(id, seq));
            }
        }

        return (headers, involvements);
    }
}
