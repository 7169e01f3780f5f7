using EdgeGateway.Storage;

namespace EdgeGateway.Acquisition.History;

/// <summary>One reading as the history file holds it: value null when it was not good, raw the counter of a rain-total sensor.</summary>
public readonly record struct ExportedReading(DateTimeOffset Time, string Sensor, double? Value, double? Raw);

/// <summary>
/// Reads the readings history file (<see cref="HistoryDatabase"/>'s schema) from another process while the
/// service writes it: opened read-only, and WAL lets a reader see the last committed batch without blocking
/// the writer. Readings the service still holds in memory (up to one flush interval) are not in the file yet.
/// </summary>
public static class HistoryExport
{
    // key = Unix ms << 10 | sequence (see HistoryDatabase).
    private const int SequenceBits = 10;

    /// <summary>Readings at or after <paramref name="since"/>, of <paramref name="sensor"/> only when given, oldest first.</summary>
    public static IEnumerable<ExportedReading> Read(string path, DateTimeOffset since, string? sensor)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"no readings history at {path} (is storage.path right, and has the service run?)", path);
        }

        using var connection = SqliteFile.OpenReadOnly(path);
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT r.key, s.name, r.value, r.raw FROM readings r JOIN sensors s ON s.id = r.sensor
            WHERE r.key >= $since AND ($sensor IS NULL OR s.name = $sensor) ORDER BY r.key
            """;
        command.Parameters.AddWithValue("$since", since.ToUnixTimeMilliseconds() << SequenceBits);
        command.Parameters.AddWithValue("$sensor", (object?)sensor ?? DBNull.Value);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            yield return new ExportedReading(
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(0) >> SequenceBits),
                reader.GetString(1),
                reader.IsDBNull(2) ? null : reader.GetDouble(2),
                reader.IsDBNull(3) ? null : reader.GetDouble(3));
        }
    }
}
