using System.Collections.Concurrent;
using System.Diagnostics.Tracing;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Jailgrade.Server.Tests.Security;

/// <summary>
/// Every log entry the server writes, at every level, rendered whole: category, level, message,
/// each structured value, scopes and the exception with its inner exceptions and stack; and, while it
/// lives, what IdentityModel writes to its own event source (the token tests).
/// </summary>
internal sealed class CapturedLogs : EventListener, ILoggerProvider
{
    private readonly ConcurrentQueue<(LogLevel Level, string Category, string Text)> _entries = new();

    public IReadOnlyList<(LogLevel Level, string Category, string Text)> Entries => [.. _entries];

    public string All => string.Join('\n', _entries.Select(e => e.Text));

    /// <summary>Captures everything at Trace level, whatever filters the server sets for other providers.</summary>
    public void Configure(ILoggingBuilder logging)
    {
        logging.SetMinimumLevel(LogLevel.Trace);
        logging.AddProvider(this);
        logging.AddFilter<CapturedLogs>(null, LogLevel.Trace);
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name.Contains("IdentityModel", StringComparison.Ordinal))
        {
            EnableEvents(eventSource, EventLevel.Verbose);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData) =>
        _entries.Enqueue((LogLevel.Trace, eventData.EventSource.Name, $"{eventData.EventSource.Name}: {eventData.Message} {string.Join(' ', eventData.Payload ?? [])}"));

    private sealed class Logger(CapturedLogs logs, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull
        {
            logs._entries.Enqueue((LogLevel.Trace, category, $"scope {Render(state)}"));
            return null;
        }

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var text = new StringBuilder()
                .Append(logLevel).Append(' ').Append(category).Append(' ').Append(eventId.Id).Append(' ').Append(eventId.Name)
                .Append(": ").Append(formatter(state, exception)).Append(" | ").Append(Render(state));
            if (exception is not null)
            {
                text.Append(" | ").Append(exception);
            }

            logs._entries.Enqueue((logLevel, category, text.ToString()));
        }

        private static string Render(object? state)
        {
            try
            {
                return state is IEnumerable<KeyValuePair<string, object?>> values
                    ? string.Join(", ", values.Select(v => $"{v.Key}={v.Value}"))
                    : state?.ToString() ?? "";
            }
            catch (Exception e)
            {
                return $"RENDER FAILED {e}";
            }
        }
    }
}
