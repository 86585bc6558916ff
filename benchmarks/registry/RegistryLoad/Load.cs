using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace Jailgrade.Benchmarks.RegistryLoad;

/// <summary>One request of a plan: whose key, what to ask. <see cref="Body"/> may hold <c>{n}</c>, replaced by the request's number.</summary>
internal sealed record PlannedRequest(string Key, HttpMethod Method, string Path, string? Body);

/// <summary>What a run measured: counts, the rate reached and the latency distribution in milliseconds.</summary>
internal sealed record LoadResult(string Name, int Requests, int Errors, double Seconds, double[] LatenciesMs, IReadOnlyDictionary<int, int> Statuses)
{
    public double Rate => Requests / Seconds;

    public double Percentile(double p)
    {
        if (LatenciesMs.Length == 0)
        {
            return double.NaN;
        }

        // Nearest rank on the sorted sample.
        var rank = (int)Math.Ceiling(p / 100 * LatenciesMs.Length);
        return LatenciesMs[Math.Clamp(rank - 1, 0, LatenciesMs.Length - 1)];
    }

    public override string ToString()
    {
        var statuses = string.Join(" ", Statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}:{s.Value}"));
        return string.Create(CultureInfo.InvariantCulture,
            $"{Name}: {Requests} requests in {Seconds:0.0} s = {Rate:0.0}/s, errors {Errors}, latency ms p50 {Percentile(50):0.00} p90 {Percentile(90):0.00} p99 {Percentile(99):0.00} max {Percentile(100):0.00} (statuses {statuses})");
    }
}

/// <summary>
/// Drives a server over loopback. Open loop: requests leave on a fixed schedule whatever the answers
/// do, and each latency is counted from the moment its request was due, not from when it was sent, so
/// a stalled server shows in the figures instead of slowing the load down (no coordinated omission).
/// Closed loop: a fixed number of workers each send the next request when the last one answered; its
/// rate is the most the server sustains.
/// </summary>
internal sealed class Load : IDisposable
{
    private readonly HttpClient _http;

    public Load(Uri baseAddress)
    {
        _http = new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = 512,
            AllowAutoRedirect = false,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        })
        {
            BaseAddress = baseAddress,
            Timeout = TimeSpan.FromSeconds(30),
        };
    }

    public void Dispose() => _http.Dispose();

    public async Task<LoadResult> OpenLoopAsync(string name, IReadOnlyList<PlannedRequest> plan, double rate, TimeSpan duration)
    {
        var total = (int)(rate * duration.TotalSeconds);
        var latencies = new double[total];
        var statuses = new int[600];
        var errors = 0;
        var inFlight = new List<Task>(total);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < total; i++)
        {
            var due = TimeSpan.FromSeconds(i / rate);
            // Sleeping, not spinning: the server shares the machine. A request sent a little after
            // its due time has that delay counted in its latency, which only makes the figure worse.
            while (clock.Elapsed < due)
            {
                await Task.Delay(due - clock.Elapsed > TimeSpan.FromMilliseconds(2) ? due - clock.Elapsed - TimeSpan.FromMilliseconds(1) : TimeSpan.FromMilliseconds(1));
            }

            var n = i;
            inFlight.Add(Task.Run(async () =>
            {
                var status = await SendAsync(plan[n % plan.Count], n);
                latencies[n] = (clock.Elapsed - due).TotalMilliseconds;
                Count(statuses, status, ref errors);
            }));
        }

        await Task.WhenAll(inFlight);
        var seconds = clock.Elapsed.TotalSeconds;
        Array.Sort(latencies);
        return new LoadResult(name, total, errors, seconds, latencies, Statuses(statuses));
    }

    public async Task<LoadResult> ClosedLoopAsync(string name, IReadOnlyList<PlannedRequest> plan, int workers, TimeSpan duration)
    {
        var latencies = new List<double>[workers];
        var statuses = new int[600];
        var errors = 0;
        var next = -1;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, workers).Select(w => Task.Run(async () =>
        {
            var mine = latencies[w] = [];
            while (clock.Elapsed < duration)
            {
                var n = Interlocked.Increment(ref next);
                var started = clock.Elapsed;
                var status = await SendAsync(plan[n % plan.Count], n);
                mine.Add((clock.Elapsed - started).TotalMilliseconds);
                Count(statuses, status, ref errors);
            }
        })));
        var seconds = clock.Elapsed.TotalSeconds;
        var all = latencies.SelectMany(l => l).ToArray();
        Array.Sort(all);
        return new LoadResult(name, all.Length, errors, seconds, all, Statuses(statuses));
    }

    private async Task<int> SendAsync(PlannedRequest planned, int n)
    {
        using var request = new HttpRequestMessage(planned.Method, planned.Path);
        if (planned.Key.Length > 0)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", planned.Key);
        }

        if (planned.Body is { } body)
        {
            request.Content = new StringContent(body.Replace("{n}", n.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal), Encoding.UTF8, "application/json");
        }

        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead);
            return (int)response.StatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return 0;
        }
    }

    private static void Count(int[] statuses, int status, ref int errors)
    {
        Interlocked.Increment(ref statuses[status]);
        if (status is 0 or >= (int)HttpStatusCode.BadRequest)
        {
            Interlocked.Increment(ref errors);
        }
    }

    private static Dictionary<int, int> Statuses(int[] statuses) =>
        statuses.Select((count, status) => (count, status)).Where(s => s.count > 0).ToDictionary(s => s.status, s => s.count);
}
