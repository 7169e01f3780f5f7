using System.Globalization;
using System.Security.Cryptography;
using EdgeGateway.Uplink.Internal;
using Microsoft.Data.Sqlite;

namespace EdgeGateway.Uplink.Commands;

/// <summary>The gate's judgement on one command message.</summary>
internal sealed record CommandVerdict(bool Accepted, string? Jti, StationCommand? Command, string? Error, bool ClockImplausible);

/// <summary>
/// Applies every refusal rule of the contract to a command message and remembers what it accepted.
/// </summary>
/// <remarks>
/// <para>Order: retained messages are refused first; then the token (alg ES256 only, signature), the
/// claims (well formed, <c>aud</c> this station or <c>*</c>, <c>exp - iat</c> at most one hour), the
/// command and its arguments, the replay cache, and the time checks.</para>
/// <para>The floor (the latest time persisted) moves only on trusted evidence: the kernel saying the clock is
/// NTP-synchronised (the caller's <see cref="IClockSync"/>, passed to <see cref="PersistClock"/>), or a command
/// that verified (to its <c>iat</c>, never past the local clock). A local clock alone never moves it: one
/// reading of a wild RTC (year 2100) would otherwise become the floor, and once the clock is corrected every
/// time check would be switched off as "implausible", letting a month-old expired command in.</para>
/// <para>Time checks (<c>exp</c> passed, <c>iat</c> more than five minutes ahead) apply only while the
/// clock is plausible: not earlier than the latest time this station persisted and later than the build
/// time. A station that booted with no RTC and no network thinks it is 1970; it then accepts a validly
/// signed command with an unseen <c>jti</c> whose <c>iat</c> is not older than the newest <c>iat</c> it
/// ever accepted, and says so. Accepted jtis and that newest iat are stored (synchronous=FULL) until
/// the command expires, so a restart does not reopen the door to a replay.</para>
/// <para>A disk that refuses the write (full, failing) does not stop the gate: what could not be stored is
/// remembered in memory, still refuses replays, and is written by <see cref="RetryUnsaved"/> or the next
/// accepted command once the disk takes writes again (<see cref="StorageChanged"/> marks both ends).</para>
/// </remarks>
internal sealed class CommandGate : IDisposable
{
    private readonly Lock _lock = new();
    private readonly SqliteConnection _db;

    /// <summary>
    /// Runs SQL on the store's own connection, between commands. The store holds its file exclusively, so a
    /// test that breaks the store under a running gate does it through this.
    /// </summary>
    internal void ExecuteOnStore(string sql)
    {
        lock (_lock)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = sql;
            cmd.ExecuteNonQuery();
        }
    }
    private readonly string _stationId;
    private readonly TimeProvider _time;
    private readonly DateTimeOffset _buildTime;
    private ECDsa? _key;
    private DateTimeOffset _latestPersisted;
    private DateTimeOffset _newestIat;

    // Accepted jtis (with their exp) a refused write could not store; consulted like the table until written.
    private readonly Dictionary<string, DateTimeOffset> _unsaved = new(StringComparer.Ordinal);
    private bool _unsavedClock;
    private DateTimeOffset? _purgeBefore;
    private string? _fault;

    /// <summary>Raised with the error when the store starts refusing writes and with null when one works again.</summary>
    public event Action<string?>? StorageChanged;

    public CommandGate(string path, string stationId, ECDsa? key, TimeProvider time, DateTimeOffset buildTime)
    {
        _stationId = stationId;
        _key = key;
        _time = time;
        _buildTime = buildTime;
        _db = Sqlite.OpenWal(path);
        Sqlite.Exec(_db, """
            CREATE TABLE IF NOT EXISTS seen_jti(jti TEXT PRIMARY KEY, exp INTEGER NOT NULL) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS kv(key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
            """);
        _latestPersisted = FromMs(GetLong("latest_time"));
        _newestIat = FromMs(GetLong("newest_iat"));
    }

    public DateTimeOffset BuildTime => _buildTime;

    public bool HasKey => _key is not null;

    /// <summary>
    /// Reads the hub's public key from the PEM file at <paramref name="path"/>; null, with the reason in
    /// <paramref name="problem"/>, when the file cannot be read or the key cannot verify ES256 commands.
    /// </summary>
    public static ECDsa? ReadKey(string path, out string? problem)
    {
        try
        {
            var key = ECDsa.Create();
            key.ImportFromPem(File.ReadAllText(path));
            problem = CommandKeys.Problem(key);
            if (problem is not null)
            {
                key.Dispose();
                return null;
            }

            return key;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or CryptographicException)
        {
            problem = e.Message;
            return null;
        }
    }

    /// <summary>Replaces the verification key (a reload).</summary>
    public void SetKey(ECDsa? key)
    {
        lock (_lock)
        {
            _key = key;
        }
    }

    /// <summary>A clock is plausible when it is past the build time and not behind what it said before.</summary>
    public bool IsClockPlausible(DateTimeOffset now) => now > _buildTime && now >= _latestPersisted;

    /// <summary>The latest time persisted (the floor of plausibility).</summary>
    public DateTimeOffset LatestPersisted
    {
        get
        {
            lock (_lock)
            {
                return _latestPersisted;
            }
        }
    }

    /// <summary>
    /// Records the current time as a floor for later plausibility checks: only a plausible time, and only when
    /// <paramref name="clockTrusted"/> (the kernel reports the clock NTP-synchronised).
    /// </summary>
    public void PersistClock(bool clockTrusted)
    {
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            if (!clockTrusted || !IsClockPlausible(now) || now <= _latestPersisted)
            {
                return;
            }

            // The floor holds in memory at once; only its survival of a restart may wait for the disk.
            _latestPersisted = now;
            _unsavedClock = true;
            WriteUnsavedLocked();
        }
    }

    /// <summary>Writes what a refused write left in memory; cheap when nothing is waiting.</summary>
    public void RetryUnsaved()
    {
        lock (_lock)
        {
            if (_fault is not null || _unsaved.Count > 0 || _unsavedClock)
            {
                WriteUnsavedLocked();
            }
        }
    }

    public CommandVerdict Verify(string token, bool retained)
    {
        lock (_lock)
        {
            if (!CommandToken.TryVerify(token, _key, out var claims, out var jti, out var error))
            {
                return Refuse(jti, retained ? "retained" : error!);
            }

            var c = claims!;
            if (retained)
            {
                return Refuse(c.Jti, "retained");
            }

            if (c.Audience != _stationId && c.Audience != "*")
            {
                return Refuse(c.Jti, "wrong-audience");
            }

            if (c.Expires < c.IssuedAt || c.Expires - c.IssuedAt > CommandLimits.MaxLifetime)
            {
                return Refuse(c.Jti, "lifetime-too-long");
            }

            if (!StationCommand.TryCreate(c.Jti, c.Command, c.Args, out var command, out var argsError))
            {
                return Refuse(c.Jti, argsError!);
            }

            if (Seen(c.Jti))
            {
                return Refuse(c.Jti, "replayed");
            }

            var now = _time.GetUtcNow();
            var plausible = IsClockPlausible(now);
            if (plausible)
            {
                if (c.Expires <= now)
                {
                    return Refuse(c.Jti, "expired");
                }

                if (c.IssuedAt > now + CommandLimits.MaxFutureSkew)
                {
                    return Refuse(c.Jti, "iat-in-future");
                }
            }
            else if (c.IssuedAt < _newestIat)
            {
                return Refuse(c.Jti, "older-than-accepted", clockImplausible: true);
            }

            // The floor moves to the signed iat at most (evidence a wild local clock cannot fake), and never past
            // the local clock, so an iat inside the allowed skew does not make the clock implausible. Purging
            // below that time instead of now only keeps a few expired jtis a little longer.
            Remember(c, plausible ? (c.IssuedAt < now ? c.IssuedAt : now) : (DateTimeOffset?)null);
            return new CommandVerdict(true, c.Jti, command, null, !plausible);
        }
    }

    public void Dispose() => _db.Dispose();

    /// <summary>Runs SQL on the gate's own connection (tests cap it with <c>PRAGMA max_page_count</c>).</summary>
    internal object? ExecForTests(string sql)
    {
        lock (_lock)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = sql;
            return cmd.ExecuteScalar();
        }
    }

    private CommandVerdict Refuse(string? jti, string error, bool clockImplausible = false) =>
        new(false, jti, null, error, clockImplausible || !IsClockPlausible(_time.GetUtcNow()));

    private bool Seen(string jti)
    {
        if (_unsaved.ContainsKey(jti))
        {
            return true;
        }

        using var cmd = _db.CreateCommand();
        cmd.CommandText = "SELECT 1 FROM seen_jti WHERE jti = $j";
        cmd.Parameters.AddWithValue("$j", jti);
        return cmd.ExecuteScalar() is not null;
    }

    // Takes effect in memory first; the write makes it survive a restart and may wait for the disk.
    private void Remember(CommandClaims c, DateTimeOffset? plausibleNow)
    {
        _unsaved[c.Jti] = c.Expires;
        if (plausibleNow is { } now && now > _latestPersisted)
        {
            _latestPersisted = now;
            _unsavedClock = true;
        }

        if (c.IssuedAt > _newestIat)
        {
            _newestIat = c.IssuedAt;
        }

        _purgeBefore = plausibleNow ?? _purgeBefore;
        WriteUnsavedLocked();
    }

    // One transaction with everything waiting; raises StorageChanged (under the lock: its listeners never
    // come back into the gate) when writes start failing or work again.
    private void WriteUnsavedLocked()
    {
        var before = _fault;
        try
        {
            using var tx = _db.BeginTransaction();
            using (var cmd = _db.CreateCommand())
            {
                cmd.Transaction = tx;
                cmd.CommandText = "INSERT OR IGNORE INTO seen_jti(jti, exp) VALUES ($j, $e)";
                var jti = cmd.Parameters.Add("$j", SqliteType.Text);
                var exp = cmd.Parameters.Add("$e", SqliteType.Integer);
                foreach (var (j, e) in _unsaved)
                {
                    jti.Value = j;
                    exp.Value = e.ToUnixTimeMilliseconds();
                    cmd.ExecuteNonQuery();
                }
            }

            if (_purgeBefore is { } now)
            {
                // Expired entries can go: the exp check refuses them anyway. Never purge on an implausible clock.
                using var purge = _db.CreateCommand();
                purge.Transaction = tx;
                purge.CommandText = "DELETE FROM seen_jti WHERE exp < $now";
                purge.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
                purge.ExecuteNonQuery();
            }

            if (_unsavedClock)
            {
                SetLong("latest_time", _latestPersisted.ToUnixTimeMilliseconds(), tx);
            }

            if (_newestIat > FromMs(GetLong("newest_iat", tx)))
            {
                SetLong("newest_iat", _newestIat.ToUnixTimeMilliseconds(), tx);
            }

            tx.Commit();
            _unsaved.Clear();
            _unsavedClock = false;
            _purgeBefore = null;
            _fault = null;
        }
        catch (Exception e) when (e is SqliteException or IOException)
        {
            _fault = e.Message;
        }

        if ((before is null) != (_fault is null))
        {
            StorageChanged?.Invoke(_fault);
        }
    }

    private static DateTimeOffset FromMs(long? ms) =>
        ms is { } v ? DateTimeOffset.FromUnixTimeMilliseconds(v) : DateTimeOffset.MinValue;

    private long? GetLong(string key, SqliteTransaction? tx = null) =>
        Sqlite.GetKv(_db, tx, key) is { } v ? Convert.ToInt64(v, CultureInfo.InvariantCulture) : null;

    private void SetLong(string key, long value, SqliteTransaction? tx = null) => Sqlite.SetKv(_db, tx, key, value);
}
