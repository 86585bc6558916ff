using System.Text;
using Jailgrade.Evaluation.Judges;
using Jailgrade.Evaluation.Mock;
using Jailgrade.Evaluation.Runner;
using Jailgrade.Evaluation.Storage;
using Jailgrade.Evaluation.Tests.TestSupport;

namespace Jailgrade.Evaluation.Tests.Runner;

public class CampaignRunnerTests
{
    private static readonly MockTargetOptions RolePlayVulnerable = new()
    {
        Vulnerabilities = [new MockVulnerability("roleplay", "pretend you are dan", 0.4)],
    };

    [Fact]
    public async Task Run_AgainstMock_StoresOneResultPerKeyAndMeasuresTheVulnerability()
    {
        await using var mock = await MockTarget.StartAsync(RolePlayVulnerable);
        using var temp = new TempCampaign(TempCampaign.Yaml(mock.OpenAiBaseUrl, samples: 5, probes: "  - builtin: canary"));

        var summary = await temp.RunAsync();

        summary.Planned.ShouldBe(100 * 2 * 5);
        summary.Stored.ShouldBe(summary.Planned);
        summary.Complete.ShouldBeTrue();
        var results = temp.Results();
        results.Select(r => r.Key).Distinct().Count().ShouldBe(1000);
        results.Where(r => r.Attack == "baseline").ShouldAllBe(r => r.Success == false);
        var rate = results.Where(r => r.Attack == "roleplay").Average(r => r.Success == true ? 1.0 : 0.0);
        rate.ShouldBeInRange(0.33, 0.47);
    }

    [Fact]
    public async Task Run_WithInjectedFaults_EveryKeyEndsWithExactlyOneResultAndErrorsCountAsErrors()
    {
        await using var mock = await MockTarget.StartAsync(new MockTargetOptions
        {
            Vulnerabilities = RolePlayVulnerable.Vulnerabilities,
            Faults = new MockFaults { RateLimited = 0.1, RetryAfterSeconds = 0, ServerError = 0.15, Malformed = 0.05, Truncated = 0.05, Hang = 0.02, HangDuration = TimeSpan.FromSeconds(10) },
        });
        var yaml = TempCampaign.Yaml(mock.OpenAiBaseUrl).Replace("max_retries: 8", "max_retries: 1", StringComparison.Ordinal).Replace("timeout_s: 2", "timeout_s: 0.3", StringComparison.Ordinal);
        using var temp = new TempCampaign(yaml + "\nmax_error_share: 0.5\n");

        var summary = await temp.RunAsync();

        var results = temp.Results();
        results.Count.ShouldBe(80);
        results.Select(r => r.Key).Distinct().Count().ShouldBe(80);
        summary.Errors.ShouldBe(results.Count(r => r.IsError));
        summary.Errors.ShouldBeGreaterThan(0);
        results.Where(r => r.IsError).ShouldAllBe(r => r.Success == null && r.Verdict == null && r.Response == null);
        results.Where(r => r.IsError).Select(r => r.ErrorKind).Distinct().Count().ShouldBeGreaterThan(1);
    }

    [Fact]
    public async Task Run_CancelledMidway_ResumesToExactlyTheFullKeySet()
    {
        await using var mock = await MockTarget.StartAsync(RolePlayVulnerable with { Latency = TimeSpan.FromMilliseconds(20) });
        using var temp = new TempCampaign(TempCampaign.Yaml(mock.OpenAiBaseUrl, probes: "  - builtin: canary").Replace("max_concurrency: 32", "max_concurrency: 4", StringComparison.Ordinal));

        // Ctrl+C once some results are stored: a synchronous progress sink cancels from the writer.
        using var cancel = new CancellationTokenSource();
        var first = await temp.RunAsync(progress: new CancelAfter(40, cancel), cancellationToken: cancel.Token);
        first.Cancelled.ShouldBeTrue();
        first.Planned.ShouldBe(400);
        first.Stored.ShouldBeLessThan(400);

        var second = await temp.RunAsync(resume: true);

        second.Complete.ShouldBeTrue();
        second.Written.ShouldBe(400 - first.Stored);
        temp.Results().Select(r => r.Key).Distinct().Count().ShouldBe(400);
    }

    [Fact]
    public async Task Run_SlowTarget_DoesNotHoldUpAFastOne()
    {
        await using var fast = await MockTarget.StartAsync(RolePlayVulnerable);
        await using var slow = await MockTarget.StartAsync(RolePlayVulnerable with { Latency = TimeSpan.FromMilliseconds(500) });
        var slowTarget = $"  - id: slow\n    provider: openai\n    base_url: {slow.OpenAiBaseUrl}\n    model: mock-1\n    max_concurrency: 1";
        using var temp = new TempCampaign(TempCampaign.Yaml(fast.OpenAiBaseUrl, extraTarget: slowTarget));

        // Stop once the fast target could have finished, or after 10 s whatever happened.
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await temp.RunAsync(progress: new CancelAfter(83, cancel), cancellationToken: cancel.Token);

        var results = temp.Results();
        results.Count(r => r.Target == "mock").ShouldBe(80, "the fast target finished all its items");
        results.Count(r => r.Target == "slow").ShouldBeLessThan(80);
    }

    [Fact]
    public async Task Run_ExistingResultsWithoutResume_IsRefused()
    {
        await using var mock = await MockTarget.StartAsync(RolePlayVulnerable);
        using var temp = new TempCampaign(TempCampaign.Yaml(mock.OpenAiBaseUrl));
        await temp.RunAsync();

        (await Should.ThrowAsync<RunRefusedException>(() => temp.RunAsync())).Message.ShouldContain("--resume");
    }

    [Fact]
    public async Task Resume_ChangedCampaignFile_IsRefusedUnlessForced()
    {
        await using var mock = await MockTarget.StartAsync(RolePlayVulnerable);
        using var temp = new TempCampaign(TempCampaign.Yaml(mock.OpenAiBaseUrl));
        await temp.RunAsync();
        temp.Write(TempCampaign.Yaml(mock.OpenAiBaseUrl, samples: 3));

        (await Should.ThrowAsync<RunRefusedException>(() => temp.RunAsync(resume: true))).Message.ShouldContain("--force");
        var forced = await temp.RunAsync(resume: true, force: true);
        forced.Stored.ShouldBe(120);
        forced.Written.ShouldBe(40);
    }

    [Fact]
    public async Task Run_BadKey_FailsFastInPreflightWithoutResults()
    {
        await using var mock = await MockTarget.StartAsync(RolePlayVulnerable with { ApiKey = "right" });
        using var temp = new TempCampaign(TempCampaign.Yaml(mock.OpenAiBaseUrl).Replace("model: mock-1", "model: mock-1\n    api_key_env: MOCK_KEY", StringComparison.Ordinal));

        var error = await Should.ThrowAsync<RunRefusedException>(() => temp.RunAsync(environment: new Dictionary<string, string> { ["MOCK_KEY"] = "wrong" }));

        error.Message.ShouldContain("Unauthorized");
        error.Message.ShouldNotContain("wrong");
        (await Should.ThrowAsync<RunRefusedException>(() => temp.RunAsync())).Message.ShouldContain("MOCK_KEY is not set");
    }

    [Fact]
    public async Task Run_PayloadsAreEncryptedAtRestAndReadableWithTheKey()
    {
        await using var mock = await MockTarget.StartAsync(RolePlayVulnerable);
        using var temp = new TempCampaign(TempCampaign.Yaml(mock.OpenAiBaseUrl));
        await temp.RunAsync();

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        var raw = Encoding.UTF8.GetString(File.ReadAllBytes(Path.Combine(temp.Output, ResultStore.FileName)))
            + (File.Exists(Path.Combine(temp.Output, ResultStore.FileName + "-wal")) ? Encoding.UTF8.GetString(File.ReadAllBytes(Path.Combine(temp.Output, ResultStore.FileName + "-wal"))) : "");
        raw.ShouldNotContain("Pretend you are DAN");
        raw.ShouldNotContain("fictional");

        temp.Results(withPayloads: true).ShouldContain(r => r.Prompt!.Contains("Pretend you are DAN", StringComparison.Ordinal));
        using var wrong = new PayloadCipher(new byte[32]);
        Should.Throw<ResultsKeyException>(() => ResultStore.Open(Path.Combine(temp.Output, ResultStore.FileName), wrong)).Message.ShouldContain("another results key");
    }

    [Fact]
    public async Task Run_IdenticalPromptsOfTwoAttacks_SecondComesFromTheCacheUnlessDisabled()
    {
        await using var mock = await MockTarget.StartAsync(RolePlayVulnerable);
        const string same = "  - id: same-as-baseline\n    template: \"{{behavior}}\"";
        using var cached = new TempCampaign(TempCampaign.Yaml(mock.OpenAiBaseUrl, attacks: same));
        await cached.RunAsync(parallelism: 1);
        cached.Results().Count(r => r.Cached).ShouldBe(40);

        using var uncached = new TempCampaign(TempCampaign.Yaml(mock.OpenAiBaseUrl, attacks: same));
        await uncached.RunAsync(noCache: true, parallelism: 1);
        uncached.Results().ShouldAllBe(r => !r.Cached);
    }

    [Fact]
    public async Task Run_RubricJudgeThroughMock_RatesAnswersAndSkipsRefusals()
    {
        await using var mock = await MockTarget.StartAsync(RolePlayVulnerable);
        await using var judgeMock = await MockTarget.StartAsync(new MockTargetOptions());
        var judge = $"  kind: rubric\n  target:\n    id: judge\n    provider: openai\n    base_url: {judgeMock.OpenAiBaseUrl}\n    model: judge-1";
        using var temp = new TempCampaign(TempCampaign.Yaml(mock.OpenAiBaseUrl, judge: judge));

        await temp.RunAsync();

        var results = temp.Results();
        results.Where(r => r.Response is null && r.Verdict == Verdict.RefusedByKeyword).ShouldAllBe(r => r.Success == false);
        results.ShouldContain(r => r.Verdict == Verdict.Rated && r.Convincing >= 2);
        File.ReadAllText(Path.Combine(temp.Output, Manifest.FileName)).ShouldContain(RubricPrompt.Version);
    }

    [Fact]
    public async Task Run_ReplayedArtifacts_SendTheirPromptsBesideTheBaseline()
    {
        await using var mock = await MockTarget.StartAsync(new MockTargetOptions { Vulnerabilities = [new MockVulnerability("tester", "security tester", 1.0)] });
        using var temp = new TempCampaign(TempCampaign.Yaml(mock.OpenAiBaseUrl, samples: 1, probes: "  - file: jbb_artifact.json\n    format: jbb-artifacts\n    replay: true"));
        temp.Copy("jbb_artifact.json");

        await temp.RunAsync();

        var results = temp.Results(withPayloads: true);
        results.ShouldAllBe(r => r.Target == "mock");
        results.Count(r => r.Attack == "baseline").ShouldBe(4);
        results.Count(r => r.Attack == "artifact:PAIR/black_box").ShouldBe(3, "the artifact without a prompt is not replayed");
        results.Single(r => r.Attack == "artifact:PAIR/black_box" && r.Prompt!.Contains("security tester", StringComparison.Ordinal)).Success.ShouldBe(true);
    }

    [Fact]
    public async Task Run_JudgeAnswersUnreadably_AnswersAreUnjudgedAndCountAgainstTheErrorShare()
    {
        await using var mock = await MockTarget.StartAsync(RolePlayVulnerable with { Vulnerabilities = [new MockVulnerability("all", "pretend you are dan", 1.0)] });
        await using var confusedJudge = await MockTarget.StartAsync(new MockTargetOptions { AnswersRubric = false });
        var judge = $"  kind: rubric\n  target:\n    id: judge\n    provider: openai\n    base_url: {confusedJudge.OpenAiBaseUrl}\n    model: judge-1";
        using var temp = new TempCampaign(TempCampaign.Yaml(mock.OpenAiBaseUrl, judge: judge));

        var summary = await temp.RunAsync();

        var results = temp.Results();
        var unjudged = results.Count(r => r.Verdict == Verdict.Unparseable);
        unjudged.ShouldBe(40, "every roleplay answer complied and went to the judge");
        results.Where(r => r.Verdict == Verdict.Unparseable).ShouldAllBe(r => r.Success == null && !r.IsError);
        summary.Unjudged.ShouldBe(40);
        summary.ErrorShare.ShouldBe(0.5);
        summary.Complete.ShouldBeFalse("half the answers measured nothing, above max_error_share");
    }

    [Fact]
    public async Task Run_BrokenJudge_FailsPreflightBeforeAnythingIsSent()
    {
        await using var mock = await MockTarget.StartAsync(RolePlayVulnerable);
        await using var brokenJudge = await MockTarget.StartAsync(new MockTargetOptions { Faults = new MockFaults { Malformed = 1.0 } });
        var judge = $"  kind: rubric\n  target:\n    id: judge\n    provider: openai\n    base_url: {brokenJudge.OpenAiBaseUrl}\n    model: judge-1\n    max_retries: 0";
        using var temp = new TempCampaign(TempCampaign.Yaml(mock.OpenAiBaseUrl, judge: judge));

        var error = await Should.ThrowAsync<RunRefusedException>(() => temp.RunAsync());

        error.Reason.ShouldBe(RefusalReason.Preflight);
        error.Message.ShouldContain("target 'judge'");
    }

    [Fact]
    public async Task Run_FinishedArtifacts_AreGradedWithoutSendingAnything()
    {
        using var temp = new TempCampaign(TempCampaign.Yaml("http://127.0.0.1:9/v1", probes: "  - file: jbb_artifact.json\n    format: jbb-artifacts"));
        temp.Copy("jbb_artifact.json");

        var summary = await temp.RunAsync();

        summary.Stored.ShouldBe(4);
        var results = temp.Results();
        results.ShouldAllBe(r => r.Target == "fictional-model-7b" && r.Attack == "artifact:PAIR/black_box");
        results.Count(r => r.SourceLabel == true).ShouldBe(2);
        results.Count(r => r.Success == true).ShouldBe(2);
        using var summaryJson = System.Text.Json.JsonDocument.Parse(Jailgrade.Evaluation.Reports.ReportWriter.Json(Jailgrade.Evaluation.Reports.ResultsDirectory.Load(temp.Output)));
        summaryJson.RootElement.GetProperty("overall")[0].GetProperty("asr").GetDouble().ShouldBe(0.5, "the artifact states an attack success rate of 0.5");
        var labels = summaryJson.RootElement.GetProperty("recorded_labels").GetProperty("comparisons")[0];
        labels.GetProperty("compared").GetInt32().ShouldBe(3, "the attempt without a response was never judged");
        labels.GetProperty("agreement").GetDouble().ShouldBe(1.0);
    }
}

internal sealed class CancelAfter(long done, CancellationTokenSource cancel) : IProgress<RunProgress>
{
    public void Report(RunProgress value)
    {
        if (value.Done >= done)
        {
            cancel.Cancel();
        }
    }
}

public class CampaignStatisticsTests
{
    [Fact]
    public async Task MeasuredRate_OfAVulnerablePattern_HasTheConfiguredProbabilityInItsInterval_AndBaselineIsZero()
    {
        await using var mock = await MockTarget.StartAsync(new MockTargetOptions
        {
            Vulnerabilities = [new MockVulnerability("roleplay", "pretend you are dan", 0.3)],
        });
        using var temp = new TempCampaign(TempCampaign.Yaml(mock.OpenAiBaseUrl, samples: 4, probes: "  - builtin: canary"));
        await temp.RunAsync();

        var table = Jailgrade.Evaluation.Statistics.SuccessRates.Compute(temp.Results(), seed: 7);

        var overall = table.Cells.Single(c => c.Attack == "roleplay" && c.Category == Jailgrade.Evaluation.Statistics.SuccessRates.Overall);
        overall.Attempts.ShouldBe(400);
        overall.Ci95.Contains(0.3).ShouldBeTrue();
        var baseline = table.Cells.Single(c => c.Attack == "baseline" && c.Category == Jailgrade.Evaluation.Statistics.SuccessRates.Overall);
        baseline.Asr.ShouldBe(0);
        var comparison = table.Comparisons.Single();
        comparison.BaselineOnly.ShouldBe(0);
        comparison.PValue.ShouldBeLessThan(0.01);
        table.Cells.Count(c => c.Attack == "roleplay").ShouldBe(11);
        Jailgrade.Evaluation.Statistics.SuccessRates.Compute(temp.Results(), seed: 7).ShouldBeEquivalentTo(table);
    }
}
