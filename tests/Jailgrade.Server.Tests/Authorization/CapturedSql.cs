using System.Collections;
using System.Data.Common;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Jailgrade.Server.Tests.Authorization;

/// <summary>One command the server ran: its SQL, copies of its parameters, and how many rows its reader returned.</summary>
internal sealed class CapturedCommand(string sql, IReadOnlyList<DbParameter> parameters)
{
    public string Sql { get; } = sql;

    /// <summary>Copies that can be added to another command (to run the same query under EXPLAIN).</summary>
    public IReadOnlyList<DbParameter> Parameters { get; } = parameters;

    /// <summary>The reader's Read calls when EF Core disposed of it: the rows, plus the last call that found none when it read to the end.</summary>
    public int ReadCalls { get; set; }

    /// <summary>The rows read from a reader read to its end, as every list's is.</summary>
    public int RowsRead => Math.Max(0, ReadCalls - 1);

    /// <summary>Whether the SQL reads the table (quoted on SQLite, bare on PostgreSQL).</summary>
    public bool Reads(string table) => Regex.IsMatch(Sql, $@"\b(FROM|JOIN)\s+""?{table}""?(\s|$)");

    /// <summary>Whether the SQL names a table or column (quoted on SQLite, bare on PostgreSQL).</summary>
    public bool Names(string name) => Regex.IsMatch(Sql, $@"(?<![\w])""?{name}""?(?![\w])");

    /// <summary>Whether a parameter carries <paramref name="id"/>: a value, a text (SQLite, JSON arrays) or an element of an array.</summary>
    public bool Binds(Guid id) => Parameters.Any(p => Holds(p.Value, id));

    public override string ToString() => $"{Sql}\n  -- {string.Join(", ", Parameters.Select(p => $"{p.ParameterName}={Show(p.Value)}"))}; {ReadCalls} read calls";

    private static bool Holds(object? value, Guid id) => value switch
    {
        Guid g => g == id,
        string s => s.Contains(id.ToString("D"), StringComparison.OrdinalIgnoreCase),
        IEnumerable items => items.Cast<object?>().Any(item => Holds(item, id)),
        _ => false,
    };

    private static string Show(object? value) => value is IEnumerable items and not string ? $"[{string.Join(",", items.Cast<object?>())}]" : $"{value}";
}

/// <summary>
/// Records every command the server runs, with its parameters and the rows read from it, through
/// <c>RegistryDatabase.TestInterceptor</c>. Tests only: it holds parameter values.
/// </summary>
internal sealed class CapturedSql : DbCommandInterceptor
{
    private readonly Lock _lock = new();
    private readonly List<(DbCommand Command, CapturedCommand Captured)> _commands = [];

    /// <summary>The commands run since the last <see cref="Take"/>, in order, and forgets them.</summary>
    public List<CapturedCommand> Take()
    {
        lock (_lock)
        {
            var taken = _commands.Select(c => c.Captured).ToList();
            _commands.Clear();
            return taken;
        }
    }

    public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
    {
        Record(command);
        return result;
    }

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        Record(command);
        return ValueTask.FromResult(result);
    }

    public override InterceptionResult DataReaderDisposing(DbCommand command, DataReaderDisposingEventData eventData, InterceptionResult result)
    {
        lock (_lock)
        {
            if (_commands.FindLast(c => ReferenceEquals(c.Command, command)) is { Captured: { } captured })
            {
                captured.ReadCalls = eventData.ReadCount;
            }
        }

        return result;
    }

    private void Record(DbCommand command)
    {
        var parameters = command.Parameters.Cast<DbParameter>().Select(Copy).ToList();
        lock (_lock)
        {
            _commands.Add((command, new CapturedCommand(command.CommandText, parameters)));
        }
    }

    private static DbParameter Copy(DbParameter parameter) => parameter switch
    {
        ICloneable cloneable => (DbParameter)cloneable.Clone(),
        SqliteParameter sqlite => new SqliteParameter(sqlite.ParameterName, sqlite.Value) { DbType = sqlite.DbType, SqliteType = sqlite.SqliteType },
        _ => throw new NotSupportedException($"cannot copy a {parameter.GetType().Name}"),
    };
}
