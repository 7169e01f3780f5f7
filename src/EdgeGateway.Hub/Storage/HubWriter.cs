using Npgsql;
using NpgsqlTypes;

namespace EdgeGateway.Hub.Storage;

/// <summary>
/// Writes a batch of uplink messages to PostgreSQL in one transaction. Each <c>(station, seq)</c> is kept
/// once: the <c>messages</c> table is the gate (ON CONFLICT DO NOTHING ... RETURNING), and only the seqs
/// it let through go on to their kind's table, the gap bookkeeping and the station's last seq. A message
/// delivered again (a receiver that died between commit and acknowledgement, a station that resent what
/// was in flight) therefore changes nothing. Receivers and lanes write at the same time: the gate's rows
/// are the only thing two transactions with the same message contend for (the second waits for the first
/// to end, then finds the row and skips the message), and the stations' rows are locked, in id order, only
/// for the gap bookkeeping and the stations' last seq at the end of the transaction. Every transaction
/// takes what it locks in the same order (new station rows, then the gate rows of telemetry, then those of
/// the other kinds, then station rows, each sorted), so they cannot deadlock.
/// </summary>
public sealed class HubWriter(NpgsqlDataSource db, TimeProvider time)
{
    private readonly HashSet<DateOnly> _partitions = [];

    /// <summary>Creates the readings partitions from yesterday to a week ahead.</summary>
    public async Task PrepareAsync(CancellationToken ct)
    {
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        await EnsurePartitionsAsync(Enumerable.Range(-1, 9).Select(today.AddDays), ct).ConfigureAwait(false);
    }

    public async Task WriteAsync(IReadOnlyList<HubMessage> messages, IReadOnlyList<RejectedMessage> rejected, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(messages);
        ArgumentNullException.ThrowIfNull(rejected);
        var now = time.GetUtcNow();
        await EnsureReadingDaysAsync(messages, now, ct).ConfigureAwait(false);

        await using var conn = await db.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using var tx = await conn.BeginTransactionAsync(ct).ConfigureAwait(false);
        var stations = messages.Select(m => m.Station).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        if (stations.Length > 0)
        {
            await InsertStationsAsync(conn, tx, stations, ct).ConfigureAwait(false);

            // Telemetry first, the rest (alerts, CAP, events, results) after it: the main lane also gets every
            // alert, and claims its gate row only near its commit, so the urgent lane's short transaction
            // seldom has to wait for the main lane's long one to store an alert.
            var fresh = await GateAsync(conn, tx, [.. messages.Where(m => m.Kind == MessageKind.Telemetry)], now, ct).ConfigureAwait(false);
            await InsertKindsAsync(conn, tx, fresh, now, ct).ConfigureAwait(false);
            var urgent = await GateAsync(conn, tx, [.. messages.Where(m => m.Kind != MessageKind.Telemetry)], now, ct).ConfigureAwait(false);
            await InsertKindsAsync(conn, tx, urgent, now, ct).ConfigureAwait(false);
            await InsertCapsAsync(conn, tx, urgent.Where(m => m.Kind == MessageKind.Cap).ToList(), now, ct).ConfigureAwait(false);
            fresh.AddRange(urgent);

            // Last, so another receiver's transaction on the same stations waits only for this bookkeeping
            // and the commit, not for the whole batch.
            var lastSeqs = await LockStationsAsync(conn, tx, stations, ct).ConfigureAwait(false);
            await UpdateGapsAndStationsAsync(conn, tx, stations, lastSeqs, fresh, messages, now, ct).ConfigureAwait(false);
        }

        await InsertRejectedAsync(conn, tx, rejected, now, ct).ConfigureAwait(false);
        await tx.CommitAsync(ct).ConfigureAwait(false);
    }

    private async Task EnsureReadingDaysAsync(IReadOnlyList<HubMessage> messages, DateTimeOffset now, CancellationToken ct)
    {
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        List<DateOnly> missing;
        lock (_partitions)
        {
            missing = messages.SelectMany(m => m.Readings).Select(r => DateOnly.FromDateTime(r.Time.UtcDateTime))
                // Further out, a station's clock is wrong: the default partition takes it rather than a table a day.
                .Where(d => d >= today.AddDays(-31) && d <= today.AddDays(2) && !_partitions.Contains(d))
                .Distinct().ToList();
        }

        if (missing.Count > 0)
        {
            await EnsurePartitionsAsync(missing, ct).ConfigureAwait(false);
        }
    }

    private async Task EnsurePartitionsAsync(IEnumerable<DateOnly> days, CancellationToken ct)
    {
        List<DateOnly> list;
        lock (_partitions)
        {
            list = days.Where(d => !_partitions.Contains(d)).ToList();
        }

        // Two lanes may create the same day at once: the schema's statements are idempotent.
        await HubSchema.EnsureReadingPartitionsAsync(db, list, ct).ConfigureAwait(false);
        lock (_partitions)
        {
            _partitions.UnionWith(list);
        }
    }

    // First in the transaction and in id order: a new station's row is the first thing two transactions can
    // wait on each other for (an existing row is not locked by ON CONFLICT DO NOTHING).
    private static async Task InsertStationsAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string[] stations, CancellationToken ct)
    {
        await using var insert = new NpgsqlCommand("INSERT INTO stations (id) SELECT unnest(@ids) ON CONFLICT DO NOTHING", conn, tx);
        insert.Parameters.AddWithValue("ids", stations);
        await insert.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    private static async Task<Dictionary<string, long>> LockStationsAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string[] stations, CancellationToken ct)
    {
        var last = new Dictionary<string, long>(StringComparer.Ordinal);
        await using var select = new NpgsqlCommand("SELECT id, coalesce(last_seq, 0) FROM stations WHERE id = ANY(@ids) ORDER BY id FOR UPDATE", conn, tx);
        select.Parameters.AddWithValue("ids", stations);
        await using var reader = await select.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            last[reader.GetString(0)] = reader.GetInt64(1);
        }

        return last;
    }

    // The messages whose (station, seq) this transaction stored first; the rest were here already.
    private static async Task<List<HubMessage>> GateAsync(NpgsqlConnection conn, NpgsqlTransaction tx, IReadOnlyList<HubMessage> messages, DateTimeOffset now, CancellationToken ct)
    {
        // In (station, seq) order: two transactions inserting the same rows wait for each other in one
        // order only, so the gate cannot deadlock.
        var candidates = messages.Where(m => m.Seq is not null)
            .DistinctBy(m => (m.Station, m.Seq))
            .OrderBy(m => m.Station, StringComparer.Ordinal).ThenBy(m => m.Seq!.Value).ToList();
        if (candidates.Count == 0)
        {
            return [];
        }

        await using var cmd = new NpgsqlCommand("""
            INSERT INTO messages (station, seq, id, kind, time, received)
            SELECT s, q, i, k, t, r FROM unnest(@s, @q, @i, @k, @t, @r) AS x(s, q, i, k, t, r)
            ON CONFLICT DO NOTHING RETURNING station, seq
            """, conn, tx);
        cmd.Parameters.AddWithValue("s", candidates.Select(m => m.Station).ToArray());
        cmd.Parameters.AddWithValue("q", candidates.Select(m => m.Seq!.Value).ToArray());
        cmd.Parameters.AddWithValue("i", candidates.Select(m => m.Id).ToArray());
        cmd.Parameters.AddWithValue("k", candidates.Select(m => KindName(m.Kind)).ToArray());
        cmd.Parameters.AddWithValue("t", candidates.Select(m => m.Time.UtcDateTime).ToArray());
        cmd.Parameters.AddWithValue("r", candidates.Select(m => (m.Received ?? now).UtcDateTime).ToArray());
        var stored = new HashSet<(string, long)>();
        await using (var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                stored.Add((reader.GetString(0), reader.GetInt64(1)));
            }
        }

        return candidates.Where(m => stored.Contains((m.Station, m.Seq!.Value))).ToList();
    }

    private static async Task InsertKindsAsync(NpgsqlConnection conn, NpgsqlTransaction tx, List<HubMessage> fresh, DateTimeOffset now, CancellationToken ct)
    {
        var alerts = fresh.Where(m => m.Kind == MessageKind.Alert).ToList();
        if (alerts.Count > 0)
        {
            await using var cmd = Insert(conn, tx, alerts, now, "alerts", "scope, rule, from_level, to_level, value, threshold, severity",
                "@a::text[], @b::text[], @c::text[], @d::text[], @e::float8[], @f::float8[], @g::text[]");
            cmd.Parameters.AddWithValue("a", alerts.Select(m => m.Scope!).ToArray());
            cmd.Parameters.AddWithValue("b", alerts.Select(m => m.Rule).ToArray());
            cmd.Parameters.AddWithValue("c", alerts.Select(m => m.From!).ToArray());
            cmd.Parameters.AddWithValue("d", alerts.Select(m => m.To!).ToArray());
            cmd.Parameters.AddWithValue("e", alerts.Select(m => m.Value).ToArray());
            cmd.Parameters.AddWithValue("f", alerts.Select(m => m.Threshold).ToArray());
            cmd.Parameters.AddWithValue("g", alerts.Select(m => m.Severity).ToArray());
            await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }

        var events = fresh.Where(m => m.Kind == MessageKind.Event).ToList();
        if (events.Count > 0)
        {
            await using var cmd = Insert(conn, tx, events, now, "events", "type, source, message, data",
                "@a::text[], @b::text[], @c::text[], @d::jsonb[]");
            cmd.Parameters.AddWithValue("a", events.Select(m => m.Type!).ToArray());
            cmd.Parameters.AddWithValue("b", events.Select(m => m.Source).ToArray());
            cmd.Parameters.AddWithValue("c", events.Select(m => m.Message).ToArray());
            cmd.Parameters.AddWithValue("d", events.Select(m => m.Data).ToArray());
            await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }

        var results = fresh.Where(m => m.Kind == MessageKind.CommandResult).ToList();
        if (results.Count > 0)
        {
            await using var cmd = Insert(conn, tx, results, now, "command_results", "command, ok, error, warning",
                "@a::text[], @b::bool[], @c::text[], @d::text[]");
            cmd.Parameters.AddWithValue("a", results.Select(m => m.Command).ToArray());
            cmd.Parameters.AddWithValue("b", results.Select(m => m.Ok!.Value).ToArray());
            cmd.Parameters.AddWithValue("c", results.Select(m => m.Error).ToArray());
            cmd.Parameters.AddWithValue("d", results.Select(m => m.Warning).ToArray());
            await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }

        var telemetry = fresh.Where(m => m.Kind == MessageKind.Telemetry && m.Readings.Count > 0).ToList();
        if (telemetry.Count > 0)
        {
            // Binary COPY: the bulk of the rows, routed to the day partitions by PostgreSQL.
            await using var copy = await conn.BeginBinaryImportAsync(
                "COPY readings (station, seq, id, time, sensor, value, unit, quality) FROM STDIN (FORMAT BINARY)", ct).ConfigureAwait(false);
            foreach (var m in telemetry)
            {
                foreach (var r in m.Readings)
                {
                    await copy.StartRowAsync(ct).ConfigureAwait(false);
                    await copy.WriteAsync(m.Station, NpgsqlDbType.Text, ct).ConfigureAwait(false);
                    await copy.WriteAsync(m.Seq!.Value, NpgsqlDbType.Bigint, ct).ConfigureAwait(false);
                    await copy.WriteAsync(m.Id, NpgsqlDbType.Uuid, ct).ConfigureAwait(false);
                    await copy.WriteAsync(r.Time.UtcDateTime, NpgsqlDbType.TimestampTz, ct).ConfigureAwait(false);
                    await copy.WriteAsync(r.Sensor, NpgsqlDbType.Text, ct).ConfigureAwait(false);
                    await WriteNullableAsync(copy, r.Value, NpgsqlDbType.Double, ct).ConfigureAwait(false);
                    await WriteNullableAsync(copy, r.Unit, NpgsqlDbType.Text, ct).ConfigureAwait(false);
                    await copy.WriteAsync(r.Quality, NpgsqlDbType.Text, ct).ConfigureAwait(false);
                }
            }

            await copy.CompleteAsync(ct).ConfigureAwait(false);
        }
    }

    private static async Task WriteNullableAsync<T>(NpgsqlBinaryImporter copy, T? value, NpgsqlDbType type, CancellationToken ct)
    {
        if (value is null)
        {
            await copy.WriteNullAsync(ct).ConfigureAwait(false);
        }
        else
        {
            await copy.WriteAsync(value, type, ct).ConfigureAwait(false);
        }
    }

    // INSERT INTO table (station, seq, id, time, received, extra...) from arrays, one row per message.
    private static NpgsqlCommand Insert(NpgsqlConnection conn, NpgsqlTransaction tx, List<HubMessage> rows, DateTimeOffset now,
        string table, string columns, string arrays)
    {
#pragma warning disable CA2100 // table and column names are constants of this class
        var cmd = new NpgsqlCommand(
            $"INSERT INTO {table} (station, seq, id, time, received, {columns}) SELECT * FROM unnest(@s, @q, @i, @t, @r, {arrays}) ON CONFLICT DO NOTHING",
            conn, tx);
#pragma warning restore CA2100
        cmd.Parameters.AddWithValue("s", rows.Select(m => m.Station).ToArray());
        cmd.Parameters.AddWithValue("q", rows.Select(m => m.Seq!.Value).ToArray());
        cmd.Parameters.AddWithValue("i", rows.Select(m => m.Id).ToArray());
        cmd.Parameters.AddWithValue("t", rows.Select(m => m.Time.UtcDateTime).ToArray());
        cmd.Parameters.AddWithValue("r", rows.Select(m => (m.Received ?? now).UtcDateTime).ToArray());
        return cmd;
    }

    private static async Task InsertCapsAsync(NpgsqlConnection conn, NpgsqlTransaction tx, List<HubMessage> caps, DateTimeOffset now, CancellationToken ct)
    {
        if (caps.Count == 0)
        {
            return;
        }

        await using var cmd = Insert(conn, tx, caps, now, "alert_caps", "identifier, event, severity, document",
            "@a::text[], @b::text[], @c::text[], @d::text[]");
        cmd.Parameters.AddWithValue("a", caps.Select(m => m.CapIdentifier!).ToArray());
        cmd.Parameters.AddWithValue("b", caps.Select(m => m.CapEvent).ToArray());
        cmd.Parameters.AddWithValue("c", caps.Select(m => m.Severity).ToArray());
        cmd.Parameters.AddWithValue("d", caps.Select(m => m.Payload).ToArray());
        await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    private static async Task UpdateGapsAndStationsAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string[] stations,
        Dictionary<string, long> lastSeqs, List<HubMessage> fresh, IReadOnlyList<HubMessage> all, DateTimeOffset now, CancellationToken ct)
    {
        var open = new Dictionary<string, List<SeqGap>>(StringComparer.Ordinal);
        await using (var select = new NpgsqlCommand(
            "SELECT gap_id, station, from_seq, to_seq, first_seen FROM seq_gaps WHERE station = ANY(@ids) AND closed IS NULL", conn, tx))
        {
            select.Parameters.AddWithValue("ids", stations);
            await using var reader = await select.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                var station = reader.GetString(1);
                if (!open.TryGetValue(station, out var list))
                {
                    open[station] = list = [];
                }

                list.Add(new SeqGap { RowId = reader.GetInt64(0), From = reader.GetInt64(2), To = reader.GetInt64(3), FirstSeen = reader.GetFieldValue<DateTimeOffset>(4) });
            }
        }

        await using var batch = new NpgsqlBatch(conn, tx);
        foreach (var station in stations)
        {
            var gaps = new SeqGaps(lastSeqs.GetValueOrDefault(station), open.GetValueOrDefault(station) ?? [], now);
            var mine = fresh.Where(m => m.Station == station).ToList();
            foreach (var seq in mine.Select(m => m.Seq!.Value).Order())
            {
                gaps.Received(seq);
            }

            foreach (var skipped in mine.Where(m => m.Skipped is not null).Select(m => m.Skipped!.Value))
            {
                gaps.Fill(skipped.From, skipped.To);
            }

            foreach (var g in gaps.Gaps.Where(g => g.Changed))
            {
                if (g.RowId is { } id)
                {
                    batch.BatchCommands.Add(Command("UPDATE seq_gaps SET from_seq = $1, to_seq = $2, closed = $3 WHERE gap_id = $4",
                        g.From, g.To, g.Closed ? now.UtcDateTime : (object)DBNull.Value, id));
                }
                else if (!g.Closed)
                {
                    // A gap opened and filled within one batch was only reordering (alerts overtaking telemetry).
                    batch.BatchCommands.Add(Command("INSERT INTO seq_gaps (station, from_seq, to_seq, first_seen) VALUES ($1, $2, $3, $4)",
                        station, g.From, g.To, g.FirstSeen.UtcDateTime));
                }
            }

            // The last status of the batch decides online/offline (birth, heartbeat, will or a clean stop).
            var status = all.LastOrDefault(m => m.Station == station && m.Kind == MessageKind.Status);
            batch.BatchCommands.Add(status is null
                ? Command("UPDATE stations SET last_seq = $2, last_seen = $3 WHERE id = $1", station, gaps.LastSeq, now.UtcDateTime)
                : Command("UPDATE stations SET last_seq = $2, last_seen = $3, state = $4, state_time = $5 WHERE id = $1",
                    station, gaps.LastSeq, now.UtcDateTime, status.State!, status.Time.UtcDateTime));
        }

        await batch.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    private static NpgsqlBatchCommand Command(string sql, params object[] values)
    {
        var cmd = new NpgsqlBatchCommand(sql);
        foreach (var v in values)
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = v });
        }

        return cmd;
    }

    private static async Task InsertRejectedAsync(NpgsqlConnection conn, NpgsqlTransaction tx, IReadOnlyList<RejectedMessage> rejected, DateTimeOffset now, CancellationToken ct)
    {
        if (rejected.Count == 0)
        {
            return;
        }

        await using var cmd = new NpgsqlCommand(
            "INSERT INTO rejected (received, topic, reason, payload) SELECT @now, * FROM unnest(@t, @r, @p)", conn, tx);
        cmd.Parameters.AddWithValue("now", now.UtcDateTime);
        cmd.Parameters.AddWithValue("t", rejected.Select(r => r.Topic).ToArray());
        cmd.Parameters.AddWithValue("r", rejected.Select(r => r.Reason).ToArray());
        cmd.Parameters.AddWithValue("p", rejected.Select(r => r.Body.ToArray()).ToArray());
        await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    private static string KindName(MessageKind kind) => kind switch
    {
        MessageKind.Telemetry => "telemetry",
        MessageKind.Alert => "alert",
        MessageKind.Event => "event",
        MessageKind.CommandResult => "cmd-result",
        MessageKind.Cap => "cap",
        _ => "status",
    };
}
