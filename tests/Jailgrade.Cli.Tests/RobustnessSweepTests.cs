using System.Net;
using System.Net.Sockets;
using System.Text;
using Jailgrade.Cli.Tests.TestSupport;

namespace Jailgrade.Cli.Tests;

/// <summary>
/// Issue 9's sweep: every input a reviewer used to crash the command line, run through it again. Each
/// ends with its documented exit code and a message; none with 70 ("a bug in jailgrade") or a stack
/// trace. The items' own tests pin the messages and positions; this one pins that nothing reaches the
/// bug handler. Items 7, 12 and 13 (misbehaving servers) are answers a run records as errors, pinned
/// by TargetMisbehaviourTests; items 6 and 17 (read-only and hostile evidence) by EvidenceFileTests.
/// </summary>
public sealed class RobustnessSweepTests : IClassFixture<RobustnessSweepTests.Evidence>
{
    private const string Vector = "JG:1.0/UN:U/RL:H/AC:L/AR:N/HD:CY/UP:3/BR:W/FD:H/EX:P/DP:G";
    private readonly Evidence _evidence;

    public RobustnessSweepTests(Evidence evidence) => _evidence = evidence;

    public static TheoryData<string> Items =>
    [
        "1 campaign nested 50,000 levels", "1 policy nested 50,000 levels", "2 campaign with 200,000 unknown keys",
        "3 decide reported 9999", "3 policy within P9000Y", "4 payload report under another user's key",
        "5 empty results.db", "5 truncated results.db", "8 mock-target on a port in use", "9 header with CR LF",
        "10 base_url with user info", "11 nested list in categories", "14 byte-order mark on standard input",
        "15 empty campaign", "15 unclosed [", "18 results key readable by others",
    ];

    [Theory]
    [MemberData(nameof(Items))]
    public async Task Item_EndsWithItsDocumentedExitCode_NeverSeventyNorAStackTrace(string item)
    {
        var (result, expected) = await RunAsync(item);

        result.ExitCode.ShouldNotBe(70, $"{item}: {result.Stderr}");
        result.ExitCode.ShouldBe(expected, $"{item}: {result.Stderr}");
        (result.Stdout + result.Stderr).ShouldNotContain("   at ", customMessage: $"{item}: a stack trace");
        (result.Stdout + result.Stderr).ShouldNotContain("bug", Case.Insensitive, $"{item}: blamed on a bug");
        if (expected != 0)
        {
            result.Stderr.Trim().ShouldNotBeEmpty($"{item}: refused without a word");
        }
    }

    private async Task<(CliResult Result, int Expected)> RunAsync(string item)
    {
        var dir = _evidence.Scratch();
        string File(string name, string text)
        {
            var path = Path.Combine(dir, name);
            System.IO.File.WriteAllText(path, text);
            return path;
        }

        string Campaign(string targetsAndMore) => File("campaign.yaml", $"""
            campaign: sweep
            seed: 1
            probes:
              - builtin: canary
            {targetsAndMore}
            """);

        const string HttpTarget = "targets:\n  - id: t\n    provider: openai\n    model: m\n    base_url: http://127.0.0.1:9/v1\n";
        switch (item)
        {
            case var _ when item.StartsWith("1 campaign", StringComparison.Ordinal):
                return (await CliRun.RunAsync("eval", "run", File("deep.yaml", "campaign: " + new string('[', 50_000)), "--dry-run"), 1);
            case var _ when item.StartsWith("1 policy", StringComparison.Ordinal):
                return (await CliRun.RunAsync("policy", "validate", File("deep-policy.yaml", "id: " + new string('[', 50_000))), 1);
            case var _ when item.StartsWith("2 ", StringComparison.Ordinal):
                var keys = new StringBuilder("campaign: sweep\n");
                for (var i = 0; i < 200_000; i++)
                {
                    keys.Append("unknown").Append(i).Append(": 1\n");
                }

                return (await CliRun.RunAsync("eval", "run", File("keys.yaml", keys.ToString()), "--dry-run"), 1);
            case var _ when item.StartsWith("3 decide", StringComparison.Ordinal):
                return (await CliRun.RunAsync("decide", "--policy", "us-frontier", "--vector", Vector, "--reported", "9999-12-31T23:59:59Z"), 1);
            case var _ when item.StartsWith("3 policy", StringComparison.Ordinal):
                using (var stream = typeof(Jailgrade.Policy.BuiltinPolicies).Assembly.GetManifestResourceStream("Jailgrade.Policy.Builtin.us-frontier.yaml")!)
                using (var reader = new StreamReader(stream))
                {
                    var policy = (await reader.ReadToEndAsync()).Replace("within: P14D", "within: P9000Y", StringComparison.Ordinal);
                    return (await CliRun.RunAsync("policy", "validate", File("long.yaml", policy)), 1);
                }

            case var _ when item.StartsWith("4 ", StringComparison.Ordinal):
                return (await CliRun.RunAsync([], false, _evidence.OtherUser, "eval", "report", _evidence.Results, "--include-payloads"), 4);
            case var _ when item.StartsWith("5 empty", StringComparison.Ordinal):
                return (await CliRun.RunAsync("eval", "report", _evidence.Damaged(dir, bytes => [])), 8);
            case var _ when item.StartsWith("5 truncated", StringComparison.Ordinal):
                return (await CliRun.RunAsync("eval", "report", _evidence.Damaged(dir, bytes => bytes[..(bytes.Length / 2)])), 8);
            case var _ when item.StartsWith("8 ", StringComparison.Ordinal):
                using (var holder = new TcpListener(IPAddress.Loopback, 0))
                {
                    holder.Start();
                    var port = ((IPEndPoint)holder.LocalEndpoint).Port;
                    return (await CliRun.RunAsync("mock-target", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)), 9);
                }

            case var _ when item.StartsWith("9 ", StringComparison.Ordinal):
                return (await CliRun.RunAsync("eval", "run", Campaign(HttpTarget + "    headers:\n      X-Team: \"red\\r\\nX-Evil: 1\"\n"), "--dry-run"), 1);
            case var _ when item.StartsWith("10 ", StringComparison.Ordinal):
                return (await CliRun.RunAsync("eval", "run", Campaign(HttpTarget.Replace("http://127.0.0.1", "http://user:pass@127.0.0.1", StringComparison.Ordinal)), "--dry-run"), 1);
            case var _ when item.StartsWith("11 ", StringComparison.Ordinal):
                return (await CliRun.RunAsync("eval", "run", Campaign(HttpTarget + "categories: [[x]]\n"), "--dry-run"), 1);
            case var _ when item.StartsWith("14 ", StringComparison.Ordinal):
                return (await CliRun.RunWithInputAsync("\uFEFF" + Vector + "\n", "score"), 0);
            case var _ when item.StartsWith("15 empty", StringComparison.Ordinal):
                return (await CliRun.RunAsync("eval", "run", File("empty.yaml", ""), "--dry-run"), 1);
            case var _ when item.StartsWith("15 unclosed", StringComparison.Ordinal):
                return (await CliRun.RunAsync("eval", "run", Campaign(HttpTarget + "categories: [CY, BI\n"), "--dry-run"), 1);
            case var _ when item.StartsWith("18 ", StringComparison.Ordinal):
                var key = Path.Combine(_evidence.OwnerConfig, "jailgrade", "results.key");
                var copy = Path.Combine(dir, "config", "jailgrade");
                Directory.CreateDirectory(copy);
                System.IO.File.Copy(key, Path.Combine(copy, "results.key"));
                if (!OperatingSystem.IsWindows())
                {
                    System.IO.File.SetUnixFileMode(Path.Combine(copy, "results.key"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
                }

                return (await CliRun.RunAsync([], false, Evidence.ConfigAt(Path.Combine(dir, "config")), "eval", "report", _evidence.Results, "--include-payloads"), 4);
            default:
                throw new ArgumentException($"no such item: {item}", nameof(item));
        }
    }

    /// <summary>One real results directory (the simulated model, in-process), written once for the sweep.</summary>
    public sealed class Evidence : IAsyncLifetime
    {
        private readonly string _root = Directory.CreateTempSubdirectory("jg-sweep-evidence-").FullName;

        public string Results => Path.Combine(_root, "results");

        /// <summary>A new directory for one item, removed with the rest.</summary>
        public string Scratch() => Directory.CreateDirectory(Path.Combine(_root, "items", Guid.NewGuid().ToString("N"))).FullName;

        public string OwnerConfig => Path.Combine(_root, "owner");

        /// <summary>Another user, with a results key of their own and no share in this directory.</summary>
        public Func<string, string?> OtherUser => ConfigAt(Path.Combine(_root, "other"));

        public static Func<string, string?> ConfigAt(string config) =>
            name => name == "XDG_CONFIG_HOME" ? config : null;

        public string Damaged(string dir, Func<byte[], byte[]> damage)
        {
            var copy = Path.Combine(dir, "damaged");
            Directory.CreateDirectory(copy);
            foreach (var file in Directory.GetFiles(Results))
            {
                System.IO.File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
            }

            var database = Path.Combine(copy, "results.db");
            System.IO.File.WriteAllBytes(database, damage(System.IO.File.ReadAllBytes(database)));
            return copy;
        }

        public async Task InitializeAsync()
        {
            var campaign = Path.Combine(_root, "campaign.yaml");
            await System.IO.File.WriteAllTextAsync(campaign, $"""
                campaign: sweep
                seed: 1
                probes:
                  - builtin: canary
                    limit: 4
                targets:
                  - id: mock
                    provider: mock
                judge:
                  kind: rubric
                  target:
                    id: judge
                    provider: mock
                    model: mock-judge-1
                output: {Results}
                """);
            var run = await CliRun.RunAsync([], false, ConfigAt(OwnerConfig), "eval", "run", campaign);
            run.ExitCode.ShouldBe(0, run.Stderr);

            // The other user makes a key of their own by running a campaign of their own.
            var other = Path.Combine(_root, "other-campaign.yaml");
            await System.IO.File.WriteAllTextAsync(other, (await System.IO.File.ReadAllTextAsync(campaign)).Replace(Results, Path.Combine(_root, "other-results"), StringComparison.Ordinal));
            var otherRun = await CliRun.RunAsync([], false, OtherUser, "eval", "run", other);
            otherRun.ExitCode.ShouldBe(0, otherRun.Stderr);
        }

        public Task DisposeAsync()
        {
            Directory.Delete(_root, recursive: true);
            return Task.CompletedTask;
        }
    }
}
