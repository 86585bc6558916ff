using Jailgrade.Cli.Hosting;

namespace Jailgrade.Cli.Remote;

/// <summary>
/// A remote verb could not do its work for a reason the user or the environment caused: a refused key,
/// an unreachable server, a missing object. The message is ready to print (server text already escaped)
/// and never holds the API key.
/// </summary>
internal sealed class RemoteException(ExitCode code, string message) : Exception(message)
{
    public ExitCode Code { get; } = code;
}
