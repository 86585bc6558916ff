using System.Text.Json;
using Jailgrade.Cli.Hosting;
using Jailgrade.Cli.Remote;
using Jailgrade.Cli.Tests.TestSupport;
using Jailgrade.Registry.Organizations;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Jailgrade.Cli.Tests.Registry;

/// <summary>
/// Every POST the CLI sends carries an <c>Idempotency-Key</c> and is sent once more, with the same key and
/// body, when the connection fails after the server may have written it, or when the server says the key
/// is still in flight: against a real server behind a proxy that withholds the first answer, exactly one
/// case is filed.
/// </summary>
public sealed class IdempotentRetryTests : IAsyncLifetime
{
    private LiveRegistry _registry = null!;
    private LiveParty _regulator = null!;
    private LiveParty _reporter = null!;
    private string _technique = null!;

    public async Task InitializeAsync()
    {
        _registry = await LiveRegistry.StartAsync();
        _regulator = await _registry.AddPartyAsync("Authority", OrganizationKind.Authority, "reg", Role.Regulator);
        _reporter = await _registry.AddPartyAsync("Researchers", OrganizationKind.Research, "rep", Role.Reporter);
        _technique = Path.Combine(_registry.Root, "technique.txt");
        await File.WriteAllTextAsync(_technique, "benign test text");
    }

    public async Task DisposeAsync() => await _registry.DisposeAsync();

    [Fact]
    public async Task CaseCreate_ConnectionResetAfterTheServerCommitted_RetriesWithTheSameKeyAndFilesOneCase()
    {
        await using var proxy = new DroppingProxy(_registry.Server.BaseAddress, dropPosts: 1);

        var result = await CreateThroughAsync(proxy);

        result.ExitCode.ShouldBe(0, result.Stderr);
        proxy.Dropped.ShouldBe(1);
        var filed = await FiledAsync();
        filed.ShouldHaveSingleItem().ShouldBe(result.Lines[1].Split('\t')[0], "the retry got the first answer: the case filed once");
    }

    [Fact]
    public async Task CaseCreate_RetryResetToo_Exits10SayingItWasSentAgainAndFilesOneCase()
    {
        await using var proxy = new DroppingProxy(_registry.Server.BaseAddress, dropPosts: 2);

        var result = await CreateThroughAsync(proxy);

        result.ExitCode.ShouldBe((int)ExitCode.ServerUnreachable, result.Stderr);
        result.Stderr.ShouldContain("connection");
        result.Stderr.ShouldContain("sent again with the same Idempotency-Key");
        proxy.Dropped.ShouldBe(2, "one retry, no more");
        (await FiledAsync()).Count.ShouldBe(1);
    }

    [Fact]
    public async Task Post_KeyStillInFlight_WaitsThroughTheInjectedDelayAndSendsTheSameRequestOnceMore()
    {
        await using var server = await StubServer.StartAsync(StubServer.InFlight, StubServer.Created);
        var waits = new List<TimeSpan>();

        var result = await server.RunAsync((wait, _) => { waits.Add(wait); return Task.CompletedTask; }, "model", "create", "--name", "ex-1");

        result.ExitCode.ShouldBe(0, result.Stderr);
        server.Received.Count.ShouldBe(2);
        server.Received[0].Key.ShouldNotBeNullOrEmpty();
        server.Received[1].ShouldBe(server.Received[0], "the same Idempotency-Key and body");
        waits.ShouldHaveSingleItem().ShouldBe(RegistryClient.InFlightDelay);
    }

    [Fact]
    public async Task Post_StillInFlightAfterTheRetry_Exits1WithoutAThirdAttempt()
    {
        await using var server = await StubServer.StartAsync(StubServer.InFlight, StubServer.InFlight, StubServer.Created);

        var result = await server.RunAsync((_, _) => Task.CompletedTask, "model", "create", "--name", "ex-1");

        result.ExitCode.ShouldBe((int)ExitCode.InvalidInput, result.Stderr);
        result.Stderr.ShouldContain("still in flight");
        server.Received.Count.ShouldBe(2);
    }

    [Fact]
    public async Task Post_OtherConflict_IsNotRetried()
    {
        await using var server = await StubServer.StartAsync(StubServer.NameTaken, StubServer.Created);
        var waited = false;

        var result = await server.RunAsync((_, _) => { waited = true; return Task.CompletedTask; }, "model", "create", "--name", "ex-1");

        result.ExitCode.ShouldBe((int)ExitCode.InvalidInput, result.Stderr);
        server.Received.Count.ShouldBe(1);
        waited.ShouldBeFalse();
    }

    [Fact]
    public async Task Post_EachInvocation_SendsANewKey()
    {
        await using var server = await StubServer.StartAsync(StubServer.Created, StubServer.Created);

        (await server.RunAsync(null, "model", "create", "--name", "ex-1")).ExitCode.ShouldBe(0);
        (await server.RunAsync(null, "model", "create", "--name", "ex-1")).ExitCode.ShouldBe(0);

        server.Received.Select(r => r.Key).Distinct().Count().ShouldBe(2);
        server.Received.Select(r => Guid.TryParse(r.Key, out var parsed)).ShouldAllBe(parsed => parsed);
    }

    private Task<CliResult> CreateThroughAsync(DroppingProxy proxy) =>
        _registry.RunAsync(terminal: false, new Dictionary<string, string> { ["JAILGRADE_SERVER"] = proxy.Url },
            "case", "create", "--title", "filed once", "--authority", _regulator.Organization.ToString(), "--lab", "Lab A", "--model", "a-1",
            "--technique-file", _technique, "--key-file", _reporter.KeyFile);

    private async Task<List<string>> FiledAsync()
    {
        using var response = await _registry.SendAsync(HttpMethod.Get, "api/v1/cases?limit=200", _reporter.Key);
        return [.. JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("items").EnumerateArray().Select(c => c.GetProperty("id").GetString()!)];
    }

    /// <summary>A stand-in for <c>POST /api/v1/models</c> that answers with the scripted answers in order, keeping each request's key and body.</summary>
    private sealed class StubServer : IAsyncDisposable
    {
        public static readonly IResult InFlight = Results.Problem("a request with this Idempotency-Key is still in flight; retry once it has finished",
            statusCode: 409, title: "Idempotency-Key in use");

        public static readonly IResult NameTaken = Results.Problem("the lab has a model named 'ex-1'", statusCode: 409, title: "Conflict");

        public static readonly IResult Created = Results.Json(new { id = Guid.NewGuid(), lab = Guid.NewGuid(), name = "ex-1", createdAt = "2026-06-12T09:00:00.000Z", revision = 1 }, statusCode: 201);

        private readonly WebApplication _app;
        private readonly string _root;
        private readonly string _keyFile;

        private StubServer(WebApplication app)
        {
            _app = app;
            _root = Directory.CreateTempSubdirectory("jailgrade-cli-retry-").FullName;
            _keyFile = Path.Combine(_root, "key");
            File.WriteAllText(_keyFile, FakeCaseServer.Key + "\n");
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(_keyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }

        public List<(string? Key, string Body)> Received { get; } = [];

        public string Url { get; private set; } = "";

        public static async Task<StubServer> StartAsync(params IResult[] answers)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0));
            var app = builder.Build();
            var stub = new StubServer(app);
            app.MapPost("/api/v1/models", async (HttpRequest request) =>
            {
                using var reader = new StreamReader(request.Body);
                var body = await reader.ReadToEndAsync();
                lock (stub.Received)
                {
                    stub.Received.Add((request.Headers["Idempotency-Key"].SingleOrDefault(), body));
                    return answers[stub.Received.Count - 1];
                }
            });
            await app.StartAsync();
            stub.Url = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First().TrimEnd('/');
            return stub;
        }

        public Task<CliResult> RunAsync(Func<TimeSpan, CancellationToken, Task>? delay, params string[] args) =>
            CliRun.RunAsync([], false, name => name == "JAILGRADE_SERVER" ? Url : null, delay, [.. args, "--key-file", _keyFile]);

        public async ValueTask DisposeAsync()
        {
            await _app.DisposeAsync();
            Directory.Delete(_root, recursive: true);
        }
    }
}
