using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Jailgrade.Server.Tests.Security;

/// <summary>
/// Every log entry the server writes, at every level, rendered whole: category, level, message,
/// each structured value, scopes and the exception with its inner exceptions and stack.
/// </summary>
internal sealed class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<(LogLevel Level, string Category, string Text)> _entries = new();

    public IReadOnlyList<(LogLevel Level, string Category, string Text)> Entries => [.. _entries];

    public string All => string.Join('\n', _entries.Select(e => e.Text));

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

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
