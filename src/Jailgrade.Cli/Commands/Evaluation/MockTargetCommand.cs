using System.CommandLine;
using System.Globalization;
using Jailgrade.Cli.Hosting;
using Jailgrade.Evaluation.Mock;
using Jailgrade.MockTarget;

namespace Jailgrade.Cli.Commands.Evaluation;

/// <summary><c>jailgrade mock-target</c>: serve the simulated model on loopback.</summary>
internal sealed class MockTargetCommand(CliContext context)
{
    public static Command Create(CliContext context)
    {
        var port = new Option<int>("--port") { Description = "Port on 127.0.0.1 (0 picks a free one).", DefaultValueFactory = _ => 8000 };
        var vulnerable = new Option<string[]>("--vulnerable") { Description = "A pattern the model falls for, REGEX=PROBABILITY; repeatable.", HelpName = "regex=p" };
        var latency = new Option<int>("--latency-ms") { Description = "Delay before each answer." };
        var rateLimited = new Option<double>("--fault-429") { Description = "Probability of a 429 with Retry-After per attempt." };
        var retryAfter = new Option<int>("--retry-after") { Description = "Seconds sent in Retry-After.", DefaultValueFactory = _ => 1 };
        var serverError = new Option<double>("--fault-500") { Description = "Probability of a 500 per attempt." };
        var hang = new Option<double>("--fault-hang") { Description = "Probability of hanging past any timeout per attempt." };
        var malformed = new Option<double>("--fault-malformed") { Description = "Probability of a 200 with a body that is not JSON." };
        var truncated = new Option<double>("--fault-truncated") { Description = "Probability of a body cut short." };
        var keyEnv = new Option<string?>("--api-key-env") { Description = "Require the key held by this environment variable.", HelpName = "var" };
        var command = new VerbCommand("mock-target", "Serve a simulated model (OpenAI and Anthropic APIs) on 127.0.0.1.", """
            The model refuses by default and complies with the given probability when a prompt matches a
            --vulnerable pattern; the choice is a hash of the request and its seed, and injected faults a hash
            of request, seed and attempt, so runs are repeatable and a retry can succeed. Prints its base URL
            (for base_url: add /v1) and serves until Ctrl+C. It never logs what it is sent.
            """)
        {
            port, vulnerable, latency, rateLimited, retryAfter, serverError, hang, malformed, truncated, keyEnv,
        };
        command.WithExample("jailgrade mock-target --port 8000 --vulnerable \"pretend you are=0.4\"", "a model that falls for role-play 40% of the time")
            .WithExample("jailgrade mock-target --port 0 --latency-ms 20 --fault-429 0.05 --fault-500 0.05", "slow and flaky, on a free port");
        command.SetAction((parseResult, cancellationToken) =>
        {
            var patterns = new List<MockVulnerability>();
            foreach (var item in parseResult.GetValue(vulnerable) ?? [])
            {
                if (!MockChatProvider.TryParseVulnerability(item, out var pattern, out var error))
                {
                    context.Error.WriteLine($"jailgrade: --vulnerable '{item}': {error}");
                    return Task.FromResult((int)ExitCode.UsageError);
                }

                patterns.Add(pattern);
            }

            var options = new MockTargetOptions
            {
                Vulnerabilities = patterns,
                Latency = TimeSpan.FromMilliseconds(parseResult.GetValue(latency)),
                ApiKey = parseResult.GetValue(keyEnv) is { } variable ? context.Environment(variable) : null,
                Faults = new MockFaults
                {
                    RateLimited = parseResult.GetValue(rateLimited),
                    RetryAfterSeconds = parseResult.GetValue(retryAfter),
                    ServerError = parseResult.GetValue(serverError),
                    Hang = parseResult.GetValue(hang),
                    Malformed = parseResult.GetValue(malformed),
                    Truncated = parseResult.GetValue(truncated),
                },
            };
            return new MockTargetCommand(context).RunAsync(options, parseResult.GetValue(port), cancellationToken);
        });
        return command;
    }

    public async Task<int> RunAsync(MockTargetOptions options, int port, CancellationToken cancellationToken)
    {
        if (options.Faults.Total > 1)
        {
            await context.Error.WriteLineAsync("jailgrade: the fault probabilities add up to more than 1.");
            return (int)ExitCode.UsageError;
        }

        if (port is < 0 or > 65_535)
        {
            await context.Error.WriteLineAsync($"jailgrade mock-target: --port {port}: expected a port from 0 to 65535 (0 picks a free one).");
            return (int)ExitCode.UsageError;
        }

        MockTargetServer started;
        try
        {
            started = await MockTargetServer.StartAsync(options, port, context.Time, cancellationToken);
        }
        catch (Exception e) when (IsAddressInUse(e))
        {
            await context.Error.WriteLineAsync($"jailgrade mock-target: port {port} on 127.0.0.1 is already in use; choose another with --port (0 picks a free one) or stop what holds it.");
            return (int)ExitCode.PortInUse;
        }

        await using var mock = started;
        await context.Out.WriteLineAsync(mock.BaseAddress.ToString().TrimEnd('/'));
        await context.Out.FlushAsync(cancellationToken);
        await context.Error.WriteLineAsync($"Mock target listening on {mock.BaseAddress} (OpenAI base_url: {mock.OpenAiBaseUrl}); Ctrl+C stops it.");
        // Regression: waiting on the command's token alone left the process running after SIGTERM.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, mock.Stopping);
        // Ctrl+C or SIGTERM ends the wait: a clean stop is the normal end of this verb. ForceYielding: the stop
        // is signalled on the signal-handling thread, and stopping the host there (which unregisters its
        // own signal handlers) deadlocked now and then instead of exiting.
        await Task.Delay(Timeout.Infinite, stop.Token).ConfigureAwait(ConfigureAwaitOptions.ForceYielding | ConfigureAwaitOptions.SuppressThrowing);

        return (int)ExitCode.Success;
    }

    // Kestrel wraps the socket's error (IOException, then AddressInUseException): look down the chain.
    internal static bool IsAddressInUse(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.AddressAlreadyInUse })
            {
                return true;
            }
        }

        return false;
    }
}
