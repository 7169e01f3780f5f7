using Npgsql;

namespace EdgeGateway.Hub.Storage;

/// <summary>
/// The hub's tables, created on start. Migrations are numbered and applied once each, under an advisory
/// lock so receivers starting together do not race.
/// </summary>
public static class HubSchema
{
    private const long MigrationLock = 0x4544_4745_4855_4201; // "EDGEHUB" + 1

    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE stations (
            id text PRIMARY KEY,
            state text NOT NULL DEFAULT 'unknown' CHECK (state IN ('unknown', 'online', 'offline')),
            state_time timestamptz,
            last_seen timestamptz,
            last_seq bigint,
            first_seen timestamptz NOT NULL DEFAULT now());
        -- One row per (station, seq) whatever the kind: the gate that keeps every message once.
        CREATE TABLE messages (
            station text NOT NULL, seq bigint NOT NULL, id uuid NOT NULL, kind text NOT NULL,
            time timestamptz NOT NULL, received timestamptz NOT NULL,
            PRIMARY KEY (station, seq));
        CREATE TABLE alerts (
            station text NOT NULL, seq bigint NOT NULL, id uuid NOT NULL, time timestamptz NOT NULL,
            received timestamptz NOT NULL, scope text NOT NULL, rule text, from_level text NOT NULL,
            to_level text NOT NULL, value double precision, threshold double precision, severity text,
            PRIMARY KEY (station, seq));
        -- A CAP document has a seq of its own (its CAP parameter "seq"), next to its alert's.
        CREATE TABLE alert_caps (
            station text NOT NULL, seq bigint NOT NULL, id uuid NOT NULL, time timestamptz NOT NULL,
            received timestamptz NOT NULL, identifier text NOT NULL, event text, severity text,
            document text NOT NULL, PRIMARY KEY (station, seq));
        CREATE TABLE events (
            station text NOT NULL, seq bigint NOT NULL, id uuid NOT NULL, time timestamptz NOT NULL,
            received timestamptz NOT NULL, type text NOT NULL, source text, message text, data jsonb,
            PRIMARY KEY (station, seq));
        CREATE TABLE command_results (
            station text NOT NULL, seq bigint NOT NULL, id uuid NOT NULL, time timestamptz NOT NULL,
            received timestamptz NOT NULL, command text, ok boolean NOT NULL, error text, warning text,
            PRIMARY KEY (station, seq));
        -- One row per reading; time is when it was taken. Partitioned by day (created ahead by the
        -- receiver); the default partition catches a reading from a clock far off.
        CREATE TABLE readings (
            station text NOT NULL, seq bigint NOT NULL, id uuid NOT NULL, time timestamptz NOT NULL,
            sensor text NOT NULL, value double precision, unit text, quality text NOT NULL)
            PARTITION BY RANGE (time);
        CREATE TABLE readings_default PARTITION OF readings DEFAULT;
        CREATE INDEX ON readings (station, sensor, time);
        CREATE TABLE seq_gaps (
            gap_id bigserial PRIMARY KEY, station text NOT NULL, from_seq bigint NOT NULL,
            to_seq bigint NOT NULL, first_seen timestamptz NOT NULL, closed timestamptz);
        CREATE INDEX seq_gaps_open ON seq_gaps (station) WHERE closed IS NULL;
        CREATE TABLE rejected (
            rejected_id bigserial PRIMARY KEY, received timestamptz NOT NULL, topic text NOT NULL,
            reason text NOT NULL, payload bytea NOT NULL);
        """,
    ];

    public static int Version => Migrations.Length;

    public static async Task MigrateAsync(NpgsqlDataSource db, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        await using var conn = await db.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using var tx = await conn.BeginTransactionAsync(ct).ConfigureAwait(false);
        await Exec(conn, tx, $"SELECT pg_advisory_xact_lock({MigrationLock})", ct).ConfigureAwait(false);
        await Exec(conn, tx, "CREATE TABLE IF NOT EXISTS hub_schema (version int PRIMARY KEY, applied timestamptz NOT NULL DEFAULT now())", ct).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand("SELECT coalesce(max(version), 0) FROM hub_schema", conn, tx);
        var current = (int)(await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
        for (var v = current; v < Migrations.Length; v++)
        {
            await Exec(conn, tx, Migrations[v], ct).ConfigureAwait(false);
            await Exec(conn, tx, $"INSERT INTO hub_schema (version) VALUES ({v + 1})", ct).ConfigureAwait(false);
        }

        await tx.CommitAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Creates the daily readings partitions for <paramref name="days"/> that do not exist yet.</summary>
    public static async Task EnsureReadingPartitionsAsync(NpgsqlDataSource db, IEnumerable<DateOnly> days, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        await using var conn = await db.OpenConnectionAsync(ct).ConfigureAwait(false);
        foreach (var day in days)
        {
            await using var tx = await conn.BeginTransactionAsync(ct).ConfigureAwait(false);
            await Exec(conn, tx, $"SELECT pg_advisory_xact_lock({MigrationLock + 1})", ct).ConfigureAwait(false);
            var name = $"readings_{day:yyyyMMdd}";
            await using var exists = new NpgsqlCommand("SELECT to_regclass(@n) IS NOT NULL", conn, tx);
            exists.Parameters.AddWithValue("n", name);
            if (!(bool)(await exists.ExecuteScalarAsync(ct).ConfigureAwait(false))!)
            {
                // Rows of that day already in the default partition would make the attach fail: move them.
                var from = day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
                var to = day.AddDays(1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
                await Exec(conn, tx, $"""
                    CREATE TEMP TABLE moved ON COMMIT DROP AS
                        WITH m AS (DELETE FROM readings_default WHERE time >= '{from}Z' AND time < '{to}Z' RETURNING *) SELECT * FROM m;
                    CREATE TABLE {name} PARTITION OF readings FOR VALUES FROM ('{from}Z') TO ('{to}Z');
                    INSERT INTO readings SELECT * FROM moved;
                    """, ct).ConfigureAwait(false);
            }

            await tx.CommitAsync(ct).ConfigureAwait(false);
        }
    }

    private static async Task Exec(NpgsqlConnection conn, NpgsqlTransaction tx, string sql, CancellationToken ct)
    {
#pragma warning disable CA2100 // fixed DDL; the only values are dates formatted here
        await using var cmd = new NpgsqlCommand(sql, conn, tx);
#pragma warning restore CA2100
        await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }
}
