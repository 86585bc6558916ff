// Shared by every test project (linked in by Directory.Build.props): one way to keep committed files honest.
namespace Jailgrade.Tests.Shared;

/// <summary>
/// Committed files that tests compare against. Run the tests with JAILGRADE_REGENERATE=1 to rewrite
/// them after a deliberate change, then review the diff.
/// </summary>
internal static class Golden
{
    public static string RepoRoot { get; } = FindRoot();

    public static string PathOf(string relative) => Path.Combine(RepoRoot, relative);

    public static bool Regenerating => Environment.GetEnvironmentVariable("JAILGRADE_REGENERATE") is "1" or "true";

    /// <summary>Asserts the committed file equals <paramref name="actual"/>, or rewrites it when regenerating.</summary>
    public static void Matches(string relative, string actual)
    {
        var path = PathOf(relative);
        if (Regenerating)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, actual);
            return;
        }

        File.Exists(path).ShouldBeTrue($"{relative} is missing; run the tests with JAILGRADE_REGENERATE=1 to create it.");
        var expected = File.ReadAllText(path);
        if (expected != actual)
        {
            var expectedLines = expected.Split('\n');
            var actualLines = actual.Split('\n');
            var first = Enumerable.Range(0, Math.Min(expectedLines.Length, actualLines.Length))
                .FirstOrDefault(i => expectedLines[i] != actualLines[i], Math.Min(expectedLines.Length, actualLines.Length));
            var expectedLine = first < expectedLines.Length ? expectedLines[first] : "<end of file>";
            var actualLine = first < actualLines.Length ? actualLines[first] : "<end of output>";
            Assert.Fail($"{relative} differs at line {first + 1}:\n  committed: {expectedLine}\n  produced:  {actualLine}\n"
                + "If the change is deliberate, run the tests with JAILGRADE_REGENERATE=1 and review the diff.");
        }
    }

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Jailgrade.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Jailgrade.slnx not found above the test directory.");
    }
}
