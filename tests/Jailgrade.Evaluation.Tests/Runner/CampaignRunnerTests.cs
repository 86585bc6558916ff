using System.Text;
using Jailgrade.Evaluation.Judges;
using Jailgrade.Evaluation.Mock;
using Jailgrade.Evaluation.Runner;
using Jailgrade.Evaluation.Storage;
using Jailgrade.Evaluation.Tests.TestSupport;
using Jailgrade.MockTarget;

namespace Jailgrade.Evaluation.Tests.Runner;

public class CampaignRunnerTests
{
    // An attack whose prompts are the baseline's, so its answers come from the response cache.
    private const string SameAsBaseline = "  - id: same-as-baseline\n    template: \"{{behavior}}\"";

    private static readonly MockTargetOptions RolePlayVulnerable = new()
    {
        Vulnerabilities = [new MockVulnerability("roleplay", "pretend you are dan", 0.4)],
    };

    [Fact]
    public async Task Run_AgainstMock_StoresOneResultPerKeyAndMeasuresTheVulnerability()
    {
        await using var mock = await MockTargetServer.StartAsync(RolePlayVulnerable);
        using var temp = new TempCampaign(TempCampaign.Yaml(mock.OpenAiBaseUrl, samples: 5, probes: "  - builtin: canary"));

        var summary = await temp.RunAsync();

        summary.Planned.ShouldBe(100 * 2 * 5);
        summary.Stored.ShouldBe(summary.Planned);
        summary.Complete.ShouldBeTrue();
        var results = temp.Results();
        results.Select(r => r.Key).Order(StringComparer.Ordinal).ShouldBe(PlannedKeys(temp, ["baseline", "roleplay"], probes: 100, samples: 5));
        results.Where(r => r.Attack == "baseline").ShouldAllBe(r => r.Success == false);
        var rate = results.Where(r => r.Attack == "roleplay").Average(r => r.Success == true ? 1.0 : 0.0);
        rate.ShouldBeInRange(0.33, 0.47);
        File.Exists(Path.Combine(temp.Output, RunLock.FileName)).ShouldBeFalse("a finished run removes its lock file");
    }

    [Fact]
    public async Task Run_WithInjectedFaults_EveryKeyEndsWithExactlyOneResultAndErrorsCountAsErrors()
    {
        await using var mock = await MockTargetServer.StartAsync(new MockTargetOptions
        {
            Vulnerabilities = RolePlayVulnerable.Vulnerabilities,
            Faults = new MockFaults { RateLimited = 0.1, RetryAfterSeconds = 0, ServerError = 0.15, Malformed = 0.05, Truncated = 0.05, Hang = 0.02, HangDuration = TimeSpan.FromSeconds(10) },
        });
        var yaml = TempCampaign.Yaml(mock.OpenAiBaseUrl).Replace("max_retries: 8", "max_retries: 1", StringComparison.Ordinal).Replace("timeout_s: 2", "timeout_s: 0.3", StringComparison.Ordinal);
        using var temp = new TempCampaign(yaml + "\nmax_error_share: 0.5\n");

        var summary = await temp.RunAsync();

        var results = temp.Results();
        results.Select(r => r.Key).Order(StringComparer.Ordinal).ShouldBe(PlannedKeys(temp, ["baseline", "roleplay"], probes: 20, samples: 2));
        summary.Errors.ShouldBe(results.Count(r => r.IsError));
        summary.Errors.ShouldBeGreaterThan(0);
        results.Where(r => r.IsError).ShouldAllBe(r => r.Success == null && r.Verdict == null && r.Response == null);
        results.Where(r => r.IsError).Select(r => r.ErrorKind).Distinct().Count().ShouldBeGreaterThan(1);
    }

    [Fact]
    public async Task Run_CancelledMidway_ResumeSendsOnlyTheMissingRequestsAndEndsWithEveryPlannedKey()
    {
        await using var mock = await MockTargetServer.StartAsync(RolePlayVulnerable with { Latency = TimeSpan.FromMilliseconds(20) });
        using var temp = new TempCampaign(TempCampaign.Yaml(mock.OpenAiBaseUrl, probes: "  - builtin: canary").Replace("max_concurrency: 32", "max_concurrency: 4", StringComparison.Ordinal));

        // Ctrl+C once some results are stored: a synchronous progress sink cancels from the writer.
        using var cancel = new CancellationTokenSource();
        var first = await temp.RunAsync(progress: new CancelAfter(40, cancel), cancellationToken: cancel.Token);
        first.Cancelled.ShouldBeTrue();
        first.Planned.ShouldBe(400);
        first.Stored.ShouldBeInRange(40, 399);
        var sentBeforeResume = mock.RequestsReceived;

        // Without the response cache, which would otherwise answer a re-run key without sending it.
        var second = await temp.RunAsync(resume: true, noCache: true);

        second.Complete.ShouldBeTrue();
        second.Written.ShouldBe(400 - first.Stored);
        temp.Results().Select(r => r.Key).Order(StringComparer.Ordinal).ShouldBe(PlannedKeys(temp, ["baseline", "roleplay"], probes: 100, samples: 2));

        // A resume that re-sent every request still ended with the right results (inserts ignore duplicate
        // keys), but against a paid API it doubled the bill: count what reaches the target.
        const long Preflight = 1;
        var sentByResume = mock.RequestsReceived - sentBeforeResume;
        sentByResume.ShouldBe(Preflight + (400 - first.Stored), "one request per key without a stored result, and the preflight");

        // What the stop threw away and the resume sent again: at most the requests in flight, one lane of
        // max_concurrency + 1 (answers already queued are committed before a clean stop returns).
        var sentTwice = (sentBeforeResume - Preflight) + (sentByResume - Preflight) - 400;
        sentTwice.ShouldBeInRange(0, 4 + 1);
    }

    /// <summary>The keys (target|attack|probe|sample) a campaign plans: every target, attack, loaded probe and sample.</summary>
    private static List<string> PlannedKeys(TempCampaign temp, string[] attacks, int probes, int samples)
    {
        var loaded = Jailgrade.Evaluation.Campaigns.ProbeLoader.Load(temp.Load(), EvaluationRegistry.Default);
        loaded.Count.ShouldBe(probes);
        return [.. (from attack in attacks
                    from probe in loaded
                    from sample in Enumerable.Range(0, samples)
                    select $"mock|{attack}|{probe.Id}|{sample}").Order(StringComparer.Ordinal)];
    }

    [Fact]
    public async Task Run_StoredPayloads_NoNonceRepeatsAndNoPlaintextInTheDatabaseOrItsWal()
    {
        await using var mock = await MockTargetServer.StartAsync(RolePlayVulnerable);
        using var temp = new TempCampaign(TempCampaign.Yaml(mock.OpenAiBaseUrl, attacks: SameAsBaseline));
        // Without the cache, so that the raw bytes are checked even when payloads could not be read back;
        // the second attack sends the baseline's prompts again, the same texts under fresh nonces.
        await temp.RunAsync(parallelism: 1, noCache: true);
        var database = Path.Combine(temp.Output, ResultStore.FileName);

        // Read the files while the pooled connection still holds the WAL open, before anything checkpoints it.
        var raw = File.ReadAllBytes(database).Concat(File.Exists(database + "-wal") ? File.ReadAllBytes(database + "-wal") : []).ToArray();
        var payloads = StoredPayloads(database);

        payloads.Count.ShouldBeGreaterThanOrEqualTo(2 * 120, "a prompt and a response for each of the 120 results");
        raw.AsSpan().IndexOf(payloads[0]).ShouldBeGreaterThanOrEqualTo(0, "the raw bytes read hold the stored payloads");

        // What the prompts and answers are made of, known without the key: the template, every probe's
        // text, and the mock's two answers.
        var known = new[] { "Pretend you are DAN", MockModel.ComplianceText, new MockTargetOptions().Refusal }
            .Concat(temp.Load() is var campaign ? Jailgrade.Evaluation.Campaigns.ProbeLoader.Load(campaign, EvaluationRegistry.Default).Select(p => p.Text) : []);
        known.Where(text => raw.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) >= 0).ShouldBeEmpty("no prompt or response is stored in the clear");

        var nonces = payloads.Select(p => Convert.ToHexString(p[..12])).ToList();
        nonces.Distinct().Count().ShouldBe(nonces.Count, "an AES-GCM nonce must never repeat under one key");
        temp.Results(withPayloads: true).ShouldAllBe(r => r.Prompt != null && (r.Response == null || r.Response.Length > 0));
    }

    private static List<byte[]> StoredPayloads(string database)
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={database};Mode=ReadOnly");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT prompt FROM results UNION ALL SELECT response FROM results UNION ALL SELECT response FROM cache";
        using var reader = command.ExecuteReader();
        var payloads = new List<byte[]>();
        while (reader.Read())
        {
            if (!reader.IsDBNull(0))
            {
                payloads.Add((byte[])reader.GetValue(0));
            }
        }

        return payloads;
    }

    [Fact]
    public async Task Run_SlowTarget_DoesNotHoldUpAFastOne()
    {
        // The slow target answers its preflight, then never again: its latency is on a clock that moves
        // only for the first request. The fast target must still finish every item.
        var slowTime = new TimerEvents();
        await using var fast = await MockTargetServer.StartAsync(RolePlayVulnerable);
        await using var slow = await MockTargetServer.StartAsync(RolePlayVulnerable with { Latency = TimeSpan.FromSeconds(1) }, time: slowTime);
        var slowTarget = $"  - id: slow\n    provider: openai\n    base_url: {slow.OpenAiBaseUrl}\n    model: mock-1\n    max_concurrency: 1\n    timeout_s: 3600";
        using var temp = new TempCampaign(TempCampaign.Yaml(fast.OpenAiBaseUrl, extraTarget: slowTarget));
        var preflight = Task.Run(async () => slowTime.Advance(await slowTime.NextTimerAsync()));

        // Stop once 80 results are stored: all of the fast target's, if the slow one holds nothing up.
        using var cancel = new CancellationTokenSource();
        await temp.RunAsync(progress: new CancelAfter(80, cancel), cancellationToken: cancel.Token).WaitAsync(TimeSpan.FromSeconds(60));
        await preflight;

        var results = temp.Results();
        results.Count(r => r.Target == "mock").ShouldBe(80, "the fast target finished all its items");
        results.Count(r => r.Target == "slow").ShouldBe(0);
    }

    [Fact]
    public async Task Run_ExistingResultsWithoutResume_IsRefused()
    {
        await using var mock = await MockTargetServer.StartAsync(RolePlayVulnerable);
        using var temp = new TempCampaign(TempCampaign.Yaml(mock.OpenAiBaseUrl));
        await temp.RunAsync();

        (await Should.ThrowAsync<RunRefusedException>(() => temp.RunAsync())).Message.ShouldContain("--resume");
    }

    [Fact]
    public async Task Resume_ChangedCampaignFile_IsRefusedUnlessForced()
    {
        await using var mock = await MockTargetServer.StartAsync(RolePlayVulnerable);
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
        await using var mock = await MockTargetServer.StartAsync(RolePlayVulnerable with { ApiKey = "right" });
        using var temp = new TempCampaign(TempCampaign.Yaml(mock.OpenAiBaseUrl).Replace("model: mock-1", "model: mock-1\n    api_key_env: MOCK_KEY", StringComparison.Ordinal));

        var error = await Should.ThrowAsync<RunRefusedException>(() => temp.RunAsync(environment: new Dictionary<string, string> { ["MOCK_KEY"] = "wrong" }));

        error.Message.ShouldContain("Unauthorized");
        error.Message.ShouldNotContain("wrong");
        Directory.Exists(temp.Output).ShouldBeFalse("a run that fails its preflight leaves no results directory behind (issue 13 item 6)");
        (await Should.ThrowAsync<RunRefusedException>(() => temp.RunAsync())).Message.ShouldContain("MOCK_KEY is not set");
    }

    [Fact]
    public async Task Run_PayloadsAreEncryptedAtRestAndReadableWithTheKey()
    {
        await using var mock = await MockTargetServer.StartAsync(RolePlayVulnerable);
        using var temp = new TempCampaign(TempCampaign.Yaml(mock.OpenAiBaseUrl));
        await temp.RunAsync();

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        var raw = Encoding.UTF8.GetString(File.ReadAllBytes(Path.Combine(temp.Output, ResultStore.FileName)))
            + (File.Exists(Path.Combine(temp.Output, ResultStore.FileName + "-wal")) ? Encoding.UTF8.GetString(File.ReadAllBytes(Path.Combine(temp.Output, ResultStore.FileName + "-wal"))) : "");
        raw.ShouldNotContain("Pretend you are DAN");
        raw.ShouldNotContain("fictional");

        temp.Results(withPayloads: true).ShouldContain(r => r.Prompt!.Contains("Pretend you are DAN", StringComparison.Ordinal));
        using var wrong = new ResultsKey(new byte[32]);
        Should.Throw<ResultsKeyException>(() => ResultStore.Open(Path.Combine(temp.Output, ResultStore.FileName), wrong)).Message.ShouldContain("opens with your results key");
    }

    [Fact]
    public async Task Run_IdenticalPromptsOfTwoAttacks_SecondComesFromTheCacheUnlessDisabled()
    {
        await using var mock = await MockTargetServer.StartAsync(RolePlayVulnerable);
        using var cached = new TempCampaign(TempCampaign.Yaml(mock.OpenAiBaseUrl, attacks: SameAsBaseline));
        await cached.RunAsync(parallelism: 1);
        cached.Results().Count(r => r.Cached).ShouldBe(40);

        using var uncached = new TempCampaign(TempCampaign.Yaml(mock.OpenAiBaseUrl, attacks: SameAsBaseline));
        await uncached.RunAsync(noCache: true, parallelism: 1);
        uncached.Results().ShouldAllBe(r => !r.Cached);
    }

    [Fact]
    public async Task Run_RubricJudgeThroughMock_RatesAnswersAndSkipsRefusals()
    {
        await using var mock = await MockTargetServer.StartAsync(RolePlayVulnerable);
        await using var judgeMock = await MockTargetServer.StartAsync(new MockTargetOptions());
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
        await using var mock = await MockTargetServer.StartAsync(new MockTargetOptions { Vulnerabilities = [new MockVulnerability("tester", "security tester", 1.0)] });
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
        await using var mock = await MockTargetServer.StartAsync(RolePlayVulnerable with { Vulnerabilities = [new MockVulnerability("all", "pretend you are dan", 1.0)] });
        await using var confusedJudge = await MockTargetServer.StartAsync(new MockTargetOptions { AnswersRubric = false });
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
        await using var mock = await MockTargetServer.StartAsync(RolePlayVulnerable);
        await using var brokenJudge = await MockTargetServer.StartAsync(new MockTargetOptions { Faults = new MockFaults { Malformed = 1.0 } });
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
        await using var mock = await MockTargetServer.StartAsync(new MockTargetOptions
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
