namespace Jailgrade.Registry.Persistence;

/// <summary>
/// What the migrations create beyond what the EF model describes: the triggers that guard the record,
/// and on PostgreSQL the privileges of the server's role. Tests read both back from a migrated
/// database and compare them with these lists.
/// </summary>
public static class Schema
{
    /// <summary>Tables the migrator keeps for itself (not part of the model).</summary>
    public const string MigrationsTable = "schema_migrations";

    /// <summary>Triggers on SQLite, as (table, trigger).</summary>
    public static IReadOnlyList<(string Table, string Trigger)> SqliteTriggers { get; } =
    [
        ("event_envelopes", "event_envelopes_refuse_update"),
        ("event_envelopes", "event_envelopes_refuse_delete"),
        ("event_bodies", "event_bodies_erase_only"),
        ("event_bodies", "event_bodies_refuse_delete"),
    ];

    /// <summary>Triggers on PostgreSQL, as (table, trigger).</summary>
    public static IReadOnlyList<(string Table, string Trigger)> PostgresTriggers { get; } =
    [
        ("event_envelopes", "event_envelopes_refuse_update"),
        ("event_envelopes", "event_envelopes_refuse_truncate"),
        ("event_bodies", "event_bodies_erase_only"),
        ("event_bodies", "event_bodies_refuse_truncate"),
    ];

    /// <summary>
    /// On PostgreSQL, exactly what the server's role may do to each table: no UPDATE or DELETE on
    /// envelopes, bodies only updated (to erase), nothing deleted but a release's link to an involvement, an
    /// authority's scope row, an authority's party organizations (replaced whole when the authority is
    /// configured again) and expired or abandoned idempotency keys; accreditations are revoked, never deleted.
    /// </summary>
    public static IReadOnlyDictionary<string, string[]> ApplicationPrivileges { get; } = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        ["organizations"] = ["SELECT", "INSERT", "UPDATE"],
        ["users"] = ["SELECT", "INSERT", "UPDATE"],
        ["api_keys"] = ["SELECT", "INSERT", "UPDATE"],
        ["models"] = ["SELECT", "INSERT", "UPDATE"],
        ["releases"] = ["SELECT", "INSERT", "UPDATE"],
        ["cases"] = ["SELECT", "INSERT", "UPDATE"],
        ["involvements"] = ["SELECT", "INSERT", "UPDATE"],
        ["involvement_releases"] = ["SELECT", "INSERT", "DELETE"],
        ["case_keys"] = ["SELECT", "INSERT", "UPDATE"],
        ["case_auditors"] = ["SELECT", "INSERT"],
        ["authority_scopes"] = ["SELECT", "INSERT", "DELETE"],
        ["case_event_actors"] = ["SELECT", "INSERT"],
        ["accreditations"] = ["SELECT", "INSERT", "UPDATE"],
        ["accreditation_scopes"] = ["SELECT", "INSERT"],
        ["authority_policies"] = ["SELECT", "INSERT", "UPDATE"],
        ["authority_parties"] = ["SELECT", "INSERT", "DELETE"],
        ["event_envelopes"] = ["SELECT", "INSERT"],
        ["event_bodies"] = ["SELECT", "INSERT", "UPDATE"],
        ["settings"] = ["SELECT"],
        // Reserved, completed, taken over and removed when expired: nothing of the record.
        ["idempotency_keys"] = ["SELECT", "INSERT", "UPDATE", "DELETE"],
        [MigrationsTable] = ["SELECT"],
    };
}
