using EdgeGateway.Core.Alerting;
using EdgeGateway.Core.Readings;
using EdgeGateway.Core.Rules;
using EdgeGateway.State;
using Microsoft.Data.Sqlite;

namespace EdgeGateway.Tests.State;

public sealed class SqliteAlertStateStoreTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 7, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly AlertLevels Levels = new(["watch", "prepare", "evacuate"]);
    private readonly string _dir = Directory.CreateTempSubdirectory("edgegw-state-").FullName;

    private string DbPath => Path.Combine(_dir, SqliteAlertStateStore.DefaultFileName);

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    private static RuleDefinition[] Rules() =>
    [
        RuleDefinition.ForThresholds(
            "river", "river-level", RuleMeasure.Value, [new(1, 2.8), new(2, 3.2), new(3, 3.8)],
            0.05, TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(30)),
        RuleDefinition.ForThresholds(
            "rain-1h", "rain-gauge", RuleMeasure.Sum(TimeSpan.FromHours(1)), [new(1, 20), new(2, 30), new(3, 50)],
            clearAfter: TimeSpan.FromMinutes(30)),
        RuleDefinition.ForDigital("manual", "alarm-button", DigitalState.Active, 3, latch: true),
    ];

    private static Reading Good(string sensor, double seconds, double value) => new(sensor, T0.AddSeconds(seconds), value, Quality.Good);

    [Fact]
    public void Load_EmptyFile_ReturnsNull()
    {
        using var store = new SqliteAlertStateStore(DbPath);

        Assert.Null(store.Load());
    }

    [Fact]
    public void Save_ThenLoadInANewStore_RoundTripsEveryField()
    {
        var snapshot = new AlertStateSnapshot(
            T0.AddTicks(1234567),
            [
                new RuleAlertState("river", "prepare", T0.AddMinutes(3), [new("watch", T0), new("prepare", T0.AddSeconds(1.5))]),
                new RuleAlertState("manual", "none", null, []),
            ]);
        using (var store = new SqliteAlertStateStore(DbPath))
        {
            store.Save(snapshot, durable: true);
        }

        using var reopened = new SqliteAlertStateStore(DbPath);
        var loaded = reopened.Load();

        Assert.NotNull(loaded);
        Assert.Equal(snapshot.Time, loaded.Time);
        Assert.Equal(2, loaded.Rules.Count);
        Assert.Equal(("river", "prepare", (DateTimeOffset?)T0.AddMinutes(3)), (loaded.Rules[0].RuleId, loaded.Rules[0].Level, loaded.Rules[0].ClearSince));
        Assert.Equal(snapshot.Rules[0].ConditionSince, loaded.Rules[0].ConditionSince);
        Assert.Equal(("manual", "none", (DateTimeOffset?)null), (loaded.Rules[1].RuleId, loaded.Rules[1].Level, loaded.Rules[1].ClearSince));
        Assert.Empty(loaded.Rules[1].ConditionSince);
    }

    [Fact]
    public void Save_WithOwedBroadcast_RoundTripsItAndASaveWithoutClearsIt()
    {
        var owed = new WarningObligation("level:evacuate", "evacuate", 5, 3, T0.AddTicks(42));
        var snapshot = new AlertStateSnapshot(T0, [new RuleAlertState("manual", "evacuate", null, [])]) { Owed = owed };
        using (var store = new SqliteAlertStateStore(DbPath))
        {
            store.Save(snapshot, durable: true);
        }

        using var reopened = new SqliteAlertStateStore(DbPath);
        Assert.Equal(owed, reopened.Load()?.Owed);

        reopened.Save(snapshot with { Owed = null }, durable: true);
        Assert.Null(reopened.Load()?.Owed);
        Assert.Equal("evacuate", reopened.Load()?.Rules.Single().Level);
    }

    [Theory]
    [InlineData("broadcast_owed")]
    [InlineData("alert_rule")]
    public void Save_EitherHalfFails_NeitherLevelNorObligationChanges(string failingTable)
    {
        var before = new AlertStateSnapshot(T0, [new RuleAlertState("manual", "none", null, [])]);
        var after = new AlertStateSnapshot(T0.AddSeconds(1), [new RuleAlertState("manual", "evacuate", null, [])])
        {
            Owed = new WarningObligation("level:evacuate", "evacuate", 5, 3, T0.AddSeconds(1)),
        };
        using (var first = new SqliteAlertStateStore(DbPath))
        {
            first.Save(before, durable: true);
        }

        // A real failure inside SQLite, part-way through the save: a trigger refusing one table's insert
        // (added while no store holds the file: a running store keeps it locked).
        using (var connection = new SqliteConnection($"Data Source={DbPath};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = $"CREATE TRIGGER refuse BEFORE INSERT ON {failingTable} BEGIN SELECT RAISE(ABORT, 'disk says no'); END;";
            command.ExecuteNonQuery();
        }

        using var store = new SqliteAlertStateStore(DbPath);
        Assert.Throws<SqliteException>(() => store.Save(after, durable: true));

        var loaded = store.Load();
        Assert.Equal(T0, loaded?.Time);
        Assert.Equal("none", loaded?.Rules.Single().Level);
        Assert.Null(loaded?.Owed);
    }

    [Fact]
    public void Load_FileFromBeforeObligations_LoadsLevelsOwingNothingAndThenSavesThem()
    {
        using (var connection = new SqliteConnection($"Data Source={DbPath};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            // The schema as released before warning obligations were saved.
            command.CommandText = """
                PRAGMA journal_mode=WAL;
                CREATE TABLE alert_snapshot (id INTEGER PRIMARY KEY CHECK (id = 1), time TEXT NOT NULL);
                CREATE TABLE alert_rule (rule_id TEXT PRIMARY KEY, level TEXT NOT NULL, clear_since TEXT NULL);
                CREATE TABLE alert_condition (rule_id TEXT NOT NULL, level TEXT NOT NULL, since TEXT NOT NULL, PRIMARY KEY (rule_id, level));
                INSERT INTO alert_snapshot VALUES (1, '2026-07-01T00:00:00.0000000Z');
                INSERT INTO alert_rule VALUES ('manual', 'evacuate', NULL);
                """;
            command.ExecuteNonQuery();
        }

        using var store = new SqliteAlertStateStore(DbPath);
        var loaded = store.Load();

        Assert.NotNull(loaded);
        Assert.Equal(T0, loaded.Time);
        Assert.Equal(("manual", "evacuate"), (loaded.Rules.Single().RuleId, loaded.Rules.Single().Level));
        Assert.Null(loaded.Owed);
        var owed = new WarningObligation("level:evacuate", "evacuate", 5, 3, T0);
        store.Save(loaded with { Owed = owed }, durable: true);
        Assert.Equal(owed, store.Load()?.Owed);
    }

    [Fact]
    public void Constructor_DirectoryMissing_CreatesIt()
    {
        var path = Path.Combine(_dir, "var", "lib", SqliteAlertStateStore.DefaultFileName);

        using (var store = new SqliteAlertStateStore(path))
        {
            Assert.Null(store.Load());
        }

        Assert.True(File.Exists(path));
    }

    [Fact]
    public void Constructor_NewFile_UsesWriteAheadLogging()
    {
        using (var store = new SqliteAlertStateStore(DbPath))
        {
            store.Save(new AlertStateSnapshot(T0, []), durable: false);
        }

        using var connection = new SqliteConnection($"Data Source={DbPath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";

        Assert.Equal("wal", command.ExecuteScalar());
    }

    [Fact]
    public void Restart_LevelsAndTimersSaved_RestoredWithoutTransitionsAndTimersContinue()
    {
        var history = new List<Reading>
        {
            Good("river-level", 0, 3.3),         // prepare pending, hold 30 s
            Good("rain-gauge", 0, 31),           // rain-1h: prepare at once
            Good("alarm-button", 5, 1),          // manual: evacuate, latched
            Good("alarm-button", 6, 0),
            Good("river-level", 20, 3.3),
        };
        var before = new RuleEngine(Levels, Rules());
        var announced = new List<LevelTransition>();
        long savedVersion = 0, savedLevels = 0;
        using (var store = new SqliteAlertStateStore(DbPath))
        {
            foreach (var reading in history)
            {
                announced.AddRange(before.OnReading(reading));
                if (before.StateVersion != savedVersion)
                {
                    store.Save(before.Snapshot(), durable: before.LevelVersion != savedLevels);
                    (savedVersion, savedLevels) = (before.StateVersion, before.LevelVersion);
                }
            }
        }

        Assert.Equal(["rain-1h:prepare", "station:prepare", "manual:evacuate", "station:evacuate"], announced.Select(t => $"{t.Id}:{t.To}"));

        // The process stops at 20 s and starts again at 25 s.
        var after = new RuleEngine(Levels, Rules());
        using (var store = new SqliteAlertStateStore(DbPath))
        {
            var snapshot = store.Load();
            Assert.NotNull(snapshot);
            Assert.Empty(after.Restore(snapshot));
        }

        after.Prime(history, T0.AddSeconds(25));
        var transitions = new List<LevelTransition>();
        transitions.AddRange(after.OnTick(T0.AddSeconds(29)));
        Assert.Empty(transitions);
        Assert.Equal("evacuate", after.StationLevel);
        Assert.Equal("evacuate", after.RuleLevels["manual"]);
        Assert.Equal("prepare", after.RuleLevels["rain-1h"]);

        transitions.AddRange(after.OnTick(T0.AddSeconds(31)));
        transitions.AddRange(after.OnTick(T0.AddMinutes(120)));

        // The river's hold, begun before the restart, ends at 30 s; the 31 mm leave the window at 01:00 and the
        // rain rule clears 30 minutes later; the latched manual alarm stays.
        Assert.Equal(
            ["00:00:30 river none->prepare", "01:30:00 rain-1h prepare->none"],
            transitions.Where(t => t.Scope == TransitionScope.Rule).Select(t => $"{t.Time:HH:mm:ss} {t.Id} {t.From}->{t.To}"));
        Assert.DoesNotContain(transitions, t => t.Scope == TransitionScope.Station);
    }
}
