namespace Jailgrade.Server.Tests;

/// <summary>
/// Holds the first request that reaches it (a server's <c>BeforeIdempotentHandler</c> hook) until
/// <see cref="Release"/>; later ones pass. Tests use it to keep a request in flight without timing.
/// </summary>
internal sealed class RequestGate
{
    private int _seen;

    public TaskCompletionSource Reached { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task HoldAsync()
    {
        if (Interlocked.Increment(ref _seen) == 1)
        {
            Reached.SetResult();
            await Release.Task;
        }
    }
}
