namespace Jailgrade.Evaluation.Runner;

/// <summary>
/// One run at a time per results directory. Two processes running one campaign into one directory
/// would each send every missing key (SQLite keeps one result per key, but the requests, budgets and
/// progress would all be doubled), so a run holds an exclusive lock on <c>DIR/run.lock</c> while it
/// works. The operating system drops the lock when the process ends, however it ends: a run killed
/// with <c>kill -9</c> never leaves a stale lock behind for <c>--resume</c> to trip on.
/// </summary>
public sealed class RunLock : IDisposable
{
    /// <summary>The lock file's name inside the results directory.</summary>
    public const string FileName = "run.lock";

    private readonly FileStream _stream;

    private RunLock(FileStream stream) => _stream = stream;

    /// <summary>
    /// Takes the directory's lock, or throws <see cref="RunRefusedException"/> (reason
    /// <see cref="RefusalReason.Busy"/>) when another run holds it.
    /// </summary>
    public static RunLock Acquire(string directory)
    {
        var path = Path.Combine(directory, FileName);
        try
        {
            // FileShare.None is an exclusive flock(2) on Unix and a sharing lock on Windows. (The lock
            // also keeps everyone else from reading the file, so it holds nothing worth reading.)
            return new RunLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        }
        catch (IOException)
        {
            throw new RunRefusedException(RefusalReason.Busy,
                $"another jailgrade run is writing to {directory}; wait for it to finish, or stop it and run again with --resume.");
        }
    }

    /// <inheritdoc />
    public void Dispose() => _stream.Dispose();
}
