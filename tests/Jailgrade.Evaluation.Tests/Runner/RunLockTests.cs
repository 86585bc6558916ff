using Jailgrade.Evaluation.Runner;

namespace Jailgrade.Evaluation.Tests.Runner;

public sealed class RunLockTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("jg-lock-").FullName;

    private string LockFile => Path.Combine(_directory, RunLock.FileName);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Acquire_WhileHeld_RefusesAsBusy()
    {
        using var first = RunLock.Acquire(_directory);

        var refused = Should.Throw<RunRefusedException>(() => RunLock.Acquire(_directory));

        refused.Reason.ShouldBe(RefusalReason.Busy);
        refused.Message.ShouldContain(_directory);
        refused.Message.ShouldContain("--resume");
    }

    [Fact]
    public void Acquire_AfterRelease_Succeeds()
    {
        RunLock.Acquire(_directory).Dispose();

        using var second = RunLock.Acquire(_directory);

        File.Exists(LockFile).ShouldBeTrue();
    }

    [Fact]
    public void Release_RemovesTheLockFile()
    {
        // Issue 13 item 12: a 0-byte run.lock stayed in every finished results directory.
        var held = RunLock.Acquire(_directory);
        File.Exists(LockFile).ShouldBeTrue();

        held.Dispose();

        File.Exists(LockFile).ShouldBeFalse();
    }

    // The race a removed lock file opens: run B opens run.lock just before run A, ending, removes it and
    // releases; B's lock then succeeds on a file no longer in the directory. The hook runs at the moment B
    // holds its lock and has not yet checked it, and removes the file there, as A's removal would have.

    [Fact]
    public void Acquire_RacingARunThatRemovesItsLockFile_LocksTheFileInTheDirectory()
    {
        var removed = 0;
        using var racing = RunLock.Acquire(_directory, afterLocking: () =>
        {
            if (removed++ == 0)
            {
                File.Delete(LockFile); // the ending run's removal, after this run opened the file
            }
        });

        removed.ShouldBe(2, "the first lock was on a removed file, so the run locked again");
        File.Exists(LockFile).ShouldBeTrue();
        Should.Throw<RunRefusedException>(() => RunLock.Acquire(_directory)).Reason.ShouldBe(RefusalReason.Busy);
    }

    [Fact]
    public void Acquire_RacingARunThatRemovesItsLockFileWhileAThirdStarts_IsBusyInsteadOfRunningTwice()
    {
        RunLock? third = null;
        try
        {
            var refused = Should.Throw<RunRefusedException>(() => RunLock.Acquire(_directory, afterLocking: () =>
            {
                if (third is null)
                {
                    File.Delete(LockFile); // the ending run's removal
                    third = RunLock.Acquire(_directory); // a third run starts on the new file
                }
            }));

            refused.Reason.ShouldBe(RefusalReason.Busy);
            third.ShouldNotBeNull();
        }
        finally
        {
            third?.Dispose();
        }
    }
}
