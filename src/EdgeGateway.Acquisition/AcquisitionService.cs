using System.Device.Gpio;
using System.Device.I2c;
using EdgeGateway.Acquisition.Buses;
using EdgeGateway.Acquisition.Counters;
using EdgeGateway.Acquisition.Gpio;
using EdgeGateway.Acquisition.History;
using EdgeGateway.Acquisition.Internal;
using EdgeGateway.Acquisition.Power;
using EdgeGateway.Acquisition.Sensors;
using EdgeGateway.Core.Events;
using EdgeGateway.Core.Monitoring;
using EdgeGateway.Core.Readings;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeGateway.Acquisition;

/// <summary>The parts acquisition reads through that are not in its options (so tests can give their own).</summary>
public sealed class AcquisitionDevices
{
    /// <summary>The station's GPIO controller (shared with the broadcast relays); null when no line is configured.</summary>
    public GpioController? Gpio { get; init; }

    /// <summary>How an I2C device is opened; <see cref="I2cDevice.Create"/> when null.</summary>
    public Func<I2cConnectionSettings, I2cDevice>? OpenI2c { get; init; }

    /// <summary>The host's watchdog bookkeeping; null runs the loops unwatched.</summary>
    public ILoopMonitor? Loops { get; init; }
}

/// <summary>What a reload changed in the running acquisition (sensor and bus ids, sorted).</summary>
/// <param name="Added">Sensors that started.</param>
/// <param name="Removed">Sensors that stopped (no more readings).</param>
/// <param name="Changed">Sensors that took new settings, keeping their quality and stale tracking.</param>
/// <param name="BusesRestarted">Buses stopped after their transaction in progress and started again with their new
/// settings or sensors; every other bus ran on untouched.</param>
/// <param name="CounterBaselines">Rain-total sensors that start counting from a new baseline (their register moved).</param>
public sealed record AcquisitionChanges(
    IReadOnlyList<string> Added,
    IReadOnlyList<string> Removed,
    IReadOnlyList<string> Changed,
    IReadOnlyList<string> BusesRestarted,
    IReadOnlyList<string> CounterBaselines)
{
    public bool IsEmpty => Added.Count == 0 && Removed.Count == 0 && Changed.Count == 0 && BusesRestarted.Count == 0;
}

/// <summary>
/// Runs every sensor of the station: GPIO inputs (edges from the moment the service starts), INA219 polls, the
/// Modbus bus schedulers and the history writer. Every reading goes to the history and to the station pipeline
/// (<see cref="IReadingSink"/>); quality changes and counter resets go to <see cref="IStationEventSink"/>.
/// A part that fails (a line, a device, a bus) is a fault of its sensors only.
/// <para>
/// <see cref="ApplyAsync"/> brings the running sensors to new options (a configuration reload) part by part:
/// what did not change runs on untouched, the history writer never stops.
/// </para>
/// </summary>
public sealed class AcquisitionService : BackgroundService
{
    private readonly AcquisitionDevices _devices;
    private readonly ReadingHistory? _history;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly ReadingOutput _output;
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _applyGate = new(1, 1);

    // By sensor or bus id; guarded by _gate.
    private readonly Dictionary<string, SensorChannel> _channels = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TippingBucketInput> _buckets = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DigitalInput> _digitals = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Part<Ina219Sensor>> _ina219 = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ModbusPart> _modbus = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Part<BusScheduler>> _buses = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _startedSignal = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile AcquisitionOptions _options;
    private CancellationToken _stopping;
    private bool _running;
    private bool _started;

    public AcquisitionService(
        AcquisitionOptions options,
        AcquisitionDevices devices,
        IReadingSink readings,
        IStationEventSink events,
        TimeProvider time,
        ReadingHistory? history = null,
        ILoggerFactory? loggers = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(devices);
        ArgumentNullException.ThrowIfNull(readings);
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(time);
        _options = options;
        _devices = devices;
        _history = history;
        _time = time;
        _loggers = loggers ?? NullLoggerFactory.Instance;
        _logger = _loggers.CreateLogger<AcquisitionService>();
        _output = new ReadingOutput(readings, events, history);
    }

    /// <summary>Completes once every input is listening (GPIO callbacks registered, loops started).</summary>
    public Task Started => _startedSignal.Task;

    /// <summary>The options in force (the last applied).</summary>
    public AcquisitionOptions Options => _options;

    /// <summary>The state of every sensor, for status.</summary>
    public IReadOnlyList<SensorState> Sensors()
    {
        lock (_gate)
        {
            return [.. _channels.Values.Select(c => c.State)];
        }
    }

    /// <summary>The scheduler of each configured bus (writes go through <see cref="BusScheduler.WriteAsync"/>).</summary>
    public IReadOnlyList<BusScheduler> Buses
    {
        get
        {
            lock (_gate)
            {
                return [.. _buses.Values.Select(b => b.Value)];
            }
        }
    }

    /// <summary>The scheduler of bus <paramref name="id"/>, or null. A reload that changes the bus replaces it.</summary>
    public BusScheduler? Bus(string id)
    {
        lock (_gate)
        {
            return _buses.TryGetValue(id, out var bus) ? bus.Value : null;
        }
    }

    /// <summary>Tips counted per rain gauge since it started (status and tests).</summary>
    public IReadOnlyDictionary<string, long> TipCounts()
    {
        lock (_gate)
        {
            return _buckets.ToDictionary(b => b.Key, b => b.Value.Tips, StringComparer.Ordinal);
        }
    }

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // Edges must be counted from the first moment: GPIO inputs open here, before the host reports started.
        StartInputs();
        return base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        StopInputs();
        foreach (var bus in Buses)
        {
            await bus.DisposeAsync().ConfigureAwait(false);
        }

        _history?.Flush();
    }

    public override void Dispose()
    {
        StopInputs();
        foreach (var bus in Buses)
        {
            bus.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        _applyGate.Dispose();
        base.Dispose();
    }

    /// <summary>
    /// Brings the running acquisition to <paramref name="next"/> without a restart. Sensors, GPIO lines, INA219
    /// loops and buses that did not change run on untouched (their readings, quality, stale timers and rain
    /// counter baselines continue). A bus whose own settings or sensors changed is stopped after its transaction in
    /// progress and started again with the new set; the GPIO line of a removed or changed input is released and
    /// requested again; a removed sensor publishes nothing more. A rain-total sensor that keeps its register keeps
    /// its count (a new scale applies from the next increase); one whose register moved starts a new baseline and
    /// says so with a <c>counter-reset</c> event. The history writer is not touched.
    /// </summary>
    /// <exception cref="InvalidOperationException">
    /// <paramref name="next"/> cannot be put into force while running (a GPIO line it needs is held by something
    /// else). Nothing has been changed: the previous sensors keep running.
    /// </exception>
    public async Task<AcquisitionChanges> ApplyAsync(AcquisitionOptions next, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(next);
        await _applyGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_started)
            {
                // The loops start on the service's own thread: let them, then change them.
                await Started.WaitAsync(cancellationToken).ConfigureAwait(false);
            }

            var plan = PlanFor(_options, next);
            if (!_started)
            {
                _options = next;
                return plan.Changes;
            }

            // Stop what changes: buses after their transaction in progress, INA219 loops, GPIO lines.
            await Task.WhenAll(plan.BusesToStop.Select(StopBusAsync)).ConfigureAwait(false);
            await Task.WhenAll(plan.Ina219ToStop.Select(StopIna219Async)).ConfigureAwait(false);
            lock (_gate)
            {
                foreach (var id in plan.GpioToRelease)
                {
                    if (_buckets.Remove(id, out var bucket))
                    {
                        bucket.Dispose();
                    }

                    if (_digitals.Remove(id, out var digital))
                    {
                        digital.Dispose();
                    }
                }

                foreach (var id in plan.Changes.Removed)
                {
                    _modbus.Remove(id);
                    if (_channels.Remove(id, out var channel))
                    {
                        channel.Dispose();
                    }
                }

                _options = next;
                Build(next, plan, startLoops: _running);
            }

            Log.AcquisitionApplied(
                _logger,
                Join(plan.Changes.Added),
                Join(plan.Changes.Removed),
                Join(plan.Changes.Changed),
                Join(plan.Changes.BusesRestarted));
            return plan.Changes;
        }
        finally
        {
            _applyGate.Release();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        Task? history = null;
        lock (_gate)
        {
            _stopping = stoppingToken;
            _running = true;
            foreach (var part in _ina219.Values)
            {
                StartLoop(part);
            }

            foreach (var part in _buses.Values)
            {
                StartLoop(part);
            }
        }

        if (_history is not null)
        {
            history = Watched("history", (_history.FlushInterval * 3) + TimeSpan.FromMinutes(1), (ct, beat) => _history.RunAsync(ct, beat), stoppingToken);
        }

        _startedSignal.TrySetResult();
        try
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        // A reload in progress finishes first (its new loops see the stop at once).
        try
        {
            await _applyGate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            // Disposed without a stop: nothing is left to wait for.
            return;
        }

        try
        {
            List<Task> loops;
            lock (_gate)
            {
                loops = [.. _ina219.Values.Select(p => p.Loop).OfType<Task>(), .. _buses.Values.Select(p => p.Loop).OfType<Task>()];
            }

            if (history is not null)
            {
                loops.Add(history);
            }

            await Task.WhenAll(loops).ConfigureAwait(false);
        }
        finally
        {
            _applyGate.Release();
        }
    }

    internal void StartInputs()
    {
        lock (_gate)
        {
            if (_started)
            {
                return;
            }

            _started = true;
            var plan = PlanFor(new AcquisitionOptions(), _options);
            Build(_options, plan, startLoops: false);
        }
    }

    // What moving from one set of options to the next takes. Checks that it can be done before anything is touched.
    private ReloadPlan PlanFor(AcquisitionOptions previous, AcquisitionOptions next)
    {
        var before = AllSensors(previous);
        var after = AllSensors(next);
        var added = after.Keys.Where(id => !before.ContainsKey(id)).Order(StringComparer.Ordinal).ToList();
        var removed = before.Keys.Where(id => !after.ContainsKey(id)).Order(StringComparer.Ordinal).ToList();
        var changed = after.Keys.Where(id => before.TryGetValue(id, out var o) && !o.Equals(after[id])).Order(StringComparer.Ordinal).ToList();
        var differs = new HashSet<string>(added.Concat(removed).Concat(changed), StringComparer.Ordinal);

        var gpioRelease = before.Values.Where(o => o is TippingBucketOptions or DigitalInputOptions && differs.Contains(o.Id)).ToList();
        var gpioOpen = after.Values.Where(o => o is TippingBucketOptions or DigitalInputOptions && differs.Contains(o.Id)).ToList();
        if (_started && _devices.Gpio is { } gpio)
        {
            var released = gpioRelease.Select(Pin).ToHashSet();
            foreach (var o in gpioOpen)
            {
                var pin = Pin(o);
                if (gpio.IsPinOpen(pin) && !released.Contains(pin))
                {
                    throw new InvalidOperationException(
                        $"sensor {o.Id}: GPIO line {pin} is in use by a relay or another input; sensors and buses left as they were");
                }
            }
        }

        // What would throw half way through is checked here, before anything is stopped.
        foreach (var o in after.Values.Where(o => differs.Contains(o.Id)))
        {
            if (o is not TippingBucketOptions && o.Poll <= TimeSpan.Zero)
            {
                throw new InvalidOperationException($"sensor {o.Id}: poll must be longer than 0; sensors and buses left as they were");
            }

            if (o is ModbusSensorOptions { Kind: ModbusSensorKind.RainTotal } rain && (rain.Scale == 0 || !double.IsFinite(rain.Scale)))
            {
                throw new InvalidOperationException($"sensor {o.Id}: a rain counter needs a non-zero scale; sensors and buses left as they were");
            }
        }

        foreach (var bus in next.Buses.Where(b => b.Rtu is null && b.Tcp is null))
        {
            throw new InvalidOperationException($"bus {bus.Id} has neither an RTU port nor a TCP host; sensors and buses left as they were");
        }

        var busesToStop = new List<string>();
        var busIds = previous.Buses.Select(b => b.Id).Union(next.Buses.Select(b => b.Id), StringComparer.Ordinal);
        foreach (var id in busIds)
        {
            var was = previous.Buses.Find(b => b.Id == id);
            var now = next.Buses.Find(b => b.Id == id);
            var sensorsMoved = previous.ModbusSensors.Concat(next.ModbusSensors).Any(s => s.Bus == id && differs.Contains(s.Id));
            if (was is not null && (now is null || !was.Equals(now) || sensorsMoved))
            {
                busesToStop.Add(id);
            }
        }

        var restarted = busesToStop.Where(id => next.Buses.Exists(b => b.Id == id)).Order(StringComparer.Ordinal).ToList();
        var baselines = new List<string>();
        foreach (var o in next.ModbusSensors.Where(o => o.Kind == ModbusSensorKind.RainTotal && changed.Contains(o.Id)))
        {
            if (previous.ModbusSensors.Find(p => p.Id == o.Id) is not { Kind: ModbusSensorKind.RainTotal } p || !SameRegister(p, o))
            {
                baselines.Add(o.Id);
            }
        }

        return new ReloadPlan(
            new AcquisitionChanges(added, removed, changed, restarted, baselines),
            differs,
            busesToStop,
            [.. before.Values.OfType<Ina219Options>().Where(o => differs.Contains(o.Id)).Select(o => o.Id)],
            [.. gpioRelease.Select(o => o.Id)]);
    }

    // Creates what the plan starts: channels (kept when the sensor stays), GPIO inputs, INA219 loops, bus schedulers.
    private void Build(AcquisitionOptions options, ReloadPlan plan, bool startLoops)
    {
        var now = _time.GetUtcNow();
        foreach (var o in options.TippingBuckets.Where(o => plan.Differs.Contains(o.Id)))
        {
            var channel = Channel(o.Id, null, o.Valid);
            if (_devices.Gpio is null)
            {
                // Composed without a GPIO chip: the GPIO sensors say so, the rest runs.
                channel.PublishFault(now, "no GPIO chip in this configuration");
                continue;
            }

            _buckets[o.Id] = new TippingBucketInput(o, _devices.Gpio, channel, _time, _loggers.CreateLogger<TippingBucketInput>());
        }

        foreach (var o in options.DigitalInputs.Where(o => plan.Differs.Contains(o.Id)))
        {
            var channel = Channel(o.Id, o.Poll, o.Valid);
            if (_devices.Gpio is null)
            {
                channel.PublishFault(now, "no GPIO chip in this configuration");
                continue;
            }

            _digitals[o.Id] = new DigitalInput(o, _devices.Gpio, channel, _time, _loggers.CreateLogger<DigitalInput>());
        }

        foreach (var o in options.Ina219Sensors.Where(o => plan.Differs.Contains(o.Id)))
        {
            var sensor = new Ina219Sensor(o, Channel(o.Id, o.Poll, o.Valid), _time, _loggers.CreateLogger<Ina219Sensor>(), _devices.OpenI2c);
            var part = new Part<Ina219Sensor>($"ina219:{o.Id}", sensor, (o.Poll * 3) + TimeSpan.FromSeconds(30), sensor.RunAsync);
            _ina219[o.Id] = part;
            if (startLoops)
            {
                StartLoop(part);
            }
        }

        BuildModbus(options, plan, startLoops);

        foreach (var o in options.TippingBuckets.Where(o => plan.Differs.Contains(o.Id)))
        {
            _buckets.GetValueOrDefault(o.Id)?.Start();
        }

        foreach (var o in options.DigitalInputs.Where(o => plan.Differs.Contains(o.Id)))
        {
            _digitals.GetValueOrDefault(o.Id)?.Start();
        }
    }

    private void BuildModbus(AcquisitionOptions options, ReloadPlan plan, bool startLoops)
    {
        var points = new Dictionary<string, List<PollPoint>>(StringComparer.Ordinal);
        foreach (var o in options.ModbusSensors)
        {
            var kept = _modbus.GetValueOrDefault(o.Id);
            if (kept is null || plan.Differs.Contains(o.Id))
            {
                kept = NewModbusSensor(o, kept, plan);
                if (kept is null)
                {
                    _modbus.Remove(o.Id);
                    continue;
                }

                _modbus[o.Id] = kept;
            }

            if (!points.TryGetValue(o.Bus, out var list))
            {
                list = [];
                points[o.Bus] = list;
            }

            list.Add(kept.Sensor.Point());
        }

        foreach (var bus in options.Buses)
        {
            if (_buses.ContainsKey(bus.Id))
            {
                continue;
            }

            var client = ModbusBusFactory.CreateClient(bus, _time);
            var scheduler = new BusScheduler(bus.Id, client, bus.Gap, points.GetValueOrDefault(bus.Id) ?? [], _time, _loggers.CreateLogger<BusScheduler>(), bus.Backoff);
            var silence = BusScheduler.MaxIdleWait + (2 * ((bus.Timeout * (bus.Retries + 1)) + bus.Gap)) + TimeSpan.FromSeconds(30);
            var part = new Part<BusScheduler>($"bus:{bus.Id}", scheduler, silence, scheduler.RunAsync) { StopGrace = (bus.Timeout * (bus.Retries + 1)) + bus.Gap + TimeSpan.FromSeconds(5) };
            _buses[bus.Id] = part;
            if (startLoops)
            {
                StartLoop(part);
            }
        }
    }

    // A Modbus sensor starting or taking new settings; null when its bus does not exist (its fault is published).
    private ModbusPart? NewModbusSensor(ModbusSensorOptions o, ModbusPart? previous, ReloadPlan plan)
    {
        var channel = Channel(o.Id, o.Poll, o.Valid);
        RainTotalSensor? rain = null;
        if (o.Kind == ModbusSensorKind.RainTotal)
        {
            var counter = new RainCounter(o.Type, o.Scale);
            if (previous?.Counter is { PreviousRaw: { } raw, PreviousTime: { } time } && !plan.Changes.CounterBaselines.Contains(o.Id))
            {
                // Same register, new scale or range: the count goes on, so no rain is lost or invented.
                counter.Restore(raw, time);
            }
            else if (previous is null && !_running && _history?.LastCounter(o.Id) is { } kept)
            {
                // Continue from the count kept before the restart: the rain that fell meanwhile counts.
                counter.Restore(kept.Raw, kept.Time);
            }
            else if (plan.Changes.CounterBaselines.Contains(o.Id))
            {
                var text = $"{o.Id}: counter register changed by a reload (slave {o.Slave}, {o.Table} {o.Address} on bus {o.Bus}); "
                    + "the next count is a new baseline, rain before it is not counted";
                Log.CounterRebaselined(_logger, o.Id, o.Bus, o.Slave, o.Address);
                _output.Publish(new StationEvent(
                    StationEventTypes.CounterReset,
                    _time.GetUtcNow(),
                    o.Id,
                    text,
                    new Dictionary<string, object?> { ["reason"] = "reconfigured", ["previous"] = previous?.Counter?.PreviousRaw, ["current"] = null, ["rainMm"] = 0.0 }));
            }

            rain = new RainTotalSensor(channel, counter, o.Scale, o.Offset, _output, _logger);
            if (!_options.Buses.Exists(b => b.Id == o.Bus))
            {
                Fault(o, channel);
                return null;
            }

            return new ModbusPart(new ModbusSensor(o, channel, rain), counter);
        }

        if (!_options.Buses.Exists(b => b.Id == o.Bus))
        {
            Fault(o, channel);
            return null;
        }

        return new ModbusPart(new ModbusSensor(o, channel, rain), null);

        void Fault(ModbusSensorOptions sensor, SensorChannel c)
        {
            Log.UnknownBus(_logger, sensor.Id, sensor.Bus);
            c.PublishFault(_time.GetUtcNow(), $"bus {sensor.Bus} is not configured");
        }
    }

    // A bus finishes the transaction on the wire first; an INA219 poll is cut short (nothing half done on I2C).
    private Task StopBusAsync(string id) => StopPartAsync(_buses, id, async part =>
    {
        part.Value.RequestStop();
        await part.StopAsync().ConfigureAwait(false);
        await part.Value.DisposeAsync().ConfigureAwait(false);
    });

    private Task StopIna219Async(string id) => StopPartAsync(_ina219, id, async part =>
    {
        await part.CancelAsync().ConfigureAwait(false);
        part.Cancel?.Dispose();
        part.Value.Dispose();
    });

    private async Task StopPartAsync<T>(Dictionary<string, Part<T>> parts, string id, Func<Part<T>, Task> stop)
        where T : class
    {
        Part<T>? part;
        lock (_gate)
        {
            parts.Remove(id, out part);
        }

        if (part is not null)
        {
            await stop(part).ConfigureAwait(false);
        }
    }

    private void StartLoop<T>(Part<T> part)
        where T : class
    {
        part.Cancel = CancellationTokenSource.CreateLinkedTokenSource(_stopping);
        part.Loop = Watched(part.Name, part.MaxSilence, part.Run, part.Cancel.Token);
    }

    private Task Watched(string name, TimeSpan maxSilence, Func<CancellationToken, Action?, Task> loop, CancellationToken cancellationToken) => Task.Run(
        async () =>
        {
            // Registered when the loop starts, disposed when it ends (a bus stopped by a reload signs off).
            using var heartbeat = _devices.Loops?.Register(name, maxSilence);
            await loop(cancellationToken, heartbeat is null ? null : heartbeat.Beat).ConfigureAwait(false);
        },
        CancellationToken.None);

    private void StopInputs()
    {
        lock (_gate)
        {
            foreach (var part in _buckets.Values)
            {
                part.Dispose();
            }

            foreach (var part in _digitals.Values)
            {
                part.Dispose();
            }

            foreach (var part in _ina219.Values)
            {
                part.Value.Dispose();
                part.Cancel?.Dispose();
            }

            _buckets.Clear();
            _digitals.Clear();
            foreach (var channel in _channels.Values)
            {
                channel.Dispose();
            }
        }
    }

    // One channel per sensor id for the life of the service: a sensor that stays keeps its quality and stale timer.
    private SensorChannel Channel(string id, TimeSpan? poll, ValueRange? valid)
    {
        if (_channels.TryGetValue(id, out var channel))
        {
            channel.Reconfigure(poll, valid);
            return channel;
        }

        channel = new SensorChannel(id, poll, valid, _output, _time, _loggers.CreateLogger<SensorChannel>());
        _channels[id] = channel;
        return channel;
    }

    private static Dictionary<string, SensorOptions> AllSensors(AcquisitionOptions options)
    {
        var all = new Dictionary<string, SensorOptions>(StringComparer.Ordinal);
        foreach (var o in options.TippingBuckets.Cast<SensorOptions>().Concat(options.DigitalInputs).Concat(options.Ina219Sensors).Concat(options.ModbusSensors))
        {
            all.TryAdd(o.Id, o);
        }

        return all;
    }

    private static int Pin(SensorOptions o) => o switch
    {
        TippingBucketOptions t => t.Pin,
        DigitalInputOptions d => d.Pin,
        _ => -1,
    };

    // The counter is the same device register: its count can go on across the change.
    private static bool SameRegister(ModbusSensorOptions a, ModbusSensorOptions b) =>
        a.Bus == b.Bus && a.Slave == b.Slave && a.Table == b.Table && a.Address == b.Address && a.Type == b.Type && a.Order == b.Order;

    private static string Join(IReadOnlyList<string> ids) => ids.Count == 0 ? "none" : string.Join(", ", ids);

    private sealed record ModbusPart(ModbusSensor Sensor, RainCounter? Counter);

    /// <summary>What a reload stops and starts.</summary>
    private sealed record ReloadPlan(
        AcquisitionChanges Changes,
        HashSet<string> Differs,
        IReadOnlyList<string> BusesToStop,
        IReadOnlyList<string> Ina219ToStop,
        IReadOnlyList<string> GpioToRelease);

    /// <summary>A part with a loop of its own (a bus scheduler, an INA219), which a reload can stop alone.</summary>
    private sealed class Part<T>(string name, T value, TimeSpan maxSilence, Func<CancellationToken, Action?, Task> run)
        where T : class
    {
        public string Name { get; } = name;
        public T Value { get; } = value;
        public TimeSpan MaxSilence { get; } = maxSilence;
        public Func<CancellationToken, Action?, Task> Run { get; } = run;
        public CancellationTokenSource? Cancel { get; set; }
        public Task? Loop { get; set; }

        /// <summary>How long a stop request may take before the loop is cancelled outright.</summary>
        public TimeSpan StopGrace { get; init; } = TimeSpan.FromSeconds(5);

        /// <summary>Waits for a loop asked to stop; cancels it if it has not within <see cref="StopGrace"/>.</summary>
        public async Task StopAsync()
        {
            if (Loop is { } loop)
            {
                // Real time on purpose: a bounded wait for a transaction on the wire, not a schedule.
                if (await Task.WhenAny(loop, Task.Delay(StopGrace, TimeProvider.System)).ConfigureAwait(false) != loop)
                {
                    await CancelAsync().ConfigureAwait(false);
                }

                await loop.ConfigureAwait(false);
            }

            Cancel?.Dispose();
        }

        public async Task CancelAsync()
        {
            if (Cancel is { } cancel)
            {
                await cancel.CancelAsync().ConfigureAwait(false);
            }

            if (Loop is { } loop)
            {
                await loop.ConfigureAwait(false);
            }
        }
    }
}
