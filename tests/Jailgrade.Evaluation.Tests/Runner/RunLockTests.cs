using Jailgrade.Evaluation.Runner;

namespace Jailgrade.Evaluation.Tests.Runner;

public sealed class RunLockTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("jg-lock-").FullName;

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

        File.Exists(Path.Combine(_directory, RunLock.FileName)).ShouldBeTrue();
    }
}
