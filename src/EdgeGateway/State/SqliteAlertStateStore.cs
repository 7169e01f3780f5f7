using System.Globalization;
using EdgeGateway.Core.Alerting;
using EdgeGateway.Core.Rules;
using EdgeGateway.Storage;
using Microsoft.Data.Sqlite;

namespace EdgeGateway.State;

/// <summary>
/// Keeps the rule engine's levels and timers in a SQLite file (WAL). A save after a level change is
/// made with <c>synchronous=FULL</c>, so a level announced is a level remembered even through a power cut;
/// timer-only saves use <c>NORMAL</c> (durable across a crash of the process, not always of the power).
/// The broadcast the level owes (<see cref="AlertStateSnapshot.Owed"/>) is written in the same transaction as
/// the levels, so the two never disagree after a crash. A file written before that table existed loads as
/// owing nothing.
/// </summary>
public sealed class SqliteAlertStateStore : IAlertStateStore, IDisposable
{
    /// <summary>The file's name inside <c>storage.path</c>.</summary>
    public const string DefaultFileName = "alert-state.db";

    private const string Schema = """
        CREATE TABLE IF NOT EXISTS alert_snapshot (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            time TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS alert_rule (
            rule_id TEXT PRIMARY KEY,
            level TEXT NOT NULL,
            clear_since TEXT NULL);
        CREATE TABLE IF NOT EXISTS alert_condition (
            rule_id TEXT NOT NULL,
            level TEXT NOT NULL,
            since TEXT NOT NULL,
            PRIMARY KEY (rule_id, level));
        CREATE TABLE IF NOT EXISTS broadcast_owed (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            key TEXT NOT NULL,
            message TEXT NOT NULL,
            repeat INTEGER NOT NULL,
            rank INTEGER NOT NULL,
            since TEXT NOT NULL);
        """;

    private readonly Lock _gate = new();
    private readonly SqliteConnection _connection;
    private bool? _full;

    public SqliteAlertStateStore(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);

        // No -shm file: a station restarted on a full disk can still read the level it must keep warning about.
        _connection = SqliteFile.Open(path, SqliteFile.ExclusiveWal, "PRAGMA journal_mode=WAL;");
        Execute(Schema);
    }

    public AlertStateSnapshot? Load()
    {
        lock (_gate)
        {
            DateTimeOffset time;
            using (var command = _connection.CreateCommand())
            {
                command.CommandText = "SELECT time FROM alert_snapshot WHERE id = 1";
                if (command.ExecuteScalar() is not string text)
                {
                    return null;
                }

                time = ParseTime(text);
            }

            var conditions = new Dictionary<string, List<LevelSince>>(StringComparer.Ordinal);
            using (var command = _connection.CreateCommand())
            {
                command.CommandText = "SELECT rule_id, level, since FROM alert_condition ORDER BY rule_id, since";
                using var reader = command.ExecuteReader();
                while (reader.Read())
                {
                    var ruleId = reader.GetString(0);
                    if (!conditions.TryGetValue(ruleId, out var list))
                    {
                        conditions[ruleId] = list = [];
                    }

                    list.Add(new LevelSince(reader.GetString(1), ParseTime(reader.GetString(2))));
                }
            }

            var rules = new List<RuleAlertState>();
            using (var command = _connection.CreateCommand())
            {
                command.CommandText = "SELECT rule_id, level, clear_since FROM alert_rule ORDER BY rowid";
                using var reader = command.ExecuteReader();
                while (reader.Read())
                {
                    var ruleId = reader.GetString(0);
                    rules.Add(new RuleAlertState(
                        ruleId,
                        reader.GetString(1),
                        reader.IsDBNull(2) ? null : ParseTime(reader.GetString(2)),
                        conditions.TryGetValue(ruleId, out var since) ? since : []));
                }
            }

            WarningObligation? owed = null;
            using (var command = _connection.CreateCommand())
            {
                command.CommandText = "SELECT key, message, repeat, rank, since FROM broadcast_owed WHERE id = 1";
                using var reader = command.ExecuteReader();
                if (reader.Read())
                {
                    owed = new WarningObligation(reader.GetString(0), reader.GetString(1), reader.GetInt32(2), reader.GetInt32(3), ParseTime(reader.GetString(4)));
                }
            }

            return new AlertStateSnapshot(time, rules) { Owed = owed };
        }
    }

    public void Save(AlertStateSnapshot snapshot, bool durable)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        lock (_gate)
        {
            if (_full != durable)
            {
                // Outside a transaction: SQLite ignores a change of synchronous inside one.
                SqliteFile.Synchronous(_connection, durable);
                _full = durable;
            }

            using var transaction = _connection.BeginTransaction();
            using (var command = _connection.CreateCommand())
            {
                command.Transaction = transaction;
                command.CommandText = """
                    DELETE FROM alert_condition;
                    DELETE FROM alert_rule;
                    DELETE FROM broadcast_owed;
                    INSERT INTO alert_snapshot (id, time) VALUES (1, $time)
                        ON CONFLICT (id) DO UPDATE SET time = excluded.time;
                    """;
                command.Parameters.AddWithValue("$time", FormatTime(snapshot.Time));
                command.ExecuteNonQuery();
            }

            using (var rule = _connection.CreateCommand())
            using (var condition = _connection.CreateCommand())
            {
                rule.Transaction = transaction;
                rule.CommandText = "INSERT INTO alert_rule (rule_id, level, clear_since) VALUES ($rule, $level, $clear)";
                var ruleId = rule.Parameters.Add("$rule", SqliteType.Text);
                var level = rule.Parameters.Add("$level", SqliteType.Text);
                var clear = rule.Parameters.Add("$clear", SqliteType.Text);
                condition.Transaction = transaction;
                condition.CommandText = "INSERT INTO alert_condition (rule_id, level, since) VALUES ($rule, $level, $since)";
                var conditionRule = condition.Parameters.Add("$rule", SqliteType.Text);
                var conditionLevel = condition.Parameters.Add("$level", SqliteType.Text);
                var since = condition.Parameters.Add("$since", SqliteType.Text);
                foreach (var state in snapshot.Rules)
                {
                    ruleId.Value = state.RuleId;
                    level.Value = state.Level;
                    clear.Value = state.ClearSince is { } c ? FormatTime(c) : DBNull.Value;
                    rule.ExecuteNonQuery();
                    foreach (var run in state.ConditionSince)
                    {
                        conditionRule.Value = state.RuleId;
                        conditionLevel.Value = run.Level;
                        since.Value = FormatTime(run.Since);
                        condition.ExecuteNonQuery();
                    }
                }
            }

            if (snapshot.Owed is { } owed)
            {
                using var command = _connection.CreateCommand();
                command.Transaction = transaction;
                command.CommandText = "INSERT INTO broadcast_owed (id, key, message, repeat, rank, since) VALUES (1, $key, $message, $repeat, $rank, $since)";
                command.Parameters.AddWithValue("$key", owed.Key);
                command.Parameters.AddWithValue("$message", owed.Message);
                command.Parameters.AddWithValue("$repeat", owed.Repeat);
                command.Parameters.AddWithValue("$rank", owed.Rank);
                command.Parameters.AddWithValue("$since", FormatTime(owed.Since));
                command.ExecuteNonQuery();
            }

            transaction.Commit();
        }
    }

    public void Dispose() => _connection.Dispose();

    // Round-trip UTC text: exact to the tick and readable with the sqlite3 shell.
    private static string FormatTime(DateTimeOffset time) =>
        time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fffffffK", CultureInfo.InvariantCulture);

    private static DateTimeOffset ParseTime(string text) =>
        DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    private void Execute(string sql) => SqliteFile.Exec(_connection, sql);
}
