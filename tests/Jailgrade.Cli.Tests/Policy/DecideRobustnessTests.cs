using Jailgrade.Cli.Tests.TestSupport;

namespace Jailgrade.Cli.Tests.Policy;

/// <summary>Regression tests for issue 9 on <c>decide</c> and <c>policy validate</c>: bad input is exit 1 with its place, never 70.</summary>
public sealed class DecideRobustnessTests : IDisposable
{
    private const string CriticalCyberGa = "JG:1.0/UN:U/RL:H/AC:L/AR:N/HD:CY/UP:3/BR:W/FD:H/EX:P/DP:G";
    private readonly string _directory = Directory.CreateTempSubdirectory("jailgrade-decide-robust-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string WriteFile(string name, string text)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public async Task Decide_ReportedInYear9999_ExitsOneWithTheRangeNotSeventy()
    {
        // Issue 9 item 3: `decide --reported 9999-12-31T23:59:59Z` ended with exit 70.
        var result = await CliRun.RunAsync("decide", "--policy", "us-frontier", "--vector", CriticalCyberGa, "--reported", "9999-12-31T23:59:59Z", "--json");

        result.ExitCode.ShouldBe(1);
        result.Stderr.ShouldBe("jailgrade decide: --reported: '9999-12-31T23:59:59Z' is outside the supported range 1970-01-01T00:00:00Z to 2999-12-31T23:59:59Z\n");
    }

    [Fact]
    public async Task Decide_CasesWithOneFarFutureCase_DecidesTheOthers()
    {
        // Issue 9 item 3: one such case aborted the whole batch.
        var file = WriteFile("cases.jsonl", $$"""
            {"id": "far", "vector": "{{CriticalCyberGa}}", "reported": "9999-12-31T23:59:59Z"}
            {"id": "near", "vector": "{{CriticalCyberGa}}", "reported": "2026-06-12T09:00:00Z"}
            """);

        var result = await CliRun.RunAsync("decide", "--policy", "us-frontier", "--cases", file);

        result.ExitCode.ShouldBe(1);
        result.Lines.ShouldHaveSingleItem().ShouldStartWith("{\"id\":\"near\"");
        result.Stderr.ShouldStartWith($"{file}:1:{"{\"id\": \"far\", \"vector\": \"".Length + CriticalCyberGa.Length + "\", \"reported\": ".Length + 1}: \"reported\": '9999-12-31T23:59:59Z' is outside the supported range");
    }

    [Fact]
    public async Task PolicyValidate_WithinNineThousandYears_IsAnErrorAtTheDuration()
    {
        // Issue 9 item 3: `within: P9000Y` passed validation, after which every decide crashed.
        using var stream = typeof(Jailgrade.Policy.BuiltinPolicies).Assembly.GetManifestResourceStream("Jailgrade.Policy.Builtin.us-frontier.yaml")!;
        var text = new StreamReader(stream).ReadToEnd();
        var first = System.Text.RegularExpressions.Regex.Match(text, @"within: (P[0-9A-Z]+)");
        var file = WriteFile("far.yaml", text[..first.Groups[1].Index] + "P9000Y" + text[(first.Groups[1].Index + first.Groups[1].Length)..]);
        var line = text[..first.Index].Count(c => c == '\n') + 1;

        var result = await CliRun.RunAsync("policy", "validate", file);

        result.ExitCode.ShouldBe(1);
        result.Stderr.ShouldContain($"{file}:{line}:");
        result.Stderr.ShouldContain("error BadDuration: 'P9000Y' is not an ISO 8601 duration: longer than the longest duration a policy may state (100 years)");
    }

    [Fact]
    public async Task Decide_CasesWithManyBadLines_ReportsEachAtItsColumnFirstOneFirstUpToABound()
    {
        // Issue 9 item 15: errors had no column and raw .NET text; every error is reported, in order, up to 100.
        var lines = new List<string>
        {
            "{\"vector\": 17}",
            "{\"vector\": \"" + CriticalCyberGa + "\", \"facts\": {\"incident\": 3}}",
            "{\"vector\": \"" + CriticalCyberGa + "\", \"countries\": [1]}",
            "{\"vector\": \"" + CriticalCyberGa + "\"",
        };
        lines.AddRange(Enumerable.Range(0, 120).Select(_ => "{bad"));
        var file = WriteFile("bad.jsonl", string.Join('\n', lines) + "\n");

        var result = await CliRun.RunAsync("decide", "--policy", "us-frontier", "--cases", file);

        var errors = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        result.ExitCode.ShouldBe(1);
        errors.Length.ShouldBe(101);
        errors[0].ShouldBe($"{file}:1:12: a case needs \"vector\", a JG vector string");
        errors[1].ShouldBe($"{file}:2:{lines[1].IndexOf("{\"incident", StringComparison.Ordinal) + 1}: fact 'incident' must be a string, not a number");
        errors[2].ShouldBe($"{file}:3:{lines[2].IndexOf("[1]", StringComparison.Ordinal) + 1}: \"countries\" must be a list of country codes or one comma-separated string");
        errors[3].ShouldBe($"{file}:4:{lines[3].Length + 1}: not a JSON case: the JSON is malformed here (a missing quote, comma or brace?)");
        errors[4].ShouldBe($"{file}:5:2: not a JSON case: the JSON is malformed here (a missing quote, comma or brace?)");
        errors[100].ShouldBe($"{file}: and 24 more errors (only the first 100 are reported)");
        result.Stderr.ShouldNotContain("LineNumber");
        result.Stderr.ShouldNotContain("requires an element of type");
    }
}
