using System.Diagnostics;
using System.Globalization;
using System.Text;

// Usage: BareLoop BASE_URL REQUESTS CONCURRENCY — prints requests per second.
var baseUrl = args[0].TrimEnd('/');
var total = int.Parse(args[1], CultureInfo.InvariantCulture);
var concurrency = int.Parse(args[2], CultureInfo.InvariantCulture);
using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue }) { Timeout = Timeout.InfiniteTimeSpan };
var next = -1;
var failures = 0;
var clock = Stopwatch.StartNew();
await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async worker =>
{
    while (Interlocked.Increment(ref next) < total)
    {
        var body = $"{{\"model\":\"mock-1\",\"messages\":[{{\"role\":\"user\",\"content\":\"Explain the fictional device number {next}.\"}}],\"max_tokens\":512,\"seed\":{next}}}";
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await http.PostAsync(baseUrl + "/v1/chat/completions", content);
        await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            Interlocked.Increment(ref failures);
        }
    }
}));
Console.WriteLine((total / clock.Elapsed.TotalSeconds).ToString("0.0", CultureInfo.InvariantCulture));
if (failures > 0)
{
    Console.Error.WriteLine($"{failures} failed requests");
}
