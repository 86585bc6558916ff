using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Jailgrade.Registry.Events;
using Jailgrade.Registry.Identity;
using Microsoft.EntityFrameworkCore;

namespace Jailgrade.Registry.Idempotency;

/// <summary>What <see cref="IdempotencyKeys.ReserveAsync"/> found under a key.</summary>
public enum ReservationOutcome
{
    /// <summary>The key was free: the request goes ahead holding it.</summary>
    Reserved,

    /// <summary>The key holds a finished request with the same fingerprint: answer its response again.</summary>
    Replay,

    /// <summary>The key holds a request that is still running.</summary>
    InFlight,

    /// <summary>The key was used for a different request (method, target or body).</summary>
    Mismatch,
}

/// <summary>
/// The outcome of a reservation: the request to run, or the stored response to replay with
/// <see cref="Matched"/>, the index of the fingerprint (and so of the master key) it was stored under.
/// </summary>
public sealed record Reservation(ReservationOutcome Outcome, IdempotentRequest? Request = null, int Status = 0, byte[]? Response = null, int Matched = 0);

/// <summary>
/// <c>Idempotency-Key</c> on POSTs (the IETF draft "The Idempotency-Key HTTP Header Field"), scoped to
/// the caller. A key is reserved in a short transaction of its own; the request's write then commits
/// in one transaction with the key's completed record (status and sealed response), so a crash keeps
/// both or neither. A reservation whose holder died never wrote, and is taken over once its lease ends.
/// </summary>
public static class IdempotencyKeys
{
    /// <summary>How long a key is kept: after this it is ignored, and removed.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromHours(24);

    /// <summary>How long a request may hold a key in flight before a retry may take it over.</summary>
    public static readonly TimeSpan InFlightLease = TimeSpan.FromMinutes(2);

    /// <summary>The longest key accepted.</summary>
    public const int MaxKeyLength = 255;

    private const string FingerprintPurpose = "jailgrade/idempotency/fingerprint/v1";
    private const string ResponsePurpose = "jailgrade/idempotency/response/v1";
    private const byte SealVersion = 1;
    private const int NonceBytes = 12;
    private const int TagBytes = 16;

    /// <summary>1 to <see cref="MaxKeyLength"/> printable ASCII characters (space to tilde).</summary>
    public static bool IsValidKey(string key) => key.Length is >= 1 and <= MaxKeyLength && key.All(c => c is >= ' ' and <= '~');

    /// <summary>
    /// What identifies a request under its key: an HMAC (not a bare hash: bodies may hold case content)
    /// of the method, the target and the body's bytes.
    /// </summary>
    public static byte[] Fingerprint(MasterKey masterKey, string method, string target, ReadOnlySpan<byte> body) =>
        HMACSHA256.HashData(masterKey.Derive(FingerprintPurpose), Framed(Encoding.UTF8.GetBytes(method), Encoding.UTF8.GetBytes(target), body.ToArray()));

    /// <summary>
    /// Reserves <paramref name="key"/> for <paramref name="userId"/>'s request, or says what holds it.
    /// <paramref name="fingerprints"/> are the request's fingerprint under the current master key, then
    /// under each older key the server still holds (a rotation less than a day ago): a record stored
    /// under any of them is this request's. A new record gets the first. Removes every expired key on
    /// the way (the index on <c>expires_at</c> keeps that cheap).
    /// </summary>
    public static async Task<Reservation> ReserveAsync(RegistryDbContext db, Guid userId, string key, IReadOnlyList<byte[]> fingerprints, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var fingerprint = fingerprints[0];
        // The writers' lock: reservations, completions and writes never interleave under one key.
        await using var transaction = await EventLog.BeginWriteAsync(db, cancellationToken);
        await db.IdempotencyKeys.Where(r => r.ExpiresAt <= now).ExecuteDeleteAsync(cancellationToken);
        var existing = await db.IdempotencyKeys.AsNoTracking().SingleOrDefaultAsync(r => r.UserId == userId && r.Key == key, cancellationToken);
        var matched = existing is null ? -1 : IndexOfMatch(fingerprints, existing.Fingerprint);
        Reservation? found = existing switch
        {
            null => null,
            _ when matched < 0 && (existing.Status is not null || existing.CreatedAt + InFlightLease > now)
                => new Reservation(ReservationOutcome.Mismatch),
            { Status: { } status } => new Reservation(ReservationOutcome.Replay, Status: status, Response: existing.Response, Matched: matched),
            _ when existing.CreatedAt + InFlightLease > now => new Reservation(ReservationOutcome.InFlight),
            // Its holder died or outlived its lease. Its write never committed (a write commits only with
            // its completed key), so the key is free.
            _ => null,
        };
        if (found is not null)
        {
            await transaction.CommitAsync(cancellationToken);
            return found;
        }

        if (existing is not null)
        {
            await db.IdempotencyKeys.Where(r => r.UserId == userId && r.Key == key).ExecuteDeleteAsync(cancellationToken);
        }

        var record = new IdempotencyRecord
        {
            UserId = userId,
            Key = key,
            Fingerprint = fingerprint,
            Token = Guid.NewGuid(),
            CreatedAt = now,
            ExpiresAt = now + Retention,
        };
        db.IdempotencyKeys.Add(record);
        await db.SaveChangesAsync(cancellationToken);
        db.Entry(record).State = EntityState.Detached;
        await transaction.CommitAsync(cancellationToken);
        return new Reservation(ReservationOutcome.Reserved, new IdempotentRequest(userId, key, record.Token));
    }

    private static int IndexOfMatch(IReadOnlyList<byte[]> fingerprints, byte[] stored)
    {
        var matched = -1;
        for (var i = fingerprints.Count - 1; i >= 0; i--)
        {
            if (CryptographicOperations.FixedTimeEquals(fingerprints[i], stored))
            {
                matched = i;
            }
        }

        return matched;
    }

    /// <summary>
    /// Records the response of a request that wrote, in its write's transaction, and commits both. False
    /// (and the write rolled back) when the request no longer holds the key: a retry took it over.
    /// </summary>
    public static async Task<bool> CompleteAsync(RegistryDbContext db, IdempotentRequest request, int status, byte[] sealedResponse, CancellationToken cancellationToken = default)
    {
        var transaction = request.Transaction ?? throw new InvalidOperationException("the request wrote nothing; release its key instead");
        var updated = await db.IdempotencyKeys
            .Where(r => r.UserId == request.UserId && r.Key == request.Key && r.Token == request.Token && r.Status == null)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, status).SetProperty(r => r.Response, sealedResponse), cancellationToken);
        if (updated != 1)
        {
            await request.DisposeAsync();
            return false;
        }

        await transaction.CommitAsync(cancellationToken);
        await request.DisposeAsync();
        return true;
    }

    /// <summary>Rolls back whatever the request wrote and frees its key: a retry runs afresh.</summary>
    public static async Task ReleaseAsync(RegistryDbContext db, IdempotentRequest request, CancellationToken cancellationToken = default)
    {
        await request.DisposeAsync();
        // Only while in flight: a completed key keeps its write company.
        await db.IdempotencyKeys.Where(r => r.UserId == request.UserId && r.Key == request.Key && r.Token == request.Token && r.Status == null).ExecuteDeleteAsync(cancellationToken);
    }

    /// <summary>
    /// Seals a response for storage: AES-256-GCM under a key derived from the master key, bound to the
    /// caller and the key (a sealed response moved to another row fails to open). Responses may hold
    /// what is shown once (a new user's API key) or case content: none is stored in clear.
    /// Layout: version ‖ nonce ‖ tag ‖ ciphertext.
    /// </summary>
    public static byte[] Seal(MasterKey masterKey, Guid userId, string key, ReadOnlySpan<byte> response)
    {
        var sealedBytes = new byte[1 + NonceBytes + TagBytes + response.Length];
        sealedBytes[0] = SealVersion;
        var nonce = sealedBytes.AsSpan(1, NonceBytes);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(masterKey.Derive(ResponsePurpose), TagBytes);
        aes.Encrypt(nonce, response, sealedBytes.AsSpan(1 + NonceBytes + TagBytes), sealedBytes.AsSpan(1 + NonceBytes, TagBytes), AssociatedData(userId, key));
        return sealedBytes;
    }

    /// <summary>Opens what <see cref="Seal"/> sealed for the same caller and key.</summary>
    /// <exception cref="CryptographicException">It was sealed for another caller or key, under another master key, or altered.</exception>
    public static byte[] Open(MasterKey masterKey, Guid userId, string key, ReadOnlySpan<byte> sealedBytes)
    {
        if (sealedBytes.Length < 1 + NonceBytes + TagBytes || sealedBytes[0] != SealVersion)
        {
            throw new CryptographicException("not a sealed response of this version");
        }

        var response = new byte[sealedBytes.Length - 1 - NonceBytes - TagBytes];
        using var aes = new AesGcm(masterKey.Derive(ResponsePurpose), TagBytes);
        aes.Decrypt(sealedBytes.Slice(1, NonceBytes), sealedBytes[(1 + NonceBytes + TagBytes)..], sealedBytes.Slice(1 + NonceBytes, TagBytes), response, AssociatedData(userId, key));
        return response;
    }

    private static byte[] AssociatedData(Guid userId, string key) =>
        Framed(Encoding.ASCII.GetBytes(ResponsePurpose), Encoding.ASCII.GetBytes(userId.ToString("D")), Encoding.ASCII.GetBytes(key));

    // Each field length-prefixed, so no two different sequences of fields give the same bytes.
    private static byte[] Framed(params byte[][] fields)
    {
        var framed = new byte[fields.Sum(f => 4 + f.Length)];
        var at = 0;
        foreach (var field in fields)
        {
            BinaryPrimitives.WriteInt32BigEndian(framed.AsSpan(at), field.Length);
            field.CopyTo(framed, at + 4);
            at += 4 + field.Length;
        }

        return framed;
    }
}
