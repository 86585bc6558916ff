using System.Runtime.InteropServices;
using Jailgrade.Cli;
using Jailgrade.Cli.Hosting;

// Ctrl+C (SIGINT) or SIGTERM asks the running verb to stop: a campaign stores what it has and says how
// to resume. A second signal is not intercepted, so it ends the process at once.
using var stop = new CancellationTokenSource();
void Stop(PosixSignalContext signal)
{
    if (!stop.IsCancellationRequested)
    {
        signal.Cancel = true;
        // Asynchronously: a verb's clean-up must not run on the signal-handling thread.
        _ = stop.CancelAsync();
    }
}

using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
return await JailgradeCli.RunAsync(args, CliContext.FromConsole(), stop.Token);
