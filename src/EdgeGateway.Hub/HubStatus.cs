using System.Text.Json;
using Npgsql;

namespace EdgeGateway.Hub;

public sealed record GapView(long From, long To);

public sealed record StationView(string Id, string State, DateTimeOffset? LastSeen, long? LastSeq, IReadOnlyList<GapView> Gaps);

/// <summary><c>edgegw hub status</c>: the fleet as PostgreSQL holds it.</summary>
public static class HubStatus
{
    public static async Task<IReadOnlyList<StationView>> ReadAsync(NpgsqlDataSource db, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var gaps = new Dictionary<string, List<GapView>>(StringComparer.Ordinal);
        await using var conn = await db.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using (var cmd = new NpgsqlCommand("SELECT station, from_seq, to_seq FROM seq_gaps WHERE closed IS NULL ORDER BY station, from_seq", conn))
        await using (var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                var station = reader.GetString(0);
                if (!gaps.TryGetValue(station, out var list))
                {
                    gaps[station] = list = [];
                }

                list.Add(new GapView(reader.GetInt64(1), reader.GetInt64(2)));
            }
        }

        var stations = new List<StationView>();
        await using (var cmd = new NpgsqlCommand("SELECT id, state, last_seen, last_seq FROM stations ORDER BY id", conn))
        await using (var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                var id = reader.GetString(0);
                stations.Add(new StationView(id, reader.GetString(1),
                    reader.IsDBNull(2) ? null : reader.GetFieldValue<DateTimeOffset>(2),
                    reader.IsDBNull(3) ? null : reader.GetInt64(3),
                    gaps.GetValueOrDefault(id) ?? []));
            }
        }

        return stations;
    }

    /// <summary><c>{"stations":[{"id","state","lastSeen","lastSeq","gaps":[{"from","to"}]}]}</c>.</summary>
    public static string ToJson(IReadOnlyList<StationView> stations)
    {
        ArgumentNullException.ThrowIfNull(stations);
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteStartArray("stations");
            foreach (var s in stations)
            {
                w.WriteStartObject();
                w.WriteString("id", s.Id);
                w.WriteString("state", s.State);
                if (s.LastSeen is { } seen)
                {
                    w.WriteString("lastSeen", seen.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture));
                }
                else
                {
                    w.WriteNull("lastSeen");
                }

                if (s.LastSeq is { } seq)
                {
                    w.WriteNumber("lastSeq", seq);
                }
                else
                {
                    w.WriteNull("lastSeq");
                }

                w.WriteStartArray("gaps");
                foreach (var g in s.Gaps)
                {
                    w.WriteStartObject();
                    w.WriteNumber("from", g.From);
                    w.WriteNumber("to", g.To);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}
