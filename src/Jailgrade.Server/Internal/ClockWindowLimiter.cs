using System.Diagnostics.CodeAnalysis;
using System.Threading.RateLimiting;

namespace Jailgrade.Server.Internal;

/// <summary>
/// A fixed-window limit that reads the server's <see cref="TimeProvider"/>: at most
/// <c>permits</c> acquisitions in each window, windows aligned to multiples of their length since the
/// Unix epoch (a one-minute window is a calendar minute). .NET's <c>FixedWindowRateLimiter</c> runs on
/// its own stopwatch and timer, which a test cannot move; this one answers the same questions from the
/// injected clock, so the limit's edges are tested without waiting. A refusal carries
/// <see cref="MetadataName.RetryAfter"/>: the time left in the current window. Nothing queues.
/// </summary>
internal sealed class ClockWindowLimiter(TimeProvider time, int permits, TimeSpan window) : RateLimiter
{
    private readonly Lock _gate = new();
    private long _window = long.MinValue;
    private int _used;
    private DateTimeOffset? _lastUsed;

    public override TimeSpan? IdleDuration
    {
        get
        {
            lock (_gate)
            {
                // Idle (and free to be dropped by the partitioned limiter) once its window has passed.
                var now = time.GetUtcNow();
                return _lastUsed is { } last && WindowOf(now) != _window ? now - last : null;
            }
        }
    }

    public override RateLimiterStatistics? GetStatistics()
    {
        lock (_gate)
        {
            var current = WindowOf(time.GetUtcNow()) == _window ? _used : 0;
            return new RateLimiterStatistics { CurrentAvailablePermits = permits - current, CurrentQueuedCount = 0 };
        }
    }

    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        lock (_gate)
        {
            var now = time.GetUtcNow();
            var current = WindowOf(now);
            if (current != _window)
            {
                _window = current;
                _used = 0;
            }

            _lastUsed = now;
            if (permitCount == 0)
            {
                return _used < permits ? Lease.Granted : Refusal(now, current);
            }

            if (_used + permitCount > permits)
            {
                return Refusal(now, current);
            }

            _used += permitCount;
            return Lease.Granted;
        }
    }

    protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken) =>
        ValueTask.FromResult(AttemptAcquireCore(permitCount));

    private long WindowOf(DateTimeOffset now) => now.UtcTicks / window.Ticks;

    private Lease Refusal(DateTimeOffset now, long current) =>
        new(false, new DateTimeOffset((current + 1) * window.Ticks, TimeSpan.Zero) - now);

    private sealed class Lease(bool acquired, TimeSpan? retryAfter) : RateLimitLease
    {
        public static readonly Lease Granted = new(true, null);

        public override bool IsAcquired => acquired;

        public override IEnumerable<string> MetadataNames => retryAfter is null ? [] : [MetadataName.RetryAfter.Name];

        public override bool TryGetMetadata(string metadataName, [NotNullWhen(true)] out object? metadata)
        {
            if (retryAfter is { } wait && metadataName == MetadataName.RetryAfter.Name)
            {
                metadata = wait;
                return true;
            }

            metadata = null;
            return false;
        }
    }
}
