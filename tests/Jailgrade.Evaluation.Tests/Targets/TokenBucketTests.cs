using Jailgrade.Evaluation.Targets.Internal;
using Microsoft.Extensions.Time.Testing;

namespace Jailgrade.Evaluation.Tests.Targets;

public class TokenBucketTests
{
    [Fact]
    public async Task Take_BeyondBurst_WaitsForRefill()
    {
        var time = new FakeTimeProvider();
        var bucket = new TokenBucket(2, time);
        await bucket.TakeAsync(default);
        await bucket.TakeAsync(default);

        // No token left, and the clock does not move by itself: the third waits until it is moved.
        var third = bucket.TakeAsync(default).AsTask();
        third.IsCompleted.ShouldBeFalse();

        time.Advance(TimeSpan.FromMilliseconds(500));
        await third.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Limiter_Throttled_HalvesAndGrowsBackAfterSuccesses()
    {
        var time = new FakeTimeProvider();
        var limiter = new AdaptiveLimiter(8, time);
        limiter.OnThrottled(null);
        limiter.Limit.ShouldBe(4);
        limiter.OnThrottled(null);
        limiter.Limit.ShouldBe(4, "a burst of 429s halves once");
        for (var i = 0; i < 4; i++)
        {
            limiter.OnSuccess();
        }

        limiter.Limit.ShouldBe(5);
        await limiter.AcquireAsync(default);
        limiter.Release();
    }
}
