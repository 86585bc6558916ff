using System.Data.Common;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Jailgrade.Registry.Persistence;

/// <summary>
/// Database time, as OpenTelemetry's database conventions name it: a histogram
/// <c>db.client.operation.duration</c> (seconds) and a client span per command, tagged with the
/// provider and the operation (<c>SELECT</c>, <c>INSERT</c>, …). EF Core's own OpenTelemetry
/// instrumentation is only published as a beta, so the registry records this itself from the command
/// interceptor EF Core calls after each command. Neither carries the SQL text or a parameter value
/// (SECURITY.md 7): only the first keyword of the statement.
/// </summary>
public sealed class DatabaseTelemetry : DbCommandInterceptor
{
    /// <summary>The meter and activity source name a telemetry pipeline subscribes to.</summary>
    public const string Name = "Jailgrade.Registry";

    /// <summary>The histogram of command durations, in seconds.</summary>
    public const string DurationInstrument = "db.client.operation.duration";

    private static readonly ActivitySource Source = new(Name);
    private static readonly Meter Meter = new(Name);
    private static readonly Histogram<double> Duration = Meter.CreateHistogram<double>(
        DurationInstrument, unit: "s", description: "Time the registry's database took to run a command");

    private readonly string _system;

    internal DatabaseTelemetry(DatabaseProvider provider) =>
        _system = provider == DatabaseProvider.Sqlite ? "sqlite" : "postgresql";

    public override DbDataReader ReaderExecuted(DbCommand command, CommandExecutedEventData eventData, DbDataReader result)
    {
        Record(command, eventData.StartTime, eventData.Duration, error: null);
        return result;
    }

    public override ValueTask<DbDataReader> ReaderExecutedAsync(DbCommand command, CommandExecutedEventData eventData, DbDataReader result, CancellationToken cancellationToken = default)
    {
        Record(command, eventData.StartTime, eventData.Duration, error: null);
        return ValueTask.FromResult(result);
    }

    public override int NonQueryExecuted(DbCommand command, CommandExecutedEventData eventData, int result)
    {
        Record(command, eventData.StartTime, eventData.Duration, error: null);
        return result;
    }

    public override ValueTask<int> NonQueryExecutedAsync(DbCommand command, CommandExecutedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        Record(command, eventData.StartTime, eventData.Duration, error: null);
        return ValueTask.FromResult(result);
    }

    public override object? ScalarExecuted(DbCommand command, CommandExecutedEventData eventData, object? result)
    {
        Record(command, eventData.StartTime, eventData.Duration, error: null);
        return result;
    }

    public override ValueTask<object?> ScalarExecutedAsync(DbCommand command, CommandExecutedEventData eventData, object? result, CancellationToken cancellationToken = default)
    {
        Record(command, eventData.StartTime, eventData.Duration, error: null);
        return ValueTask.FromResult(result);
    }

    public override void CommandFailed(DbCommand command, CommandErrorEventData eventData) =>
        Record(command, eventData.StartTime, eventData.Duration, eventData.Exception.GetType().Name);

    public override Task CommandFailedAsync(DbCommand command, CommandErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Record(command, eventData.StartTime, eventData.Duration, eventData.Exception.GetType().Name);
        return Task.CompletedTask;
    }

    private void Record(DbCommand command, DateTimeOffset start, TimeSpan duration, string? error)
    {
        var operation = Operation(command.CommandText);
        var tags = new TagList { { "db.system.name", _system }, { "db.operation.name", operation } };
        if (error is not null)
        {
            tags.Add("error.type", error);
        }

        Duration.Record(duration.TotalSeconds, tags);

        // The span is made after the fact from EF Core's own start time and duration; its parent is
        // the request's span (Activity.Current), so a trace shows where a request spent its time.
        using var activity = Source.StartActivity($"{operation} {_system}", ActivityKind.Client, parentContext: default, tags: tags, startTime: start);
        if (activity is not null)
        {
            activity.SetEndTime(start.UtcDateTime + duration);
            if (error is not null)
            {
                activity.SetStatus(ActivityStatusCode.Error);
            }
        }
    }

    /// <summary>The statement's first keyword, upper-cased; <c>OTHER</c> when there is none.</summary>
    internal static string Operation(string sql)
    {
        var text = sql.AsSpan().TrimStart();
        var end = 0;
        while (end < text.Length && char.IsAsciiLetter(text[end]))
        {
            end++;
        }

        return end == 0 ? "OTHER" : text[..end].ToString().ToUpperInvariant();
    }
}
