using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Jailgrade.Benchmarks.RegistryLoad;

/// <summary>
/// The measurement against a running server: builds a read plan from what each party sees (first
/// and second pages of its case list, single cases, a filtered list and a history for the regulator),
/// then runs the phases and prints one line per figure.
/// </summary>
internal static class LoadRun
{
    public static async Task<int> RunAsync(Options options)
    {
        var url = new Uri(options.Text("url"));
        var rate = options.Number("rate", 500);
        var seconds = TimeSpan.FromSeconds(options.Number("seconds", 30));
        var maxSeconds = TimeSpan.FromSeconds(options.Number("max-seconds", 15));
        var workers = options.Number("workers", 32);
        var keys = (await File.ReadAllLinesAsync(options.Text("keys"))).Select(l => l.Split('\t')).Where(p => p.Length == 3).ToList();

        using var load = new Load(url);
        var reads = await ReadPlanAsync(url, keys);
        Console.Error.WriteLine($"read plan: {reads.Count} requests from {keys.Count(k => k[0] is "lab" or "regulator" or "reporter")} parties");

        // Warm up (connections, the database's cache, and the JIT: tiered compilation compiles the hot
        // methods again at full optimization, which takes the first several seconds of load), then measure.
        Console.WriteLine(await load.ClosedLoopAsync("warm-up", reads, workers, TimeSpan.FromSeconds(options.Number("warm-up", 20))));
        Console.WriteLine(await load.OpenLoopAsync($"open loop at {rate}/s: case pages and lists", reads, rate, seconds));
        var most = await load.ClosedLoopAsync($"most reads ({workers} workers): case pages and lists", reads, workers, maxSeconds);
        Console.WriteLine(most);
        var health = await load.ClosedLoopAsync($"most reads ({workers} workers): /healthz", [new PlannedRequest("", HttpMethod.Get, "/healthz", null)], workers, maxSeconds);
        Console.WriteLine(health);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"read throughput as a share of /healthz: {most.Rate / health.Rate:0.000}"));

        var authority = await AuthorityAsync(url, keys.First(k => k[0] == "regulator")[2]);
        var writes = keys.Where(k => k[0] == "reporter").Select(k => new PlannedRequest(k[2], HttpMethod.Post, "/api/v1/cases",
            $$"""{"title":"Load benchmark case {n}","authority":"{{authority}}","labAsReported":"a lab","modelAsReported":"a model","technique":"Benign canary technique text {n}."}""")).ToList();
        // The write path has its own cold start (JIT, EF's update pipeline): warmed apart, like the reads.
        Console.WriteLine(await load.ClosedLoopAsync("warm-up: writes", writes, workers / 2, TimeSpan.FromSeconds(3)));
        var written = await load.ClosedLoopAsync($"writes ({workers / 2} workers): POST /api/v1/cases", writes, workers / 2, maxSeconds);
        Console.WriteLine(written);
        return most.Errors + health.Errors + written.Errors == 0 ? 0 : 1;
    }

    private static async Task<List<PlannedRequest>> ReadPlanAsync(Uri url, List<string[]> keys)
    {
        using var http = new HttpClient { BaseAddress = url };
        var plan = new List<PlannedRequest>();
        foreach (var party in keys.Where(k => k[0] is "lab" or "regulator" or "reporter"))
        {
            var key = party[2];
            using var first = await GetJsonAsync(http, key, "/api/v1/cases?limit=50");
            var items = first.RootElement.GetProperty("items");
            plan.Add(new(key, HttpMethod.Get, "/api/v1/cases?limit=50", null));
            if (first.RootElement.GetProperty("next").GetString() is { } next)
            {
                plan.Add(new(key, HttpMethod.Get, $"/api/v1/cases?limit=50&cursor={Uri.EscapeDataString(next)}", null));
            }

            foreach (var item in items.EnumerateArray().Take(4))
            {
                plan.Add(new(key, HttpMethod.Get, $"/api/v1/cases/{item.GetProperty("id").GetString()}", null));
            }

            if (party[0] == "regulator")
            {
                plan.Add(new(key, HttpMethod.Get, "/api/v1/cases?limit=50&status=triaged", null));
                var lab = items[0].GetProperty("involvements")[0].GetProperty("lab").GetString();
                plan.Add(new(key, HttpMethod.Get, $"/api/v1/cases?limit=50&lab={lab}", null));
                plan.Add(new(key, HttpMethod.Get, $"/api/v1/cases/{items[0].GetProperty("id").GetString()}/history", null));
            }
        }

        // A fixed order that mixes the parties: the same plan on every run.
        var random = new Random(20261202);
        return [.. plan.OrderBy(_ => random.Next())];
    }

    private static async Task<Guid> AuthorityAsync(Uri url, string regulatorKey)
    {
        using var http = new HttpClient { BaseAddress = url };
        using var me = await GetJsonAsync(http, regulatorKey, "/api/v1/me");
        return me.RootElement.GetProperty("organization").GetGuid();
    }

    private static async Task<JsonDocument> GetJsonAsync(HttpClient http, string key, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        return response.IsSuccessStatusCode ? JsonDocument.Parse(body) : throw new InvalidOperationException($"GET {path}: {(int)response.StatusCode} {body}");
    }
}
