using EdgeGateway.Core.Alerting;
using EdgeGateway.Core.Events;
using EdgeGateway.Core.Monitoring;
using EdgeGateway.Core.Readings;
using EdgeGateway.Uplink.Commands;
using EdgeGateway.Uplink.Internal;
using EdgeGateway.Uplink.Mqtt.Publishing;
using EdgeGateway.Uplink.Record;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeGateway.Uplink.Mqtt;

/// <summary>
/// The MQTT uplink: a supervising loop that connects with jittered exponential backoff, publishes the
/// retained birth and heartbeat, drains the outbox (urgent lane first) with QoS 1, and receives signed
/// commands. Nothing here can stop the rest of the station: every public method returns at once.
/// </summary>
/// <remarks>
/// The service composes the parts and owns what spans them (a reload, the watchdog's heartbeat, the
/// stop): <see cref="ConnectionSupervisor"/> (connect, back off, fail over), <see cref="OutboxPump"/>
/// (publish in seq order, delete what was acknowledged), <see cref="MessageProducer"/> (payloads into the
/// outbox), <see cref="StatusPublisher"/> (birth, will, heartbeat), <see cref="CommandIntake"/> (commands
/// and the gate's key) and <see cref="Housekeeping"/>.
/// </remarks>
public sealed class UplinkService : BackgroundService, IUplink, IStationEventSink
{
    /// <summary>The names the outbox and the command store report under (storage events' <c>source</c>).</summary>
    public const string OutboxStore = "outbox";

    public const string CommandStore = "commands";

    private readonly UplinkContext _context;
    private readonly MessageProducer _producer;
    private readonly StatusPublisher _status;
    private readonly Outbox.Outbox? _outbox;
    private readonly OutboxPump? _pump;
    private readonly CommandIntake? _commands;
    private readonly ConnectionSupervisor? _supervisor;
    private readonly Housekeeping? _housekeeping;
    private readonly EventRecord? _record;

    public UplinkService(UplinkOptions options, TimeProvider time, ILogger<UplinkService> logger, ICommandHandler? handler = null)
        : this(options, time, logger, handler, BuildInfo.BuildTime)
    {
    }

    internal UplinkService(UplinkOptions options, TimeProvider time, ILogger logger, ICommandHandler? handler, DateTimeOffset buildTime)
    {
        ArgumentNullException.ThrowIfNull(options);
        _context = new UplinkContext(options, time, logger);
        _status = new StatusPublisher(_context, QueueDepth);
        try
        {
            _outbox = new Outbox.Outbox(Path.Combine(options.StoragePath, "uplink-outbox.db"), options.QueueLimit, options.Outbox, time);
            _producer = new MessageProducer(_context, _outbox);
            _pump = new OutboxPump(_context, _outbox);
            _outbox.TelemetryDropped += _producer.OnTelemetryDropped;
            _outbox.StorageChanged += fault => OnStorageChanged(OutboxStore, fault);
            _commands = new CommandIntake(_context, _producer, _status, handler, Path.Combine(options.StoragePath, "uplink-commands.db"), buildTime);
            _commands.Audited += e => CommandAudited?.Invoke(e);
            _commands.Gate.StorageChanged += fault => OnStorageChanged(CommandStore, fault);
            if (_outbox.Skipped is { } skipped)
            {
                _producer.AnnounceSkipped(skipped);
            }

            _supervisor = new ConnectionSupervisor(_context, _pump, _status, _commands, _outbox);
            _supervisor.Connected += () => Connected?.Invoke();
            _housekeeping = new Housekeeping(_context, _outbox, _commands.Gate, _pump, _producer, _status, () => ClockSync.IsSynchronized());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or Microsoft.Data.Sqlite.SqliteException)
        {
            Log.StorageFault(logger, e, options.StoragePath);
            _context.LastError = $"storage {options.StoragePath}: {e.Message}";
            _context.State = UplinkState.Faulted;
        }

        // With no outbox (storage faulted) nothing is queued; readings are still gathered as before.
        _producer ??= new MessageProducer(_context, null);
        _producer.Stored += (topic, seq) => MessageProgress?.Invoke(UplinkMessageStep.Stored, topic, seq);
        if (_pump is not null)
        {
            _pump.Sending += (topic, seq) => MessageProgress?.Invoke(UplinkMessageStep.Publishing, topic, seq);
            _pump.Acknowledged += (topic, seq) => MessageProgress?.Invoke(UplinkMessageStep.Acknowledged, topic, seq);
        }

        _record = EventRecord.TryOpen(options.StoragePath, time, logger, () => Storage);
        _producer.Record = _record;
    }

    /// <summary>The station's own record of what it uplinked (<c>edgegw events</c>); null when it could not be opened.</summary>
    public EventRecord? Record => _record;

    /// <summary>Where the supervising loop reports progress (the station's watchdog); none when null.</summary>
    public ILoopMonitor? Loops { get; init; }

    /// <summary>Where the outbox and the command store report a disk that refuses writes; none when null.</summary>
    public StorageHealth? Storage
    {
        get => _context.Storage;
        init => _context.Storage = value;
    }

    /// <summary>Raised after each verdict on a command (for the host's audit view and for tests).</summary>
    public event Action<StationEvent>? CommandAudited;

    /// <summary>Raised when the client is connected and the birth message acknowledged.</summary>
    public event Action? Connected;

    /// <summary>
    /// Raised with the step, the topic suffix (<c>alert</c>, <c>telemetry</c>...) and the seq of each message: once
    /// the outbox took it (an urgent one durably, on the thread that created it), each time it is handed to the
    /// client (again after a reconnect) and when the broker acknowledged it (on the client's thread).
    /// <c>sim fleet</c> times its alerts with it.
    /// </summary>
    public event Action<UplinkMessageStep, string, long>? MessageProgress;

    /// <summary>Whether the kernel vouches for the clock; only then does the clock floor of the command checks move.</summary>
    public IClockSync ClockSync { get; init; } = new KernelClockSync();

    public UplinkStatus Status => new(
        _context.State,
        QueueDepth(),
        _outbox?.Bytes ?? 0,
        _outbox?.LastSeq ?? 0,
        _context.ConnectedSince,
        _context.LastError,
        _commands?.Gate.HasKey ?? false,
        _commands?.KeyProblem);

    internal CommandGate? Gate => _commands?.Gate;

    internal Outbox.Outbox? OutboxForTests => _outbox;

    /// <summary>
    /// Puts reloaded uplink settings into force. Telemetry period, queue limit, sensor units, the alert levels' CAP terms and
    /// texts and the command key apply at once. A changed broker, port, TLS, credentials, protocol, keepalive or prefix closes
    /// the connection cleanly (offline status, DISCONNECT) and the supervising loop connects with the new
    /// settings at once, without waiting out a backoff. The outbox and its seq are untouched: what was queued
    /// goes to the new connection in seq order. The station id, language, storage path and level list stay those the
    /// service started with. Returns true when a reconnect was asked for.
    /// </summary>
    public bool Reconfigure(UplinkOptions next)
    {
        ArgumentNullException.ThrowIfNull(next);
        var current = _context.Options;
        next.StationId = current.StationId;
        next.StoragePath = current.StoragePath;
        // station.language is a station setting, which waits for a restart like the id.
        next.Language = current.Language;
        // So is the level list, which the rule engine and the broadcaster are built on: a level's CAP terms and texts
        // apply at once, a changed list at the next restart.
        if (!next.Levels.SameIds(current.Levels))
        {
            next.Levels = current.Levels;
        }
        var reconnect = !SameConnection(current.Mqtt, next.Mqtt);
        _context.Options = next;
        _producer.SetLevels(next);
        _outbox?.SetQueueLimit(next.QueueLimit);
        if (_commands is not null && (next.CommandKeyFile != current.CommandKeyFile || next.CommandKeyFile is not null))
        {
            // The key file is read again even under the same name: a rotated key counts from now.
            _commands.ReloadKey();
        }

        var first = next.Mqtt.Endpoints()[0];
        Log.Reconfigured(_context.Logger, first.Host, first.Port, reconnect);
        if (reconnect)
        {
            // Only wakes the supervising loop, which reconnects itself.
            _supervisor?.Reconnect();
        }

        return reconnect;
    }

    private static bool SameConnection(MqttConnectionOptions a, MqttConnectionOptions b) =>
        a.Host == b.Host && a.Port == b.Port && a.Hosts.SequenceEqual(b.Hosts) && a.Prefix == b.Prefix && a.Protocol == b.Protocol && a.KeepAlive == b.KeepAlive
        && a.Username == b.Username && a.PasswordFile == b.PasswordFile && a.ConnectTimeout == b.ConnectTimeout
        && a.MaxInflight == b.MaxInflight
        && (a.Tls, b.Tls) switch
        {
            (null, null) => true,
            ({ } x, { } y) => x.CaFile == y.CaFile && x.CertFile == y.CertFile && x.KeyFile == y.KeyFile && x.ServerName == y.ServerName,
            _ => false,
        };

    public void SetHealthProvider(Func<IReadOnlyDictionary<string, object?>> provider) => _status.SetHealthProvider(provider);

    public void EnqueueTelemetry(IEnumerable<Reading> readings)
    {
        ArgumentNullException.ThrowIfNull(readings);
        _producer.EnqueueTelemetry(readings);
    }

    public void EnqueueAlert(LevelTransition transition, bool exercise = false)
    {
        ArgumentNullException.ThrowIfNull(transition);
        _producer.EnqueueAlert(transition, exercise);
    }

    public void EnqueueEvent(StationEvent stationEvent)
    {
        ArgumentNullException.ThrowIfNull(stationEvent);
        _producer.EnqueueEvent(stationEvent);
    }

    void IStationEventSink.Publish(StationEvent stationEvent) => EnqueueEvent(stationEvent);

    /// <summary>Turns the readings gathered so far into one (or more) telemetry messages now.</summary>
    internal void CutTelemetry() => _producer.CutTelemetry();

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        CutTelemetry();
        _outbox?.Flush(force: true);
        _context.State = UplinkState.Stopped;
    }

    public override void Dispose()
    {
        base.Dispose();
        _context.Client?.Dispose();
        _outbox?.Dispose();
        _commands?.Dispose();
        _record?.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_supervisor is null || _commands is null || _housekeeping is null)
        {
            return;
        }

        using var heartbeat = Loops?.Register("uplink", UplinkWatchdog.MaxSilence);
        _context.Heartbeat = heartbeat;
        _commands.Gate.PersistClock(ClockSync.IsSynchronized());
        var housekeeping = _housekeeping.RunAsync(stoppingToken);
        var commands = _commands.RunAsync(stoppingToken);
        try
        {
            await _supervisor.RunAsync(stoppingToken).ConfigureAwait(false);
        }
        finally
        {
            await Task.WhenAll(housekeeping, commands).ConfigureAwait(false);
        }
    }

    // Messages not yet acknowledged; none without an outbox.
    private long QueueDepth() => _pump?.QueueDepth() ?? 0;

    private void OnStorageChanged(string store, string? fault)
    {
        if (fault is not null)
        {
            Log.StoreWriteFailed(_context.Logger, store, fault);
            _context.LastError = $"{store}: {fault}";
            Storage?.Failed(store, fault);
        }
        else
        {
            Log.StoreWritesResumed(_context.Logger, store);
            if (_context.LastError?.StartsWith(store + ":", StringComparison.Ordinal) == true)
            {
                _context.LastError = null;
            }

            Storage?.Succeeded(store);
        }
    }
}
