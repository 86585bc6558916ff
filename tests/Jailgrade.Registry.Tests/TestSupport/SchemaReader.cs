using System.Data.Common;
using Jailgrade.Registry.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Jailgrade.Registry.Tests.TestSupport;

/// <summary>
/// A schema as lines that compare well in a diff ("column users.name NOT NULL", "index users
/// ix_users_organization_id_name UNIQUE (organization_id,name)"): read back from a database, or
/// derived from the EF model.
/// </summary>
internal static class SchemaReader
{
    public static List<string> FromModel(RegistryDbContext db)
    {
        var lines = new List<string>();
        foreach (var table in db.Model.GetRelationalModel().Tables)
        {
            lines.Add($"table {table.Name}");
            lines.AddRange(table.Columns.Select(c => $"column {table.Name}.{c.Name}{(c.IsNullable ? "" : " NOT NULL")}"));
            lines.Add($"pk {table.Name} ({string.Join(',', table.PrimaryKey!.Columns.Select(c => c.Name))})");
            lines.AddRange(table.Indexes.Select(i => $"index {table.Name} {i.Name}{(i.IsUnique ? " UNIQUE" : "")} ({string.Join(',', i.Columns.Select(c => c.Name))})"));
            lines.AddRange(table.ForeignKeyConstraints.Select(f => $"fk {table.Name} ({string.Join(',', f.Columns.Select(c => c.Name))}) -> {f.PrincipalTable.Name}"));
        }

        return Sorted(lines);
    }

    public static async Task<List<string>> FromDatabaseAsync(DbConnection connection, DatabaseProvider provider)
    {
        var lines = new List<string>();
        if (provider == DatabaseProvider.Sqlite)
        {
            foreach (var table in await StringsAsync(connection, $"SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '{Schema.MigrationsTable}'"))
            {
                lines.Add($"table {table}");
                var pk = new SortedDictionary<long, string>();
                foreach (var row in await RowsAsync(connection, $"SELECT name, \"notnull\", pk FROM pragma_table_info('{table}')"))
                {
                    lines.Add($"column {table}.{row[0]}{((long)row[1]! == 1 ? " NOT NULL" : "")}");
                    if ((long)row[2]! > 0)
                    {
                        pk[(long)row[2]!] = (string)row[0]!;
                    }
                }

                lines.Add($"pk {table} ({string.Join(',', pk.Values)})");
                foreach (var row in await RowsAsync(connection, $"SELECT name, \"unique\" FROM pragma_index_list('{table}') WHERE origin = 'c'"))
                {
                    var columns = await StringsAsync(connection, $"SELECT name FROM pragma_index_info('{row[0]}') ORDER BY seqno");
                    lines.Add($"index {table} {row[0]}{((long)row[1]! == 1 ? " UNIQUE" : "")} ({string.Join(',', columns)})");
                }

                foreach (var row in await RowsAsync(connection, $"SELECT id, \"table\", group_concat(\"from\", ',') FROM (SELECT * FROM pragma_foreign_key_list('{table}') ORDER BY id, seq) GROUP BY id"))
                {
                    lines.Add($"fk {table} ({row[2]}) -> {row[1]}");
                }
            }
        }
        else
        {
            foreach (var table in await StringsAsync(connection, $"SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> '{Schema.MigrationsTable}'"))
            {
                lines.Add($"table {table}");
                foreach (var row in await RowsAsync(connection, $"SELECT column_name, is_nullable FROM information_schema.columns WHERE table_schema = 'public' AND table_name = '{table}'"))
                {
                    lines.Add($"column {table}.{row[0]}{((string)row[1]! == "NO" ? " NOT NULL" : "")}");
                }
            }

            const string IndexColumns = "array_to_string(array(SELECT a.attname FROM unnest(ix.indkey) WITH ORDINALITY k(attnum, ord) JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum ORDER BY k.ord), ',')";
            foreach (var row in await RowsAsync(connection, $"""
                SELECT t.relname, i.relname, ix.indisunique, ix.indisprimary, {IndexColumns}
                FROM pg_index ix JOIN pg_class t ON t.oid = ix.indrelid JOIN pg_class i ON i.oid = ix.indexrelid JOIN pg_namespace n ON n.oid = t.relnamespace
                WHERE n.nspname = 'public' AND t.relname <> '{Schema.MigrationsTable}'
                """))
            {
                lines.Add((bool)row[3]! ? $"pk {row[0]} ({row[4]})" : $"index {row[0]} {row[1]}{((bool)row[2]! ? " UNIQUE" : "")} ({row[4]})");
            }

            foreach (var row in await RowsAsync(connection, """
                SELECT cl.relname, rf.relname,
                       array_to_string(array(SELECT a.attname FROM unnest(c.conkey) WITH ORDINALITY k(attnum, ord) JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum ORDER BY k.ord), ',')
                FROM pg_constraint c JOIN pg_class cl ON cl.oid = c.conrelid JOIN pg_class rf ON rf.oid = c.confrelid JOIN pg_namespace n ON n.oid = cl.relnamespace
                WHERE c.contype = 'f' AND n.nspname = 'public'
                """))
            {
                lines.Add($"fk {row[0]} ({row[2]}) -> {row[1]}");
            }
        }

        return Sorted(lines);
    }

    public static async Task<List<string>> TriggersAsync(DbConnection connection, DatabaseProvider provider) =>
        Sorted(await StringsAsync(connection, provider == DatabaseProvider.Sqlite
            ? "SELECT tbl_name || ' ' || name FROM sqlite_master WHERE type = 'trigger'"
            : "SELECT c.relname || ' ' || t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE NOT t.tgisinternal AND n.nspname = 'public'"));

    public static async Task<List<string>> PrivilegesAsync(DbConnection connection, string role) =>
        Sorted(await StringsAsync(connection, $"SELECT table_name || ' ' || privilege_type FROM information_schema.table_privileges WHERE grantee = '{role}' AND table_schema = 'public'"));

    public static List<string> Sorted(IEnumerable<string> lines) => [.. lines.Order(StringComparer.Ordinal)];

    private static async Task<List<string>> StringsAsync(DbConnection connection, string sql) =>
        [.. (await RowsAsync(connection, sql)).Select(r => Convert.ToString(r[0], System.Globalization.CultureInfo.InvariantCulture)!)];

    private static async Task<List<object?[]>> RowsAsync(DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<object?[]>();
        while (await reader.ReadAsync())
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            rows.Add(row);
        }

        return rows;
    }
}
