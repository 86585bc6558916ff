using Microsoft.EntityFrameworkCore.Storage;

namespace Jailgrade.Registry.Events;

/// <summary>
/// A request holding an idempotency key. While it is set on the request's context
/// (<see cref="RegistryDbContext.Idempotency"/>), <see cref="EventLog.WriteAsync{T}"/> leaves its
/// transaction open, and the idempotency keys' completion (<c>IdempotencyKeys.CompleteAsync</c>) commits the write together with
/// the response it produced.
/// </summary>
public sealed class IdempotentRequest(Guid userId, string key, Guid token) : IAsyncDisposable
{
    public Guid UserId { get; } = userId;

    public string Key { get; } = key;

    internal Guid Token { get; } = token;

    /// <summary>The write transaction the request opened, still uncommitted; null while it has written nothing.</summary>
    internal IDbContextTransaction? Transaction { get; set; }

    /// <summary>Whether the request entered a write (whose commit waits for its response).</summary>
    public bool Wrote => Transaction is not null;

    /// <summary>Rolls back a write that was not completed.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Transaction is { } transaction)
        {
            Transaction = null;
            await transaction.DisposeAsync();
        }
    }
}
