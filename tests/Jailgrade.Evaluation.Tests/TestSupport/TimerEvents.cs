using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace Jailgrade.Evaluation.Tests.TestSupport;

/// <summary>
/// A fake clock that says when the code under test starts a timer (a timeout, a back-off, a simulated
/// latency), so a test can wait for that event and then move time, instead of sleeping or polling.
/// </summary>
internal sealed class TimerEvents : FakeTimeProvider
{
    // Long enough that it only matters when the test is already failing.
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly Channel<TimeSpan> _started = Channel.CreateUnbounded<TimeSpan>();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        if (dueTime != Timeout.InfiniteTimeSpan)
        {
            _started.Writer.TryWrite(dueTime);
        }

        return timer;
    }

    /// <summary>The due time of the next timer started (or already started and not yet awaited).</summary>
    public async Task<TimeSpan> NextTimerAsync() => await _started.Reader.ReadAsync().AsTask().WaitAsync(Patience);

    /// <summary>
    /// Awaits <paramref name="work"/>; each time it starts a timer, <paramref name="fire"/> decides
    /// (and may first wait for another event) whether time moves to that timer's due time.
    /// </summary>
    public async Task<T> RunAsync<T>(Task<T> work, Func<TimeSpan, Task<bool>> fire)
    {
        while (true)
        {
            var next = _started.Reader.ReadAsync().AsTask();
            if (await Task.WhenAny(work, next).WaitAsync(Patience) == work)
            {
                return await work;
            }

            var dueTime = await next;
            if (await fire(dueTime))
            {
                Advance(dueTime);
            }
        }
    }
}
