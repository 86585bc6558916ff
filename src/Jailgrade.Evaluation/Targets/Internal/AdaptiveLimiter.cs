namespace Jailgrade.Evaluation.Targets.Internal;

/// <summary>
/// A concurrency limit that halves on throttling and grows back by one after a full window of
/// successes (additive increase, multiplicative decrease), never above the configured maximum.
/// A Retry-After pauses every new request of the target until it has passed.
/// </summary>
internal sealed class AdaptiveLimiter
{
    private readonly int _max;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly Queue<TaskCompletionSource> _waiters = new();
    private int _limit;
    private int _inFlight;
    private int _successes;
    private long? _lastDecrease;
    private DateTimeOffset _pausedUntil = DateTimeOffset.MinValue;

    public AdaptiveLimiter(int max, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(max);
        _max = max;
        _limit = max;
        _time = time;
    }

    public int Limit
    {
        get
        {
            lock (_gate)
            {
                return _limit;
            }
        }
    }

    public async ValueTask AcquireAsync(CancellationToken cancellationToken)
    {
        TaskCompletionSource waiter;
        lock (_gate)
        {
            if (_inFlight < _limit && _waiters.Count == 0)
            {
                _inFlight++;
                waiter = null!;
            }
            else
            {
                waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiters.Enqueue(waiter);
            }
        }

        if (waiter is not null)
        {
            await using (cancellationToken.Register(() => waiter.TrySetCanceled(cancellationToken)))
            {
                try
                {
                    await waiter.Task;
                }
                catch (OperationCanceledException)
                {
                    // Granted and cancelled in the same instant: hand the slot on.
                    if (waiter.Task.IsCompletedSuccessfully)
                    {
                        Release();
                    }

                    throw;
                }
            }
        }

        TimeSpan pause;
        lock (_gate)
        {
            pause = _pausedUntil - _time.GetUtcNow();
        }

        if (pause > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(pause, _time, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                Release();
                throw;
            }
        }
    }

    public void Release()
    {
        lock (_gate)
        {
            _inFlight--;
            Pump();
        }
    }

    public void OnSuccess()
    {
        lock (_gate)
        {
            if (_limit < _max && ++_successes >= _limit)
            {
                _limit++;
                _successes = 0;
                Pump();
            }
        }
    }

    public void OnThrottled(TimeSpan? retryAfter)
    {
        lock (_gate)
        {
            // One halving per burst of 429s: the requests already in flight were sent at the old limit.
            var now = _time.GetTimestamp();
            if (_lastDecrease is not { } last || _time.GetElapsedTime(last, now) >= TimeSpan.FromMilliseconds(100))
            {
                _limit = Math.Max(1, _limit / 2);
                _successes = 0;
                _lastDecrease = now;
            }

            if (retryAfter is { } wait && wait > TimeSpan.Zero)
            {
                var until = _time.GetUtcNow() + wait;
                if (until > _pausedUntil)
                {
                    _pausedUntil = until;
                }
            }
        }
    }

    private void Pump()
    {
        while (_inFlight < _limit && _waiters.TryDequeue(out var next))
        {
            if (next.TrySetResult())
            {
                _inFlight++;
            }
        }
    }
}
