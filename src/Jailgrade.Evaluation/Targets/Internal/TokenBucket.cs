namespace Jailgrade.Evaluation.Targets.Internal;

/// <summary>A token bucket: <c>rate</c> tokens a second, holding at most <c>burst</c>.</summary>
internal sealed class TokenBucket
{
    private readonly double _rate;
    private readonly double _burst;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private double _tokens;
    private long _stamp;

    public TokenBucket(double rate, TimeProvider time, double? burst = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rate);
        _rate = rate;
        _burst = burst ?? Math.Max(1, rate);
        _time = time;
        _tokens = _burst;
        _stamp = time.GetTimestamp();
    }

    public async ValueTask TakeAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            TimeSpan wait;
            lock (_gate)
            {
                var now = _time.GetTimestamp();
                _tokens = Math.Min(_burst, _tokens + (_time.GetElapsedTime(_stamp, now).TotalSeconds * _rate));
                _stamp = now;
                if (_tokens >= 1)
                {
                    _tokens -= 1;
                    return;
                }

                wait = TimeSpan.FromSeconds((1 - _tokens) / _rate);
            }

            await Task.Delay(wait, _time, cancellationToken);
        }
    }
}
