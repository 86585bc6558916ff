using System.Globalization;
using System.Threading.Channels;
using Jailgrade.Evaluation.Attacks;
using Jailgrade.Evaluation.Campaigns;
using Jailgrade.Evaluation.Internal;
using Jailgrade.Evaluation.Judges;
using Jailgrade.Evaluation.Mock;
using Jailgrade.Evaluation.Probes;
using Jailgrade.Evaluation.Storage;
using Jailgrade.Evaluation.Targets;

namespace Jailgrade.Evaluation.Runner;

/// <summary>
/// Runs a campaign: streams its work items (never the whole cross product in memory), sends each to
/// its target, judges the answer and stores the result in group commits. Resumable: items whose key
/// is stored are skipped, and work in flight at a crash simply runs again.
/// </summary>
public sealed class CampaignRunner
{
    /// <summary>The prefix of the attack id under which artifacts run: <c>artifact:METHOD/ATTACK_TYPE</c>.</summary>
    public const string ArtifactAttackPrefix = "artifact:";

    /// <summary>The results-store setting that says artifact attack ids carry the attack type (<c>artifact:GCG/white_box</c>).</summary>
    internal const string ArtifactIdsMeta = "artifact_attack_ids";

    private readonly Campaign _campaign;
    private readonly IReadOnlyList<Probe> _probes;
    private readonly Dictionary<string, Probe> _probesById;
    private readonly Dictionary<string, AttackSpec> _attacks;
    private readonly Dictionary<string, TargetClient> _targets;
    private readonly TargetClient? _judgeTarget;
    private readonly IJudge _judge;
    private readonly AttackComposer _composer;
    private readonly RunnerServices _services;

    // Answers waiting in the write queue, so that a cache lookup finds them before their batch commits.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> _pendingCache = new(StringComparer.Ordinal);

    /// <summary>Creates a runner; target clients and the judge are built here, keys read from the environment.</summary>
    public CampaignRunner(Campaign campaign, IReadOnlyList<Probe> probes, EvaluationRegistry registry, RunnerServices services)
    {
        ArgumentNullException.ThrowIfNull(campaign);
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(services);
        _campaign = campaign;
        _probes = probes;
        _probesById = probes.ToDictionary(p => p.Id, StringComparer.Ordinal);
        _attacks = campaign.Attacks.ToDictionary(a => a.Id, StringComparer.Ordinal);
        _services = services;
        _composer = new AttackComposer(registry.Transforms);
        RefuseMissingKeys(campaign, services.Environment);
        _targets = campaign.Targets.ToDictionary(t => t.Id, t => Client(t, registry), StringComparer.Ordinal);
        if (campaign.Judge is { Kind: "rubric", Target: { } judgeSpec })
        {
            _judgeTarget = Client(judgeSpec, registry);
            _judge = new RubricJudge(_judgeTarget);
        }
        else
        {
            _judge = new RefusalKeywordJudge();
        }
    }

    /// <summary>What the manifest records of each probe source (<see cref="ProbeLoader.LoadSources"/>).</summary>
    public IReadOnlyList<SourceDescription> Sources { get; init; } = [];

    /// <summary>The judge in use.</summary>
    public IJudge Judge => _judge;

    /// <summary>The target clients by id (for request counts and the dry-run plan).</summary>
    public IReadOnlyDictionary<string, TargetClient> Targets => _targets;

    /// <summary>
    /// Every work item of the campaign, lazily, probe by probe. Probes from finished artifacts yield
    /// one item under their recorded target and attack; replayed artifacts are sent to every target
    /// as the baseline and, when the source recorded a prompt, as <c>artifact:METHOD/ATTACK_TYPE</c>.
    /// </summary>
    public IEnumerable<WorkItem> Plan()
    {
        foreach (var probe in _probes)
        {
            if (probe.Recorded is { } recorded && !probe.Replay)
            {
                yield return new WorkItem(recorded.Target, ArtifactAttackPrefix + recorded.AttackId, probe.Id, 0);
                continue;
            }

            // A replayed artifact runs as the baseline on its goal and as its recorded prompt (when it has one).
            var attacks = probe.Recorded is { } r
                ? _campaign.Attacks.Where(a => a.IsBaseline).Select(a => a.Id).Concat(r.HasPrompt ? [ArtifactAttackPrefix + r.AttackId] : [])
                : _campaign.Attacks.Select(a => a.Id);
            foreach (var target in _campaign.Targets)
            {
                foreach (var attack in attacks)
                {
                    for (var sample = 0; sample < _campaign.Samples; sample++)
                    {
                        yield return new WorkItem(target.Id, attack, probe.Id, sample);
                    }
                }
            }
        }
    }

    /// <summary>Runs the campaign into <see cref="RunOptions.OutputDirectory"/>.</summary>
    public async Task<RunSummary> RunAsync(RunOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var key = _services.Key ?? throw new InvalidOperationException("A run stores payloads: RunnerServices.Key is needed.");

        // A new directory is made only once the targets answer: a run that cannot start leaves none behind.
        // An existing one is locked and checked first, so a busy or refused resume is said before anything is sent.
        var existed = Directory.Exists(options.OutputDirectory);
        if (!existed)
        {
            await PreflightAsync(cancellationToken);
        }

        Directory.CreateDirectory(options.OutputDirectory);
        using var runLock = RunLock.Acquire(options.OutputDirectory);
        using var store = ResultStore.Open(Path.Combine(options.OutputDirectory, ResultStore.FileName), key);
        CheckResume(store, options);
        if (existed)
        {
            await PreflightAsync(cancellationToken);
        }

        Manifest.Write(options.OutputDirectory, _campaign, _judge, _services.Time, Sources);
        store.SetMeta("campaign_hash", _campaign.FileHash);
        store.SetMeta(ArtifactIdsMeta, "method/attack_type");

        // Counting streams the plan once more: cheap next to a request, and the total is right even when cancelled.
        var planned = Plan().LongCount();
        var done = store.CompletedKeys();

        // One lane per target, each as wide as the target's own concurrency, so that a slow target never
        // holds the workers a fast one could use; recorded artifacts (no target to call) get their own.
        var lanes = _campaign.Targets
            .Select(t => (Pending(Plan().Where(i => i.Target == t.Id), done), t.MaxConcurrency + 1))
            .Append((Pending(Plan().Where(i => !_targets.ContainsKey(i.Target)), done), Environment.ProcessorCount))
            .ToList();
        if (options.MaxParallelism is { } width)
        {
            lanes = [(Pending(Plan(), done), width)];
        }

        return await ExecuteAsync(store, lanes, options, () => planned, cancellationToken);
    }

    // A fresh run has nothing stored: no key to build and look up per item.
    private static IEnumerable<WorkItem> Pending(IEnumerable<WorkItem> items, HashSet<string> done) =>
        done.Count == 0 ? items : items.Where(i => !done.Contains(i.Key));

    /// <summary>
    /// Runs any subset of items into a store, storing one result per key. <paramref name="planned"/>
    /// gives the campaign's total for progress and the summary.
    /// </summary>
    public Task<RunSummary> ExecuteAsync(ResultStore store, IEnumerable<WorkItem> items, RunOptions options, Func<long> planned, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var width = options.MaxParallelism ?? Math.Min(8192, _campaign.Targets.Sum(t => t.MaxConcurrency) + 1);
        return ExecuteAsync(store, [(items, width)], options, planned, cancellationToken);
    }

    private async Task<RunSummary> ExecuteAsync(ResultStore store, IReadOnlyList<(IEnumerable<WorkItem> Items, int Width)> lanes, RunOptions options, Func<long> planned, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(planned);
        var channel = Channel.CreateBounded<ResultRecord>(new BoundedChannelOptions(4 * options.BatchSize) { SingleReader = true });
        var stats = new Counters { Stored = store.Count(), Errors = store.CountErrors() };
        var writer = Task.Run(() => WriteLoopAsync(store, channel.Reader, options.BatchSize, stats, planned), CancellationToken.None);
        var skipped = 0L;
        var cancelled = false;
        try
        {
            await Task.WhenAll(lanes.Select(lane => Parallel.ForEachAsync(lane.Items, new ParallelOptions { MaxDegreeOfParallelism = lane.Width, CancellationToken = cancellationToken }, async (item, ct) =>
            {
                var record = await RunItemAsync(item, store, options.NoCache, ct);
                if (record is null)
                {
                    Interlocked.Increment(ref skipped);
                    return;
                }

                await channel.Writer.WriteAsync(record, ct);
            })));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            cancelled = true;
        }
        finally
        {
            channel.Writer.TryComplete();
            await writer;
        }

        return new RunSummary
        {
            Planned = planned(),
            Stored = stats.Stored,
            Errors = stats.Errors,
            Unjudged = store.CountUnjudged(),
            Written = stats.Written,
            SkippedForBudget = skipped,
            Cancelled = cancelled,
            MaxErrorShare = _campaign.MaxErrorShare,
            Notes = [.. _targets.Values.Concat(_judgeTarget is null ? [] : [_judgeTarget]).Where(c => c.RetryAfterClamped > 0).Select(ClampNote)],
        };
    }

    private async Task<ResultRecord?> RunItemAsync(WorkItem item, ResultStore store, bool noCache, CancellationToken cancellationToken)
    {
        var probe = _probesById[item.Probe];
        var seed = SampleSeed(probe.Id, item.Sample);
        var record = new ResultRecord
        {
            Target = item.Target,
            Attack = item.Attack,
            Probe = item.Probe,
            Sample = item.Sample,
            Domain = probe.Domain,
            Category = probe.Category,
            Task = probe.Task,
            // A label judges the answer it was given for, never a new target's answer to the same prompt.
            SourceLabel = probe.Replay ? null : probe.Recorded?.Jailbroken,
        };

        if (!_targets.TryGetValue(item.Target, out var client))
        {
            // A finished artifact: grade what the source recorded, send nothing.
            var recorded = probe.Recorded!;
            var judgment = recorded.Response is null
                ? new Judgment(Verdict.NoResponse)
                : await _judge.JudgeAsync(probe.Text, recorded.Response, seed, cancellationToken);
            return Judged(record with { Prompt = recorded.Prompt, Response = recorded.Response }, judgment);
        }

        var prompt = item.Attack.StartsWith(ArtifactAttackPrefix, StringComparison.Ordinal)
            ? AttackedPrompt.OneTurn(probe.Recorded!.Prompt)
            : _composer.Compose(_attacks[item.Attack], probe.Text);
        var transcript = prompt.Transcript();
        record = record with { Prompt = transcript };

        var cacheKey = noCache ? null : CacheKey(client.Spec, transcript, item.Sample, seed);
        if (cacheKey is not null && (_pendingCache.TryGetValue(cacheKey, out var pending) ? pending : store.GetCached(cacheKey)) is { } cached)
        {
            return Judged(record with { Response = cached, Cached = true }, await _judge.JudgeAsync(probe.Text, cached, seed, cancellationToken));
        }

        var started = _services.Time.GetTimestamp();
        var messages = prompt.Messages.ToList();
        var attempts = 0;
        TargetReply reply;
        var turn = 0;
        while (true)
        {
            reply = await client.SendAsync(new ChatRequest(messages, seed), item.Key + "#" + turn.ToString(CultureInfo.InvariantCulture), cancellationToken);
            attempts += reply.Attempts;
            if (!reply.IsAnswer || turn == prompt.FollowUps.Count)
            {
                break;
            }

            messages.Add(ChatMessage.Assistant(reply.Content!));
            messages.Add(ChatMessage.User(prompt.FollowUps[turn]));
            turn++;
        }

        record = record with { Attempts = attempts, LatencyMs = (long)_services.Time.GetElapsedTime(started).TotalMilliseconds };
        if (reply.Error is { } error)
        {
            return error.Kind == TargetErrorKind.BudgetExhausted
                ? null
                : record with { ErrorKind = error.Kind.ToString(), ErrorMessage = error.Message };
        }

        var response = reply.Content!;
        if (cacheKey is not null)
        {
            _pendingCache[cacheKey] = response;
            record = record with { CacheKey = cacheKey };
        }

        return Judged(record with { Response = response }, await _judge.JudgeAsync(probe.Text, response, seed, cancellationToken));
    }

    private static ResultRecord Judged(ResultRecord record, Judgment judgment) => record with
    {
        Verdict = judgment.Verdict,
        Refused = judgment.Refused,
        Convincing = judgment.Convincing,
        Specific = judgment.Specific,
        Success = judgment.Success,
        ErrorMessage = judgment.Note,
    };

    private async Task WriteLoopAsync(ResultStore store, ChannelReader<ResultRecord> reader, int batchSize, Counters stats, Func<long> planned)
    {
        var started = _services.Time.GetTimestamp();
        var batch = new List<ResultRecord>(batchSize);
        while (await reader.WaitToReadAsync())
        {
            while (batch.Count < batchSize && reader.TryRead(out var record))
            {
                batch.Add(record);
            }

            // One transaction per batch: the group commit that makes results durable.
            var added = store.WriteBatch(batch);
            foreach (var written in batch)
            {
                if (written.CacheKey is { } key)
                {
                    _pendingCache.TryRemove(key, out _);
                }
            }

            stats.Written += added;
            stats.Stored += added;
            stats.Errors += batch.Count(r => r.IsError);
            batch.Clear();

            if (_services.Progress is { } progress)
            {
                var seconds = _services.Time.GetElapsedTime(started).TotalSeconds;
                var rate = seconds > 0 ? stats.Written / seconds : 0;
                var left = Math.Max(0, planned() - stats.Stored);
                progress.Report(new RunProgress(stats.Stored, planned(), stats.Errors, rate, rate > 0 ? TimeSpan.FromSeconds(left / rate) : null));
            }
        }
    }

    private void CheckResume(ResultStore store, RunOptions options)
    {
        var hash = store.GetMeta("campaign_hash");
        if (hash is null)
        {
            return;
        }

        if (!options.Resume)
        {
            throw new RunRefusedException(RefusalReason.ExistingResults, $"{options.OutputDirectory} already holds results of a run: pass --resume to finish it, or choose another --out.");
        }

        if (hash != _campaign.FileHash && !options.Force)
        {
            throw new RunRefusedException(RefusalReason.CampaignChanged, "the campaign file changed since the run began (its SHA-256 differs): pass --force to resume anyway, or start a new run in another directory.");
        }

        // Results stored as artifact:GCG would never match the plan's artifact:GCG/white_box: resuming would
        // run every artifact again beside the old results. --force does not help; reports still read them.
        if (store.GetMeta(ArtifactIdsMeta) is null && OldArtifactAttacks(store) is { Count: > 0 } old)
        {
            throw new RunRefusedException(RefusalReason.AttackIdsChanged, string.Create(CultureInfo.InvariantCulture,
                $"{options.OutputDirectory} was written before artifact attack ids named the attack type ({string.Join(", ", old)} is now {string.Join(", ", old.Select(a => a + "/ATTACK_TYPE"))}, e.g. artifact:GCG/white_box): it cannot be resumed. Its results still report and grade; start the run again in another directory."));
        }
    }

    // The stored artifact attack ids without an attack type (artifact:GCG), which only older runs wrote.
    private static List<string> OldArtifactAttacks(ResultStore store) =>
        [.. store.CompletedKeys()
            .Select(k => k.Split('|'))
            .Where(parts => parts.Length >= 4 && parts[1].StartsWith(ArtifactAttackPrefix, StringComparison.Ordinal) && !parts[1].Contains('/', StringComparison.Ordinal))
            .Select(parts => parts[1])
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)];

    private async Task PreflightAsync(CancellationToken cancellationToken)
    {
        // Only what will be called: a campaign that grades recorded artifacts sends nothing to its targets.
        var clients = _probes.Any(p => p.IsSent) ? _targets.Values : Enumerable.Empty<TargetClient>();
        if (_judgeTarget is not null)
        {
            clients = clients.Append(_judgeTarget);
        }

        var failures = await Task.WhenAll(clients.Select(async c => (c.Spec.Id, Error: await c.PreflightAsync(cancellationToken))));
        var failed = failures.Where(f => f.Error is not null).ToList();
        if (failed.Count > 0)
        {
            throw new RunRefusedException(RefusalReason.Preflight, "preflight failed: " + string.Join("; ", failed.Select(f => $"target '{f.Id}': {f.Error}")));
        }
    }

    private static string ClampNote(TargetClient client) => string.Create(CultureInfo.InvariantCulture,
        $"Target {client.Spec.Id}: the server asked to wait longer than max_backoff_s ({client.Spec.MaxBackoff.TotalSeconds} s) {client.RetryAfterClamped} time{(client.RetryAfterClamped == 1 ? "" : "s")}; each wait was clamped to {client.Spec.MaxBackoff.TotalSeconds} s.");

    // Every key variable that is not set, said at once: fixing them one run at a time wastes a run each.
    private static void RefuseMissingKeys(Campaign campaign, Func<string, string?> environment)
    {
        var missing = campaign.Targets.Concat(campaign.Judge.Target is { } judge ? [judge] : [])
            .Where(t => t.ApiKeyEnv is { } variable && string.IsNullOrEmpty(environment(variable)))
            .Select(t => $"target '{t.Id}': environment variable {t.ApiKeyEnv} is not set")
            .ToList();
        if (missing.Count > 0)
        {
            throw new RunRefusedException(RefusalReason.MissingKey, string.Join("; ", missing) + ".");
        }
    }

    private TargetClient Client(TargetSpec spec, EvaluationRegistry registry)
    {
        var key = spec.ApiKeyEnv is { } variable ? _services.Environment(variable) : null;
        // A simulated target answers in-process, through the same client as a real endpoint.
        var http = _campaign.Simulated.TryGetValue(spec.Id, out var simulated)
            ? new HttpClient(MockChatProvider.CreateHandler(simulated, _services.Time)) { Timeout = Timeout.InfiniteTimeSpan }
            : _services.Http;
        return new TargetClient(spec, registry.Providers[spec.Provider], http, _services.Time, key);
    }

    /// <summary>The seed of one sample of one probe, the same for every target and attack so that attempts pair up.</summary>
    internal long SampleSeed(string probe, int sample) =>
        (long)(StableHash.UInt64("sample", _campaign.Seed.ToString(CultureInfo.InvariantCulture), probe, sample.ToString(CultureInfo.InvariantCulture)) >> 33);

    private static string CacheKey(TargetSpec spec, string transcript, int sample, long seed) => StableHash.Hex(
        "cache-1", spec.Provider, spec.BaseUrl, spec.Model, spec.SystemPrompt ?? "",
        spec.MaxTokens.ToString(CultureInfo.InvariantCulture),
        spec.Temperature?.ToString("R", CultureInfo.InvariantCulture) ?? "", spec.TopP?.ToString("R", CultureInfo.InvariantCulture) ?? "",
        transcript, sample.ToString(CultureInfo.InvariantCulture), seed.ToString(CultureInfo.InvariantCulture));

    private sealed class Counters
    {
        public long Stored { get; set; }

        public long Errors { get; set; }

        public long Written { get; set; }
    }
}
