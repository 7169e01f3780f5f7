using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using EdgeGateway.Core.Alerting;
using EdgeGateway.Core.Events;
using EdgeGateway.Core.Monitoring;
using EdgeGateway.Core.Readings;
using EdgeGateway.Uplink.Cap;
using EdgeGateway.Uplink.Commands;
using EdgeGateway.Uplink.Internal;
using EdgeGateway.Uplink.Outbox;
using EdgeGateway.Uplink.Payloads;
using EdgeGateway.Uplink.Record;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Adapter;
using MQTTnet.Protocol;

namespace EdgeGateway.Uplink.Mqtt;

/// <summary>
/// The MQTT uplink: a supervising loop that connects with jittered exponential backoff, publishes the
/// retained birth and heartbeat, drains the outbox (urgent lane first) with QoS 1, and receives signed
/// commands. It never reconnects from inside the client's Disconnected handler; the handler only wakes
/// the loop. Nothing here can stop the rest of the station: every public method returns at once.
/// </summary>
public sealed class UplinkService : BackgroundService, IUplink, IStationEventSink
{
    private const int ReadBatch = 64;
    private const int MaxReadingsPerMessage = 500;

    /// <summary>Commands waiting to be judged; past this the oldest is dropped and answered <c>overloaded</c>.</summary>
    internal const int CommandQueueCapacity = 64;
    private static readonly TimeSpan HousekeepingPeriod = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan ClockPersistPeriod = TimeSpan.FromHours(1);

    // Swapped whole by Reconfigure (a reload); the supervising loop reads it at each connect.
    private volatile UplinkOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ICommandHandler? _handler;
    private volatile Topics _topics;
    private volatile CapMapping _cap;
    private readonly Outbox.Outbox? _outbox;
    private readonly CommandGate? _gate;
    private readonly EventRecord? _record;

    internal CommandGate? Gate => _gate;
    private readonly Lock _readingsLock = new();
    private readonly List<Reading> _readings = [];
    private readonly LaneCursor[] _lanes = [new(Lane.Urgent), new(Lane.Telemetry)];
    private readonly Lock _laneLock = new();
    private readonly AsyncSignal _work = new();
    private readonly InFlightPublishes _publishing;
    private readonly System.Threading.Channels.Channel<(string Topic, string Payload, bool Retained)> _commands;

    private TaskCompletionSource _reconfigured = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Func<IReadOnlyDictionary<string, object?>>? _health;
    private volatile IMqttClient? _client;
    private volatile UplinkState _state = UplinkState.Starting;
    private volatile string? _lastError;
    private volatile string? _keyProblem;
    private DateTimeOffset? _connectedSince;
    private long _lastTelemetryTick;
    private long _lastDeleteTick;
    private long _lastClockPersistTick;
    private int _attempt;

    // Which of the cluster's brokers the next attempt goes to, and how many have failed since one last worked.
    private int _broker;
    private int _brokersFailed;
    private bool _clockWarned;
    private volatile bool _addFailed;
    private ILoopHeartbeat? _heartbeat;

    public UplinkService(UplinkOptions options, TimeProvider time, ILogger<UplinkService> logger, ICommandHandler? handler = null)
        : this(options, time, logger, handler, BuildInfo.BuildTime)
    {
    }

    internal UplinkService(UplinkOptions options, TimeProvider time, ILogger logger, ICommandHandler? handler, DateTimeOffset buildTime)
    {
        ArgumentNullException.ThrowIfNull(options);
        _commands = System.Threading.Channels.Channel.CreateBounded<(string Topic, string Payload, bool Retained)>(
            new System.Threading.Channels.BoundedChannelOptions(CommandQueueCapacity) { FullMode = System.Threading.Channels.BoundedChannelFullMode.DropOldest },
            OnCommandDropped);
        _options = options;
        _time = time;
        _logger = logger;
        _handler = handler;
        _topics = new Topics(options.Mqtt.Prefix, options.StationId);
        _publishing = new InFlightPublishes(time);
        _cap = new CapMapping(options.Levels, options.AllClearCap);
        try
        {
            _outbox = new Outbox.Outbox(Path.Combine(options.StoragePath, "uplink-outbox.db"), options.QueueLimit, options.Outbox, time);
            _outbox.Written += _work.Set;
            _outbox.TelemetryDropped += OnTelemetryDropped;
            _outbox.StorageChanged += fault => OnStorageChanged(OutboxStore, fault);
            _gate = new CommandGate(Path.Combine(options.StoragePath, "uplink-commands.db"), options.StationId,
                LoadCommandKey(), time, buildTime);
            _gate.StorageChanged += fault => OnStorageChanged(CommandStore, fault);
            if (_outbox.Skipped is { } skipped)
            {
                AnnounceSkipped(skipped);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or Microsoft.Data.Sqlite.SqliteException)
        {
            Log.StorageFault(_logger, e, options.StoragePath);
            _lastError = $"storage {options.StoragePath}: {e.Message}";
            _state = UplinkState.Faulted;
        }

        _record = EventRecord.TryOpen(options.StoragePath, time, _logger, () => Storage);

        _lastTelemetryTick = _lastDeleteTick = _lastClockPersistTick = time.GetTimestamp();
    }

    /// <summary>The station's own record of what it uplinked (<c>edgegw events</c>); null when it could not be opened.</summary>
    public EventRecord? Record => _record;

    /// <summary>Where the supervising loop reports progress (the station's watchdog); none when null.</summary>
    public ILoopMonitor? Loops { get; init; }

    /// <summary>Where the outbox and the command store report a disk that refuses writes; none when null.</summary>
    public StorageHealth? Storage { get; init; }

    /// <summary>The names the outbox and the command store report under (storage events' <c>source</c>).</summary>
    public const string OutboxStore = "outbox";

    public const string CommandStore = "commands";

    /// <summary>Raised after each verdict on a command (for the host's audit view and for tests).</summary>
    public event Action<StationEvent>? CommandAudited;

    /// <summary>Raised when the client is connected and the birth message acknowledged.</summary>
    public event Action? Connected;

    /// <summary>Whether the kernel vouches for the clock; only then does the clock floor of the command checks move.</summary>
    public IClockSync ClockSync { get; init; } = new KernelClockSync();

    public UplinkStatus Status => new(
        _state,
        QueueDepth(),
        _outbox?.Bytes ?? 0,
        _outbox?.LastSeq ?? 0,
        _connectedSince,
        _lastError,
        _gate?.HasKey ?? false,
        _keyProblem);

    // Messages not yet acknowledged: stored rows less those acknowledged but not yet deleted in a batch.
    private long QueueDepth()
    {
        if (_outbox is null)
        {
            return 0;
        }

        long acked;
        lock (_laneLock)
        {
            acked = _lanes[0].AckedUndeleted + _lanes[1].AckedUndeleted;
        }

        return Math.Max(0, _outbox.Count - acked);
    }

    /// <summary>
    /// Puts reloaded uplink settings into force. Telemetry period, queue limit, sensor units, alert levels and the
    /// command key apply at once. A changed broker, port, TLS, credentials, protocol, keepalive or prefix closes
    /// the connection cleanly (offline status, DISCONNECT) and the supervising loop connects with the new
    /// settings at once, without waiting out a backoff. The outbox and its seq are untouched: what was queued
    /// goes to the new connection in seq order. The station id, language and storage path stay those the service
    /// started with. Returns true when a reconnect was asked for.
    /// </summary>
    public bool Reconfigure(UplinkOptions next)
    {
        ArgumentNullException.ThrowIfNull(next);
        var current = _options;
        next.StationId = current.StationId;
        next.StoragePath = current.StoragePath;
        // station.language is a station setting, which waits for a restart like the id.
        next.Language = current.Language;
        var reconnect = !SameConnection(current.Mqtt, next.Mqtt);
        _options = next;
        _cap = new CapMapping(next.Levels, next.AllClearCap);
        _outbox?.SetQueueLimit(next.QueueLimit);
        if (_gate is not null && (next.CommandKeyFile != current.CommandKeyFile || next.CommandKeyFile is not null))
        {
            // The key file is read again even under the same name: a rotated key counts from now.
            _gate.SetKey(LoadCommandKey());
        }

        var first = next.Mqtt.Endpoints()[0];
        Log.Reconfigured(_logger, first.Host, first.Port, reconnect);
        if (reconnect)
        {
            // Only wakes the supervising loop, which reconnects itself.
            Volatile.Read(ref _reconfigured).TrySetResult();
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

    public void SetHealthProvider(Func<IReadOnlyDictionary<string, object?>> provider) => _health = provider;

    public void EnqueueTelemetry(IEnumerable<Reading> readings)
    {
        ArgumentNullException.ThrowIfNull(readings);
        lock (_readingsLock)
        {
            _readings.AddRange(readings);
        }
    }

    public void EnqueueAlert(LevelTransition transition, bool exercise = false)
    {
        ArgumentNullException.ThrowIfNull(transition);
        var severity = _cap.Severity(transition);
        var alertId = Guid.NewGuid();
        Add(Lane.Urgent, Topics.Alert, seq => PayloadWriter.Alert(_options.StationId, alertId, seq, transition, severity), (transition.Time, EventRecord.AlertType));
        AddCap(transition, exercise, severity, alertId);
    }

    public void EnqueueEvent(StationEvent stationEvent)
    {
        ArgumentNullException.ThrowIfNull(stationEvent);
        Add(Lane.Urgent, Topics.Event, seq => PayloadWriter.Event(_options.StationId, Guid.NewGuid(), seq, stationEvent), (stationEvent.Time, stationEvent.Type));
    }

    void IStationEventSink.Publish(StationEvent stationEvent) => EnqueueEvent(stationEvent);

    /// <summary>Turns the readings gathered so far into one (or more) telemetry messages now.</summary>
    internal void CutTelemetry()
    {
        List<Reading> batch;
        lock (_readingsLock)
        {
            if (_readings.Count == 0)
            {
                return;
            }

            batch = [.. _readings];
            _readings.Clear();
        }

        var now = _time.GetUtcNow();
        for (var i = 0; i < batch.Count; i += MaxReadingsPerMessage)
        {
            var part = batch.GetRange(i, Math.Min(MaxReadingsPerMessage, batch.Count - i));
            Add(Lane.Telemetry, Topics.Telemetry,
                seq => PayloadWriter.Telemetry(_options.StationId, Guid.NewGuid(), now, seq, part, _options.SensorUnits));
        }
    }

    internal Outbox.Outbox? OutboxForTests => _outbox;

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        CutTelemetry();
        _outbox?.Flush(force: true);
        _state = UplinkState.Stopped;
    }

    public override void Dispose()
    {
        base.Dispose();
        _client?.Dispose();
        _outbox?.Dispose();
        _gate?.Dispose();
        _record?.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_outbox is null || _gate is null)
        {
            return;
        }

        using var heartbeat = Loops?.Register("uplink", UplinkWatchdog.MaxSilence);
        _heartbeat = heartbeat;
        _gate.PersistClock(ClockSync.IsSynchronized());
        var housekeeping = HousekeepingAsync(stoppingToken);
        var commands = CommandLoopAsync(stoppingToken);
        try
        {
            await SuperviseAsync(stoppingToken).ConfigureAwait(false);
        }
        finally
        {
            await Task.WhenAll(housekeeping, commands).ConfigureAwait(false);
        }
    }

    private async Task SuperviseAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            TimeSpan delay;
            var reconfigured = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref _reconfigured, reconfigured);
            _topics = new Topics(_options.Mqtt.Prefix, _options.StationId);
            using var client = new MqttClientFactory().CreateMqttClient();
            var lost = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            client.DisconnectedAsync += e =>
            {
                // Only wake the supervising loop; reconnecting here would race it.
                lost.TrySetResult(e.Exception?.Message ?? e.ReasonString ?? e.Reason.ToString());
                return Task.CompletedTask;
            };
            client.ApplicationMessageReceivedAsync += OnMessageAsync;
            var broker = _options.Mqtt.Endpoints()[0];
            try
            {
                _state = UplinkState.Connecting;
                var brokers = _options.Mqtt.Endpoints();
                broker = brokers[_broker % brokers.Count];
                var options = ClientOptionsFactory.Build(_options, broker, _topics.StatusTopic, StatusPayload(online: false),
                    () => _gate!.IsClockPlausible(_time.GetUtcNow()));
                var result = await Bounded(client.ConnectAsync(options, ct)).ConfigureAwait(false);
                if (result.ResultCode != MqttClientConnectResultCode.Success)
                {
                    throw new BrokerRefusedException(result.ResultCode);
                }

                _client = client;
                _attempt = 0;
                var moved = await RunConnectedAsync(client, broker, result, lost.Task, reconfigured.Task, ct).ConfigureAwait(false);
                delay = moved ? TimeSpan.Zero : NextBroker();
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                await GoOfflineAsync(client).ConfigureAwait(false);
                break;
            }
            catch (Exception e) when (AuthRefusal(e) is { } code)
            {
                delay = Jitter(_options.Reconnect.AuthFailure);
                _state = UplinkState.AuthFailed;
                _lastError = $"broker refused credentials ({code})";
                _broker++;
                Log.AuthRefused(_logger, broker.Host, broker.Port, _options.Mqtt.Username, code, delay);
            }
            catch (UplinkLocalFaultException e)
            {
                delay = Jitter(_options.Reconnect.AuthFailure);
                _state = UplinkState.Faulted;
                _lastError = e.Message;
                Log.LocalFault(_logger, e.Message, delay);
            }
            catch (Exception e)
            {
                delay = NextBroker();
                _state = UplinkState.Disconnected;
                _lastError = e.Message;
                Log.ConnectFailed(_logger, broker.Host, broker.Port, e.Message, delay);
            }
            finally
            {
                _client = null;
                _connectedSince = null;
            }

            // New settings end the wait at once: a technician who fixed the broker address need not wait out a backoff.
            using (var wait = CancellationTokenSource.CreateLinkedTokenSource(ct))
            {
                // Backing off while the broker is down is progress: beat through the wait.
                await _heartbeat.WaitBeatingAsync(Task.WhenAny(Task.Delay(delay, _time, wait.Token), reconfigured.Task),
                    Timeout.InfiniteTimeSpan, UplinkWatchdog.BeatInterval, _time).ConfigureAwait(false);
                await wait.CancelAsync().ConfigureAwait(false);
            }

            if (ct.IsCancellationRequested)
            {
                break;
            }

            if (reconfigured.Task.IsCompleted)
            {
                _attempt = 0;
                _broker = 0;
                _brokersFailed = 0;
            }
        }
    }

    // Returns true when the connection was left for new settings (reconnect at once), false when it was lost.
    private async Task<bool> RunConnectedAsync(IMqttClient client, MqttEndpoint broker, MqttClientConnectResult result, Task<string> lost, Task reconfigured, CancellationToken ct)
    {
        using var connection = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var window = Math.Max(1, Math.Min(_options.Mqtt.MaxInflight, result.ReceiveMaximum is > 0 and var rm ? rm : ushort.MaxValue));
        var failed = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);

        // Retain As Published (MQTT 5): a command published with retain while we are connected still arrives
        // flagged, so it is refused now rather than executed now and refused at every reconnect. A 3.1.1
        // broker clears the flag on live delivery; there only the copy sent on subscribing is recognisable.
        var retainAsPublished = _options.Mqtt.Protocol == MqttProtocol.V5;
        await Bounded(client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(f => f.WithTopic(_topics.CommandTopic).WithAtLeastOnceQoS().WithRetainAsPublished(retainAsPublished))
            .WithTopicFilter(f => f.WithTopic(_topics.BroadcastCommandTopic).WithAtLeastOnceQoS().WithRetainAsPublished(retainAsPublished))
            .Build(), ct)).ConfigureAwait(false);
        await Bounded(PublishStatusAsync(client, ct)).ConfigureAwait(false);

        _state = UplinkState.Connected;
        // Only a broker that also took our subscriptions and birth counts as working: one that accepts the
        // CONNECT and then drops us (a cluster node that cannot serve) must not reset the round of brokers,
        // or the loop would cycle through them without ever backing off.
        _brokersFailed = 0;
        _lastError = null;
        _connectedSince = _time.GetUtcNow();
        Log.Connected(_logger, broker.Host, broker.Port, _options.StationId,
            _options.Mqtt.Protocol == MqttProtocol.V5 ? "5" : "3.1.1", _outbox!.Count);
        Connected?.Invoke();

        var pump = PumpAsync(client, window, failed, connection.Token);
        var reason = await Task.WhenAny(lost, failed.Task, pump, reconfigured).ConfigureAwait(false);
        await connection.CancelAsync().ConfigureAwait(false);
        try
        {
            await pump.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        ct.ThrowIfCancellationRequested();
        if (reason == reconfigured)
        {
            _state = UplinkState.Disconnected;
            _lastError = "reconnecting with reloaded settings";
            Log.Disconnected(_logger, _lastError);
            await GoOfflineAsync(client).ConfigureAwait(false);
            return true;
        }

        var why = reason == lost ? lost.Result : reason == failed.Task ? failed.Task.Result : "publisher stopped";
        _state = UplinkState.Disconnected;
        _lastError = why;
        Log.Disconnected(_logger, why);
        if (client.IsConnected)
        {
            try
            {
                await client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // The connection is being abandoned anyway.
            }
        }

        return false;
    }

    // Drains the outbox over one connection: urgent rows first, then telemetry, each in seq order, with up
    // to `window` QoS 1 publishes awaiting PUBACK. Publishes are issued one after another from this loop,
    // so they reach the broker in seq order.
    private async Task PumpAsync(IMqttClient client, int window, TaskCompletionSource<string> failed, CancellationToken ct)
    {
        // Acknowledged rows go now, so the rewound cursors only ever count fresh acknowledgements.
        foreach (var lane in _lanes)
        {
            long upTo;
            lock (_laneLock)
            {
                upTo = lane.Watermark > lane.Deleted ? lane.Watermark : 0;
                lane.Deleted = Math.Max(lane.Deleted, lane.Watermark);
                lane.Rewind();
            }

            if (upTo > 0)
            {
                _outbox!.DeleteUpTo(lane.Lane, upTo);
            }
        }

        var slots = new PublishWindow(window, ct);
        while (!ct.IsCancellationRequested)
        {
            var batch = Next(Lane.Urgent);
            if (batch.Count == 0)
            {
                batch = Next(Lane.Telemetry);
            }

            if (batch.Count == 0)
            {
                await Idle(_work.WaitAsync(ct)).ConfigureAwait(false);
                continue;
            }

            foreach (var message in batch)
            {
                await Idle(slots.TakeAsync()).ConfigureAwait(false);
                var cursor = _lanes[(int)message.Lane];
                lock (_laneLock)
                {
                    cursor.OnSent(message.Seq);
                }

                _publishing.Begin(message.Seq);
                _ = PublishOneAsync(client, message, slots, failed, ct);
            }
        }
    }

    // A call to the broker that can take at most the client's timeout: beats while it may still be running.
    private Task<T> Bounded<T>(Task<T> call) =>
        _heartbeat.WaitBeatingAsync(call, UplinkWatchdog.CallAllowance(_options.Mqtt), UplinkWatchdog.BeatInterval, _time);

    private Task Bounded(Task call) =>
        _heartbeat.WaitBeatingAsync(call, UplinkWatchdog.CallAllowance(_options.Mqtt), UplinkWatchdog.BeatInterval, _time);

    // The publisher waiting for work or for a free slot is idle, not stuck, unless a publish it started has
    // been waiting for its PUBACK longer than the client's timeout allows.
    private Task Idle(Task wait) =>
        _heartbeat.WaitBeatingAsync(wait, Timeout.InfiniteTimeSpan, UplinkWatchdog.BeatInterval, _time,
            () => !_publishing.OlderThan(UplinkWatchdog.CallAllowance(_options.Mqtt)));

    private IReadOnlyList<OutboxMessage> Next(Lane lane)
    {
        long after;
        lock (_laneLock)
        {
            after = _lanes[(int)lane].Sent;
        }

        return _outbox!.Read(lane, after, ReadBatch);
    }

    private async Task PublishOneAsync(IMqttClient client, OutboxMessage message, PublishWindow slots,
        TaskCompletionSource<string> failed, CancellationToken ct)
    {
        try
        {
            var builder = new MqttApplicationMessageBuilder()
                .WithTopic(_topics.For(message.Topic))
                .WithPayload(message.Payload)
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
            if (_options.Mqtt.Protocol == MqttProtocol.V5)
            {
                builder = builder.WithContentType(message.Topic == Topics.AlertCap ? "application/cap+xml" : "application/json");
            }

            var result = await client.PublishAsync(builder.Build(), ct).ConfigureAwait(false);
            if (result.ReasonCode is not (MqttClientPublishReasonCode.Success or MqttClientPublishReasonCode.NoMatchingSubscribers))
            {
                Log.PublishRejected(_logger, message.Seq, message.Topic, result.ReasonCode.ToString());
                failed.TrySetResult($"broker refused seq {message.Seq}: {result.ReasonCode}");
                return;
            }

            OnAcked(message);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            failed.TrySetResult(e.Message);
        }
        finally
        {
            _publishing.End(message.Seq);
            slots.Release();
        }
    }

    private void OnAcked(OutboxMessage message)
    {
        var cursor = _lanes[(int)message.Lane];
        long upTo = 0;
        lock (_laneLock)
        {
            cursor.OnAcked(message.Seq);
            var batch = message.Lane == Lane.Urgent ? 32 : _options.Outbox.AckDeleteBatch;
            if (cursor.Watermark > cursor.Deleted
                && (cursor.AckedSinceDelete >= batch || (message.Lane == Lane.Urgent && cursor.InFlight == 0)))
            {
                upTo = cursor.Watermark;
                cursor.Deleted = upTo;
                cursor.AckedSinceDelete = 0;
            }
        }

        if (upTo > 0)
        {
            Deleted(cursor, _outbox!.DeleteUpTo(message.Lane, upTo));
        }
    }

    private void Deleted(LaneCursor cursor, long rows)
    {
        lock (_laneLock)
        {
            cursor.AckedUndeleted = Math.Max(0, cursor.AckedUndeleted - rows);
        }
    }

    private async Task HousekeepingAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(HousekeepingPeriod, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
            {
                try
                {
                    Housekeep();
                    if (_time.GetElapsedTime(_lastTelemetryTick) >= _options.TelemetryPeriod)
                    {
                        _lastTelemetryTick = _time.GetTimestamp();
                        CutTelemetry();
                        if (_client is { IsConnected: true } client && _state == UplinkState.Connected)
                        {
                            await PublishStatusAsync(client, ct).ConfigureAwait(false);
                        }
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    Log.HousekeepingFailed(_logger, e);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void Housekeep()
    {
        _outbox!.Flush();
        _gate!.RetryUnsaved();
        if (_time.GetElapsedTime(_lastDeleteTick) >= _options.Outbox.AckDeleteInterval)
        {
            _lastDeleteTick = _time.GetTimestamp();
            foreach (var cursor in _lanes)
            {
                long upTo = 0;
                lock (_laneLock)
                {
                    if (cursor.Watermark > cursor.Deleted)
                    {
                        upTo = cursor.Deleted = cursor.Watermark;
                        cursor.AckedSinceDelete = 0;
                    }
                }

                if (upTo > 0)
                {
                    Deleted(cursor, _outbox.DeleteUpTo(cursor.Lane, upTo));
                }
            }
        }

        if (_time.GetElapsedTime(_lastClockPersistTick) >= ClockPersistPeriod)
        {
            _lastClockPersistTick = _time.GetTimestamp();
            _gate!.PersistClock(ClockSync.IsSynchronized());
        }

        var now = _time.GetUtcNow();
        if (!_clockWarned && !_gate!.IsClockPlausible(now))
        {
            _clockWarned = true;
            Log.ClockImplausible(_logger, now, _gate.BuildTime);
        }
    }

    private async Task PublishStatusAsync(IMqttClient client, CancellationToken ct)
    {
        await client.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic(_topics.StatusTopic)
            .WithPayload(StatusPayload(online: true))
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithRetainFlag(true)
            .Build(), ct).ConfigureAwait(false);
    }

    private async Task GoOfflineAsync(IMqttClient client)
    {
        if (!client.IsConnected)
        {
            return;
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            // A clean DISCONNECT suppresses the will, so say it ourselves.
            await client.PublishAsync(new MqttApplicationMessageBuilder()
                .WithTopic(_topics.StatusTopic)
                .WithPayload(StatusPayload(online: false))
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                .WithRetainFlag(true)
                .Build(), timeout.Token).ConfigureAwait(false);
            await client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Log.Disconnected(_logger, e.Message);
        }
    }

    private byte[] StatusPayload(bool online)
    {
        IReadOnlyDictionary<string, object?>? health = null;
        if (online)
        {
            var fields = new Dictionary<string, object?>(StringComparer.Ordinal);
            try
            {
                if (_health?.Invoke() is { } h)
                {
                    foreach (var (k, v) in h)
                    {
                        fields[k] = v;
                    }
                }
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                fields["healthError"] = e.Message;
            }

            fields.TryAdd("queue", QueueDepth());
            health = fields;
        }

        return PayloadWriter.Status(_options.StationId, Guid.NewGuid(), _time.GetUtcNow(), online, health);
    }

    private Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs e)
    {
        var topic = e.ApplicationMessage.Topic;
        if (topic != _topics.CommandTopic && topic != _topics.BroadcastCommandTopic)
        {
            return Task.CompletedTask;
        }

        var payload = Encoding.UTF8.GetString(e.ApplicationMessage.Payload);
        _commands.Writer.TryWrite((topic, payload, e.ApplicationMessage.Retain));
        return Task.CompletedTask;
    }

    // Commands are judged and carried out one at a time, off the client's receive loop.
    private async Task CommandLoopAsync(CancellationToken ct)
    {
        try
        {
            await foreach (var (topic, payload, retained) in _commands.Reader.ReadAllAsync(ct).ConfigureAwait(false))
            {
                try
                {
                    await HandleCommandAsync(topic, payload, retained, ct).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    // One command's failure (a full disk under the gate's database, say) must not end the
                    // loop: the hub would get no answer to anything again. Answer this one and go on.
                    FailCommand(topic, payload, e);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void FailCommand(string topic, string token, Exception e)
    {
        var jti = CommandToken.UnverifiedJti(token);
        Log.CommandFailed(_logger, e, jti, topic);
        try
        {
            var verdict = new CommandVerdict(false, jti, null, CommandErrors.Failed, false);
            Audit(StationEventTypes.CommandRefused, verdict, topic, CommandErrors.Failed);
            AddResult(jti, ok: false, CommandErrors.Failed, null);
        }
        catch (Exception again) when (again is not OutOfMemoryException)
        {
            Log.CommandFailed(_logger, again, jti, topic);
        }
    }

    // Runs inside the channel's write: only queues the answer (the outbox never blocks on the broker).
    private void OnCommandDropped((string Topic, string Payload, bool Retained) dropped)
    {
        var jti = CommandToken.UnverifiedJti(dropped.Payload);
        Log.CommandRefused(_logger, jti, dropped.Topic, CommandErrors.Overloaded);
        try
        {
            var verdict = new CommandVerdict(false, jti, null, CommandErrors.Overloaded, false);
            Audit(StationEventTypes.CommandRefused, verdict, dropped.Topic, CommandErrors.Overloaded);
            AddResult(jti, ok: false, CommandErrors.Overloaded, null);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Log.CommandFailed(_logger, e, jti, dropped.Topic);
        }
    }

    internal async Task HandleCommandAsync(string topic, string token, bool retained, CancellationToken ct)
    {
        var verdict = _gate!.Verify(token, retained);
        const string ClockNote = "clock-implausible";
        if (!verdict.Accepted)
        {
            Log.CommandRefused(_logger, verdict.Jti, topic, verdict.Error!);
            Audit(StationEventTypes.CommandRefused, verdict, topic, verdict.Error);
            AddResult(verdict.Jti, ok: false, verdict.Error, verdict.ClockImplausible ? ClockNote : null);
            return;
        }

        var command = verdict.Command! with { Fleetwide = topic == _topics.BroadcastCommandTopic };
        var name = CommandName(command);
        Log.CommandAccepted(_logger, verdict.Jti!, name, verdict.ClockImplausible ? " on an implausible clock (signature, unseen jti and iat order only)" : "");
        Audit(StationEventTypes.CommandAccepted, verdict, topic, null, name);
        CommandOutcome outcome;
        try
        {
            outcome = _handler is null
                ? new CommandOutcome(false, "no-handler")
                : await _handler.HandleAsync(command, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.CommandHandlerFailed(_logger, e, verdict.Jti!);
            outcome = new CommandOutcome(false, "failed: " + e.Message);
        }

        if (command is StatusCommand && _client is { IsConnected: true } client)
        {
            try
            {
                await PublishStatusAsync(client, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Log.Disconnected(_logger, e.Message);
            }
        }

        if (!outcome.Ok)
        {
            // Verified, then refused by the station (a broadcast it cannot play as asked, a clear it will not do).
            Log.CommandRefused(_logger, verdict.Jti, topic, outcome.Error ?? "refused");
            Audit(StationEventTypes.CommandRefused, verdict with { Accepted = false }, topic, outcome.Error ?? "refused", name);
        }

        AddResult(verdict.Jti, outcome.Ok, outcome.Error, verdict.ClockImplausible ? ClockNote : null);
    }

    private void Audit(string type, CommandVerdict verdict, string topic, string? error, string? command = null)
    {
        var data = new Dictionary<string, object?>(StringComparer.Ordinal) { ["topic"] = topic };
        if (command is not null)
        {
            data["cmd"] = command;
        }

        if (error is not null)
        {
            data["error"] = error;
        }

        if (verdict.ClockImplausible)
        {
            data["clock"] = "implausible";
        }

        var message = verdict.Accepted
            ? verdict.ClockImplausible ? "accepted on signature, unseen jti and iat order: the station clock is not plausible" : "accepted"
            : $"refused: {error}";
        var e = new StationEvent(type, _time.GetUtcNow(), verdict.Jti, message, data);
        EnqueueEvent(e);
        CommandAudited?.Invoke(e);
    }

    private void AddResult(string? jti, bool ok, string? error, string? warning)
    {
        var now = _time.GetUtcNow();
        Add(Lane.Urgent, Topics.CommandResult,
            seq => PayloadWriter.Result(_options.StationId, Guid.NewGuid(), now, seq, jti, ok, error, warning));
    }

    private static string CommandName(StationCommand command) => command switch
    {
        BroadcastCommand => StationCommand.BroadcastName,
        StopCommand => StationCommand.StopName,
        TestCommand => StationCommand.TestName,
        ClearCommand => StationCommand.ClearName,
        _ => StationCommand.StatusName,
    };

    private void AddCap(LevelTransition t, bool exercise, string severity, Guid alertId)
    {
        if (_outbox is null)
        {
            return;
        }

        var key = "cap:" + (t.Scope == TransitionScope.Station ? LevelTransition.StationId : "rule:" + t.Id);
        var msgType = CapMapping.MsgType(t);
        string? references = null;
        if (msgType != "Alert")
        {
            try
            {
                references = _outbox.Get(key);
            }
            catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or ObjectDisposedException)
            {
                Log.OutboxWriteFailed(_logger, e, Topics.AlertCap);
            }
        }

        var identifier = Guid.NewGuid().ToString("D");
        var sent = t.Time;
        var written = Add(Lane.Urgent, Topics.AlertCap, seq => CapWriter.Write(new CapAlert(
            identifier, _options.StationId, sent, exercise, msgType, references, t, severity,
            _cap.Urgency(t), _cap.ResponseType(t), _options.StationName, seq, alertId, _options.Language, _cap.Texts(t))));
        if (!written)
        {
            return;
        }

        try
        {
            // An Update or Cancel references the message it follows (CAP: "sender,identifier,sent").
            _outbox.Set(key, CapWriter.Reference(_options.StationId, identifier, sent));
        }
        catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or ObjectDisposedException)
        {
            Log.OutboxWriteFailed(_logger, e, Topics.AlertCap);
        }
    }

    // The one place every alert and event becomes its payload: recorded here (<paramref name="record"/>: when
    // and under which type) exactly as the hub is sent it.
    private bool Add(Lane lane, string topic, Func<long, byte[]> build, (DateTimeOffset Time, string Type)? record = null)
    {
        if (_outbox is null)
        {
            return false;
        }

        try
        {
            var message = _outbox.Add(lane, topic, build);
            if (record is { } r)
            {
                _record?.Add(r.Time, r.Type, message.Payload);
            }
        }
        catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or IOException or ObjectDisposedException)
        {
            // Only a seq mark that cannot be written once its block is used up gets here: no seq was given.
            Log.OutboxWriteFailed(_logger, e, topic);
            _lastError = $"{OutboxStore}: {e.Message}";
            if (e is not ObjectDisposedException)
            {
                _addFailed = true;
                Storage?.Failed(OutboxStore, e.Message);
            }

            return false;
        }

        if (_addFailed)
        {
            _addFailed = false;
            if (_outbox.Fault is null)
            {
                Storage?.Succeeded(OutboxStore);
            }
        }

        return true;
    }

    private void OnStorageChanged(string store, string? fault)
    {
        if (fault is not null)
        {
            Log.StoreWriteFailed(_logger, store, fault);
            _lastError = $"{store}: {fault}";
            Storage?.Failed(store, fault);
        }
        else
        {
            Log.StoreWritesResumed(_logger, store);
            if (_lastError?.StartsWith(store + ":", StringComparison.Ordinal) == true)
            {
                _lastError = null;
            }

            Storage?.Succeeded(store);
        }
    }

    private void AnnounceSkipped(SeqRange skipped)
    {
        Log.SeqSkipped(_logger, skipped.First, skipped.Last);
        EnqueueEvent(new StationEvent(StationEventTypes.SeqSkipped, _time.GetUtcNow(), OutboxStore,
            string.Create(CultureInfo.InvariantCulture,
                $"seqs {skipped.First}-{skipped.Last} were reserved before the last unclean stop and never stored; those not yet received will never come"),
            new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["from"] = skipped.First,
                ["to"] = skipped.Last,
            }));
    }

    private void OnTelemetryDropped(TelemetryDrop drop)
    {
        var ranges = string.Join(",", drop.Ranges.Select(r => r.First == r.Last
            ? r.First.ToString(CultureInfo.InvariantCulture)
            : string.Create(CultureInfo.InvariantCulture, $"{r.First}-{r.Last}")));
        Log.TelemetryDropped(_logger, drop.Count, drop.Bytes, ranges);
        EnqueueEvent(new StationEvent(StationEventTypes.TelemetryDropped, _time.GetUtcNow(), "outbox",
            $"queue limit reached: dropped {drop.Count} oldest telemetry message(s), seqs {ranges}",
            new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["count"] = drop.Count,
                ["bytes"] = drop.Bytes,
                ["seqs"] = drop.Ranges.Select(r => new long[] { r.First, r.Last }).ToList(),
            }));
    }

    private ECDsa? LoadCommandKey()
    {
        var path = _options.CommandKeyFile;
        if (path is null)
        {
            _keyProblem = null;
            return null;
        }

        try
        {
            var key = ECDsa.Create();
            key.ImportFromPem(File.ReadAllText(path));
            if (CommandKeys.Problem(key) is { } problem)
            {
                key.Dispose();
                return KeyFault(path, problem);
            }

            _keyProblem = null;
            return key;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or CryptographicException)
        {
            return KeyFault(path, e.Message);
        }
    }

    private ECDsa? KeyFault(string path, string problem)
    {
        Log.CommandKeyFault(_logger, path, problem);
        _keyProblem = $"{path}: {problem}";
        if (_outbox is not null)
        {
            EnqueueEvent(new StationEvent(StationEventTypes.CommandKeyFault, _time.GetUtcNow(), "command-key",
                $"command key {path} cannot be used: {problem}; every command will be refused",
                new Dictionary<string, object?>(StringComparer.Ordinal) { ["path"] = path, ["problem"] = problem }));
        }

        return null;
    }

    // MQTTnet 5 reports a refused CONNECT either as a result code or as an exception naming it.
    private static string? AuthRefusal(Exception e)
    {
        MqttClientConnectResultCode[] auth =
        [
            MqttClientConnectResultCode.BadUserNameOrPassword,
            MqttClientConnectResultCode.NotAuthorized,
            MqttClientConnectResultCode.BadAuthenticationMethod,
        ];
        if (e is BrokerRefusedException refused)
        {
            return Array.IndexOf(auth, refused.Code) >= 0 ? refused.Code.ToString() : null;
        }

        if (e is MqttConnectingFailedException)
        {
            foreach (var code in auth)
            {
                if (e.Message.Contains(code.ToString(), StringComparison.Ordinal))
                {
                    return code.ToString();
                }
            }
        }

        return null;
    }

    private sealed class BrokerRefusedException(MqttClientConnectResultCode code)
        : Exception($"broker refused the connection ({code})")
    {
        public MqttClientConnectResultCode Code { get; } = code;
    }

    /// <summary>
    /// After a refused or lost connection: the next broker of the cluster is tried at once, and only when
    /// every one has failed in a row does the loop back off (so a dead node costs a fast failover, while a
    /// dead cluster is not hammered).
    /// </summary>
    private TimeSpan NextBroker()
    {
        var count = _options.Mqtt.Endpoints().Count;
        _broker = (_broker + 1) % count;
        if (++_brokersFailed < count)
        {
            return TimeSpan.Zero;
        }

        _brokersFailed = 0;
        return NextBackoff();
    }

    private TimeSpan NextBackoff()
    {
        var r = _options.Reconnect;
        var exp = r.Min.TotalMilliseconds * Math.Pow(2, Math.Min(_attempt, 20));
        _attempt++;
        return Jitter(TimeSpan.FromMilliseconds(Math.Min(exp, r.Max.TotalMilliseconds)));
    }

    // Half fixed, half random: spreads a district's stations out after a hub outage without ever
    // retrying sooner than half the nominal delay.
#pragma warning disable CA5394 // jitter, not security
    private static TimeSpan Jitter(TimeSpan delay) =>
        TimeSpan.FromMilliseconds(delay.TotalMilliseconds * (0.5 + (Random.Shared.NextDouble() * 0.5)));
#pragma warning restore CA5394
}
