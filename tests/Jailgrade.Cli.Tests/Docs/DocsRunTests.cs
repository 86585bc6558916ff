using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Jailgrade.Cli.Tests.Docs;

/// <summary>
/// Every command block in README.md and docs/ runs as written and prints what the doc shows
/// (docs/contributing.md, "Docs that run"). Each block runs in one bash from a copy of the repository's
/// docs, with <c>jailgrade</c> the CLI these tests were built with and the clock fixed by <c>JAILGRADE_NOW</c>.
/// </summary>
public sealed class DocsRunTests(ITestOutputHelper output) : IDisposable
{
    /// <summary>The instant <c>JAILGRADE_NOW</c> holds while docs run: dates in shown output are this one.</summary>
    public const string Now = "2026-06-12T09:00:00Z";

    /// <summary>Most blocks that may carry a skip marker (`dotnet test` itself and installs are the expected ones).</summary>
    public const int MaxExcluded = 5;

    private static readonly TimeSpan BlockTimeout = TimeSpan.FromMinutes(3);

    private readonly string _scratch = Directory.CreateTempSubdirectory("jg-docs-").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(_scratch, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS to clean.
        }
    }

    /// <summary>README.md and every Markdown file under docs/, relative to the repository root.</summary>
    public static List<string> Pages() =>
    [
        "README.md",
        .. Directory.GetFiles(Golden.PathOf("docs"), "*.md", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(Golden.RepoRoot, f).Replace('\\', '/'))
            .Where(f => !f.StartsWith("docs/examples/results/", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal),
    ];

    [Fact]
    public async Task EveryCommandBlock_RunsAndPrintsWhatTheDocShows()
    {
        var blocks = Pages().SelectMany(page => DocBlock.Read(Golden.RepoRoot, page)).ToList();
        var excluded = blocks.Where(b => b.SkipReason is not null).ToList();
        var runnable = blocks.Where(b => b.SkipReason is null).ToList();
        var shim = WriteShim();

        // Pages run side by side, each in its own copy; a page's blocks run in order, since one may use
        // what an earlier one made.
        var failures = new System.Collections.Concurrent.ConcurrentBag<(string Where, string Message)>();
        var timings = new System.Collections.Concurrent.ConcurrentBag<string>();
        await Parallel.ForEachAsync(runnable.GroupBy(b => b.File), new ParallelOptions { MaxDegreeOfParallelism = 2 }, async (page, cancellationToken) =>
        {
            var sandbox = Sandbox(page.Key);
            foreach (var block in page)
            {
                var started = Stopwatch.GetTimestamp();
                foreach (var failure in await RunAsync(block, sandbox, shim, cancellationToken))
                {
                    failures.Add(failure);
                }

                timings.Add($"  {block.Where}: {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s");
            }
        });

        output.WriteLine($"docs blocks: {runnable.Count} ran, {runnable.Count(b => b.Compared)} compared, {excluded.Count} excluded");
        foreach (var block in excluded)
        {
            output.WriteLine($"  excluded {block.Where}: {block.SkipReason}");
        }

        foreach (var timing in timings.Order(StringComparer.Ordinal))
        {
            output.WriteLine(timing);
        }

        var report = string.Join("\n", failures.OrderBy(f => f.Where, StringComparer.Ordinal).Select(f => $"{f.Where}: {f.Message}"));
        report.ShouldBeEmpty();
        excluded.Count.ShouldBeLessThanOrEqualTo(MaxExcluded,
            $"more than {MaxExcluded} command blocks are excluded: {string.Join(", ", excluded.Select(b => b.Where))}");
    }

    [Fact]
    public void CampaignsDoc_CompleteExample_IsTheShippedFileByteForByte()
    {
        var page = File.ReadAllText(Golden.PathOf("docs/campaigns.md"));
        var start = page.IndexOf("```yaml\n", StringComparison.Ordinal) + "```yaml\n".Length;
        var shown = page[start..page.IndexOf("```", start, StringComparison.Ordinal)];

        shown.ShouldBe(File.ReadAllText(Golden.PathOf("docs/examples/campaign.yaml")));
    }

    [Fact]
    public void Compare_ShownOutput_DotsMatchAnyLinesAndAMismatchNamesTheShownLine()
    {
        var shown = new List<(int, string)> { (10, "first"), (11, "  ..."), (12, "last") };

        Compare(shown, ["first", "a", "b", "last"]).ShouldBeNull();
        Compare(shown, ["first", "last"]).ShouldBeNull();
        Compare(shown, ["first", "a", "lost"]).ShouldBe((12, "shown 'last', printed nothing more"));
        Compare([(5, "x"), (6, "y")], ["x", "z"]).ShouldBe((6, "shown 'y', printed 'z'"));
        Compare([(5, "x")], ["x", "extra"]).ShouldBe((5, "printed more after this line: 'extra'"));
    }

    /// <summary>
    /// Where the printed lines first depart from the shown ones (a line <c>...</c> matches any lines,
    /// none included), or null when they match. Trailing spaces and trailing blank lines do not count.
    /// </summary>
    internal static (int Line, string Message)? Compare(IReadOnlyList<(int Line, string Text)> shown, IReadOnlyList<string> printed, int commandLine = 0)
    {
        var expected = Trim(shown.Select(s => (s.Line, s.Text.TrimEnd())).ToList(), s => s.Item2);
        var actual = Trim(printed.Select(p => p.TrimEnd()).ToList(), p => p);
        var at = 0;
        for (var e = 0; e < expected.Count; e++)
        {
            var (line, text) = expected[e];
            if (text.Trim() == "...")
            {
                // Skip to where the next shown line appears (the end when the dots close the output).
                if (e + 1 == expected.Count)
                {
                    return null;
                }

                var next = expected[e + 1].Item2;
                var found = actual.FindIndex(at, a => a == next);
                at = found < 0 ? actual.Count : found;
                continue;
            }

            if (at >= actual.Count)
            {
                return (line, $"shown '{text}', printed nothing more");
            }

            if (actual[at] != text)
            {
                return (line, $"shown '{text}', printed '{actual[at]}'");
            }

            at++;
        }

        return at < actual.Count
            ? expected.Count > 0 ? (expected[^1].Item1, $"printed more after this line: '{actual[at]}'") : (commandLine, $"shown no output, printed '{actual[at]}'")
            : null;
    }

    private static List<T> Trim<T>(List<T> lines, Func<T, string> text)
    {
        while (lines.Count > 0 && text(lines[^1]).Length == 0)
        {
            lines.RemoveAt(lines.Count - 1);
        }

        return lines;
    }

    // A directory on PATH whose 'jailgrade' is the CLI next to these tests: no second build.
    private string WriteShim()
    {
        var bin = Directory.CreateDirectory(Path.Combine(_scratch, "bin")).FullName;
        var shim = Path.Combine(bin, "jailgrade");
        File.WriteAllText(shim, $"#!/bin/sh\nexec dotnet \"{Path.Combine(AppContext.BaseDirectory, "jailgrade.dll")}\" \"$@\"\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(shim, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        return bin;
    }

    // The repository's README and docs, copied, so that what the blocks write stays out of the checkout.
    private string Sandbox(string page)
    {
        var root = Directory.CreateDirectory(Path.Combine(_scratch, Regex.Replace(page, "[^A-Za-z0-9]", "_"))).FullName;
        File.Copy(Golden.PathOf("README.md"), Path.Combine(root, "README.md"));
        foreach (var file in Directory.GetFiles(Golden.PathOf("docs"), "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(Golden.RepoRoot, file);
            if (relative.StartsWith(Path.Combine("docs", "examples", "results"), StringComparison.Ordinal))
            {
                continue;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(root, relative))!);
            File.Copy(file, Path.Combine(root, relative));
        }

        Directory.CreateDirectory(Path.Combine(root, ".home"));
        return root;
    }

    private async Task<List<(string Where, string Message)>> RunAsync(DocBlock block, string sandbox, string shim, CancellationToken cancellationToken)
    {
        var failures = new List<(string, string)>();
        if (block.Commands.Count == 0)
        {
            failures.Add((block.Where, $"a {block.Language} block with no command to run (a console block's commands start with '$ ')"));
            return failures;
        }

        var results = Directory.CreateDirectory(Path.Combine(_scratch, "out", $"{Regex.Replace(block.File, "[^A-Za-z0-9]", "_")}-{block.Line}")).FullName;
        var script = Path.Combine(results, "block.sh");
        await File.WriteAllTextAsync(script, Script(block, results), cancellationToken);

        var start = new ProcessStartInfo("bash") { WorkingDirectory = sandbox, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(script);
        start.Environment["PATH"] = shim + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH");
        start.Environment["HOME"] = Path.Combine(sandbox, ".home");
        start.Environment["XDG_CONFIG_HOME"] = Path.Combine(sandbox, ".home", ".config");
        start.Environment["JAILGRADE_NOW"] = Now;
        start.Environment.Remove("JAILGRADE_KEY");
        start.Environment.Remove("JAILGRADE_DEBUG");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(BlockTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            failures.Add((block.Where, $"did not finish within {BlockTimeout.TotalMinutes} minutes"));
            return failures;
        }

        await Task.WhenAll(stdout, stderr);
        for (var i = 0; i < block.Commands.Count; i++)
        {
            var command = block.Commands[i];
            var where = $"{block.File}:{command.Line}";
            var rcFile = Path.Combine(results, $"{i}.rc");
            if (!File.Exists(rcFile))
            {
                failures.Add((where, $"'{command.Text}' did not run ({(await stderr).Trim()})"));
                continue;
            }

            var code = int.Parse((await File.ReadAllTextAsync(rcFile, cancellationToken)).Trim(), System.Globalization.CultureInfo.InvariantCulture);
            var printed = (await File.ReadAllTextAsync(Path.Combine(results, $"{i}.out"), cancellationToken)).Split('\n');
            var errors = File.Exists(Path.Combine(results, $"{i}.err")) ? (await File.ReadAllTextAsync(Path.Combine(results, $"{i}.err"), cancellationToken)).Trim() : "";
            if (code != command.ExpectedExit)
            {
                var promised = command.ExpectedExit == 0 ? "" : $" (the doc says '# exit {command.ExpectedExit}')";
                failures.Add((where, $"'{command.Text}' exited {(command.Background ? "before it was ready" : code.ToString(System.Globalization.CultureInfo.InvariantCulture))}{promised}; stderr: {Tail(errors)}"));
            }
            else if (block.Compared && Compare(command.Shown, printed, command.Line) is { } mismatch)
            {
                failures.Add(($"{block.File}:{mismatch.Line}", $"{mismatch.Message} (command at line {command.Line}: '{command.Text}'; stderr: {Tail(errors)})"));
            }
        }

        return failures;
    }

    private static string Tail(string text) => text.Length <= 600 ? text : "..." + text[^600..];

    // One bash per block: each command's stdout, stderr and status go to files named by its index;
    // a server ('CMD &') runs in the background until it prints its first line (ready), and is stopped
    // when the block ends.
    private static string Script(DocBlock block, string results)
    {
        var script = new StringBuilder();
        script.Append("servers=()\n");
        script.Append("stop() { for p in \"${servers[@]}\"; do kill -TERM \"$p\" 2>/dev/null; done; for p in \"${servers[@]}\"; do wait \"$p\" 2>/dev/null; done; }\n");
        script.Append("trap stop EXIT\n");
        for (var i = 0; i < block.Commands.Count; i++)
        {
            var command = block.Commands[i];
            var file = $"'{results}/{i}";
            if (command.Background)
            {
                var server = Regex.Replace(command.Text, @"&\s*(#.*)?$", "");
                script.Append(CultureInfoFree($"exec {{fd{i}}}< <(exec {server} 2> {file}.err')\n"));
                script.Append("servers+=($!)\n");
                script.Append(CultureInfoFree($"if IFS= read -r -t 60 -u \"$fd{i}\" ready; then printf '%s\\n' \"$ready\" > {file}.out'; echo 0 > {file}.rc'; else : > {file}.out'; echo 1 > {file}.rc'; fi\n"));
            }
            else
            {
                script.Append(CultureInfoFree($"{{ {command.Text}\n}} > {file}.out' 2> {file}.err' < /dev/null\n"));
                script.Append(CultureInfoFree($"echo $? > {file}.rc'\n"));
            }
        }

        return script.ToString();
    }

    private static string CultureInfoFree(FormattableString text) => FormattableString.Invariant(text);
}
