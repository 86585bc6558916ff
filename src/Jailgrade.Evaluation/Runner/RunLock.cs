using System.Runtime.InteropServices;

namespace Jailgrade.Evaluation.Runner;

/// <summary>
/// One run at a time per results directory. Two processes running one campaign into one directory
/// would each send every missing key (SQLite keeps one result per key, but the requests, budgets and
/// progress would all be doubled), so a run holds an exclusive lock on <c>DIR/run.lock</c> while it
/// works. The operating system drops the lock when the process ends, however it ends: a run killed
/// with <c>kill -9</c> never leaves a stale lock behind for <c>--resume</c> to trip on.
/// </summary>
/// <remarks>
/// A run that ends normally removes <c>run.lock</c>, and only while it still holds the lock, so a
/// finished directory holds no lock file. That opens one race (docs/campaigns.md, "One run at a
/// time"): a run that opened the file just before the ending run removed it can lock a file that is no
/// longer in the directory, while a third run creates and locks a new one. So after locking, a run
/// checks that the file it locked is the one the directory names (same device and inode), and starts
/// over otherwise.
/// </remarks>
public sealed class RunLock : IDisposable
{
    /// <summary>The lock file's name inside the results directory.</summary>
    public const string FileName = "run.lock";

    // Each retry follows a run that removed its file in between: more than a few in a row means
    // something else keeps replacing the file.
    private const int MaxAttempts = 100;

    private readonly FileStream _stream;
    private readonly string _path;

    private RunLock(FileStream stream, string path) => (_stream, _path) = (stream, path);

    /// <summary>
    /// Takes the directory's lock, or throws <see cref="RunRefusedException"/> (reason
    /// <see cref="RefusalReason.Busy"/>) when another run holds it.
    /// </summary>
    public static RunLock Acquire(string directory) => Acquire(directory, afterLocking: null);

    /// <summary>
    /// <see cref="Acquire(string)"/> with a hook called each time a file is locked, before it is
    /// checked: tests use it to remove or replace the file at that moment, as a run ending in
    /// another process could.
    /// </summary>
    internal static RunLock Acquire(string directory, Action? afterLocking)
    {
        var path = Path.Combine(directory, FileName);
        for (var attempt = 1; ; attempt++)
        {
            FileStream stream;
            try
            {
                // FileShare.None is an exclusive flock(2) on Unix and a sharing lock on Windows. (The lock
                // also keeps everyone else from reading the file, so it holds nothing worth reading.)
                // On Windows the file cannot be removed while open, so it is removed as the handle closes.
                stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1,
                    OperatingSystem.IsWindows() ? FileOptions.DeleteOnClose : FileOptions.None);
            }
            catch (IOException)
            {
                throw new RunRefusedException(RefusalReason.Busy,
                    $"another jailgrade run is writing to {directory}; wait for it to finish, or stop it and run again with --resume.");
            }

            afterLocking?.Invoke();
            if (FileIdentity.IsFileAt(stream, path))
            {
                return new RunLock(stream, path);
            }

            stream.Dispose();
            if (attempt == MaxAttempts)
            {
                throw new IOException($"{path} was replaced {MaxAttempts} times while being locked; is something else removing it?");
            }
        }
    }

    /// <summary>Removes <c>run.lock</c> while still holding it, then releases the lock.</summary>
    public void Dispose()
    {
        if (!OperatingSystem.IsWindows() && FileIdentity.IsFileAt(_stream, _path))
        {
            try
            {
                File.Delete(_path);
            }
            catch (IOException)
            {
                // A read-only directory: the lock is released all the same, and the file is harmless.
            }
            catch (UnauthorizedAccessException)
            {
                // As above.
            }
        }

        _stream.Dispose();
    }
}

/// <summary>Whether an open file is the one a path names now.</summary>
internal static class FileIdentity
{
    /// <summary>
    /// On Linux, compares device and inode (statx(2) of the handle and of the path). On Windows an
    /// open lock file cannot be removed or replaced, so it is always the file at its path. On other
    /// systems, and on a Linux without statx, the check is that the path still exists.
    /// </summary>
    public static bool IsFileAt(FileStream stream, string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return true;
        }

        if (!OperatingSystem.IsLinux())
        {
            return File.Exists(path);
        }

        var handle = stream.SafeFileHandle;
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            var fd = (int)handle.DangerousGetHandle();
            if (NativeMethods.Statx(fd, "", NativeMethods.AtEmptyPath, NativeMethods.StatxIno, out var open) != 0)
            {
                // Our own open file cannot be missing: the kernel (before 4.11) or a sandbox refuses statx.
                return File.Exists(path);
            }

            if (NativeMethods.Statx(NativeMethods.AtFdCwd, path, 0, NativeMethods.StatxIno, out var named) != 0)
            {
                return false; // the path is gone (or unreadable): not the file we hold
            }

            return open.Ino == named.Ino && open.DevMajor == named.DevMajor && open.DevMinor == named.DevMinor;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return File.Exists(path); // a C library without statx (glibc before 2.28)
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    private static class NativeMethods
    {
        public const int AtFdCwd = -100;
        public const int AtEmptyPath = 0x1000;
        public const uint StatxIno = 0x100;

        /// <summary>struct statx (linux/stat.h): the same layout on every Linux architecture.</summary>
        [StructLayout(LayoutKind.Explicit, Size = 256)]
        public struct StatxBuffer
        {
            [FieldOffset(32)] public ulong Ino;
            [FieldOffset(136)] public uint DevMajor;
            [FieldOffset(140)] public uint DevMinor;
        }

        [DllImport("libc", EntryPoint = "statx", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int Statx(int dirfd, string path, int flags, uint mask, out StatxBuffer buffer);
    }
}
