using System.Diagnostics;
using System.IO.Compression;
using System.Security.Cryptography;

namespace Jailgrade.Cli.Tests.Install;

/// <summary>
/// The README's Install section as a newcomer follows it (issue 13 item 1): the tool package is packed,
/// installed from a folder with a nuget.config that lists that folder alone and with every registry
/// unreachable, and the installed command scores a vector and runs the demo. A second pack of the same
/// sources, built in another folder, holds the same files (docs/install.md, "Reproducible packages").
/// </summary>
public sealed class ToolPackageTests : IDisposable
{
    private const string Vector = "JG:1.0/UN:C/RL:M/AC:M/AR:N/HD:CY/UP:3/BR:S/FD:H/EX:N/DP:G";
    private static readonly string Project = Golden.PathOf(Path.Combine("src", "Jailgrade.Cli"));
    private readonly string _directory = Directory.CreateTempSubdirectory("jg-install-").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS to clean.
        }
    }

    [Fact]
    public async Task Pack_InstalledFromItsFolderAloneWithNoRegistry_ScoresAndRunsTheDemo_AndASecondPackHoldsTheSameFiles()
    {
        var feed = await PackAsync("first");
        var again = await PackAsync("second");

        var config = Path.Combine(_directory, "nuget.config");
        await File.WriteAllTextAsync(config, $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="jailgrade" value="{feed}" />
              </packageSources>
            </configuration>
            """);
        var tools = Path.Combine(_directory, "tools");
        var install = await RunAsync(Offline, "dotnet", "tool", "install", "--tool-path", tools, "--configfile", config, "jailgrade");
        install.Code.ShouldBe(0, install.Output);

        var jailgrade = Path.Combine(tools, "jailgrade");
        var score = await RunAsync(Offline, jailgrade, "score", Vector);
        score.Code.ShouldBe(0, score.Output);
        score.Stdout.ShouldBe($"{Vector}\t8.5\tHigh\n", "the README's worked vector, piped");

        var demo = Path.Combine(_directory, "demo");
        var run = await RunAsync(Offline, jailgrade, "demo", "--dir", demo);
        run.Code.ShouldBe(0, run.Output);
        run.Stdout.ShouldContain("grade: High (BI,");
        run.Stdout.ShouldContain("Restrict under us-frontier");
        Directory.EnumerateFiles(Path.Combine(demo, "results")).ShouldNotBeEmpty();

        var first = Contents(Directory.GetFiles(feed, "*.nupkg").ShouldHaveSingleItem());
        var second = Contents(Directory.GetFiles(again, "*.nupkg").ShouldHaveSingleItem());
        first.Keys.ShouldContain("tools/net10.0/any/jailgrade.dll");
        second.Keys.Order(StringComparer.Ordinal).ShouldBe(first.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, hash) in first)
        {
            second[name].ShouldBe(hash, $"{name} differs between two packs of the same sources");
        }
    }

    /// <summary>
    /// Packs as build/package.sh does, with bin and obj in a new, empty folder, so each pack compiles
    /// everything afresh. Both packs build in the same folder (the first one's is removed), as two
    /// checkouts of one commit build in the same place relative to their source root.
    /// </summary>
    private async Task<string> PackAsync(string name)
    {
        var output = Path.Combine(_directory, name);
        var artifacts = Path.Combine(_directory, "artifacts");
        if (Directory.Exists(artifacts))
        {
            Directory.Delete(artifacts, recursive: true);
        }

        var pack = await RunAsync(_ => { }, "dotnet", "pack", Project, "-c", "Release", "-p:ContinuousIntegrationBuild=true",
            "--artifacts-path", artifacts, "-o", output);
        pack.Code.ShouldBe(0, pack.Output);
        return output;
    }

    /// <summary>No registry can be reached: every HTTP request goes to a closed port on loopback.</summary>
    private void Offline(IDictionary<string, string?> environment)
    {
        environment["HTTP_PROXY"] = environment["HTTPS_PROXY"] = "http://127.0.0.1:9";
        environment["NO_PROXY"] = "127.0.0.1,localhost"; // the demo's mock target
        environment["NUGET_PACKAGES"] = Path.Combine(_directory, "empty-package-cache");
        environment["NUGET_HTTP_CACHE_PATH"] = Path.Combine(_directory, "empty-http-cache");
        environment["XDG_CONFIG_HOME"] = Path.Combine(_directory, "config");
    }

    private static Dictionary<string, string> Contents(string package)
    {
        using var zip = ZipFile.OpenRead(package);
        return zip.Entries.ToDictionary(e => e.FullName, e =>
        {
            using var stream = e.Open();
            return Convert.ToHexString(SHA256.HashData(stream));
        });
    }

    private static async Task<(int Code, string Stdout, string Output)> RunAsync(
        Action<IDictionary<string, string?>> environment, string fileName, params string[] arguments)
    {
        var start = new ProcessStartInfo(fileName == "dotnet" ? Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet" : fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        start.Environment["SOURCE_DATE_EPOCH"] = "315532800";
        environment(start.Environment);

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        // A guard against a hang, not a timing assertion: packing compiles the whole command.
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(15));
        await process.WaitForExitAsync(guard.Token);
        var (output, error) = (await stdout, await stderr);
        return (process.ExitCode, output, $"{fileName} {string.Join(' ', arguments)}\n{output}\n{error}");
    }
}
