using System.Device.Gpio;
using System.Device.I2c;
using EdgeGateway.Acquisition.Buses;
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
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _applyGate = new(1, 1);

    // Guarded by _gate.
    private readonly SensorParts _parts;
    private readonly TaskCompletionSource _startedSignal = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile AcquisitionOptions _options;
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
        loggers ??= NullLoggerFactory.Instance;
        _logger = loggers.CreateLogger<AcquisitionService>();
        _parts = new SensorParts(devices, new ReadingOutput(readings, events, history), history, time, loggers, _logger);
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
            return _parts.States;
        }
    }

    /// <summary>The scheduler of each configured bus (writes go through <see cref="BusScheduler.WriteAsync"/>).</summary>
    public IReadOnlyList<BusScheduler> Buses
    {
        get
        {
            lock (_gate)
            {
                return _parts.Buses;
            }
        }
    }

    /// <summary>The scheduler of bus <paramref name="id"/>, or null. A reload that changes the bus replaces it.</summary>
    public BusScheduler? Bus(string id)
    {
        lock (_gate)
        {
            return _parts.Bus(id);
        }
    }

    /// <summary>Tips counted per rain gauge since it started (status and tests).</summary>
    public IReadOnlyDictionary<string, long> TipCounts()
    {
        lock (_gate)
        {
            return _parts.TipCounts();
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
    /// <paramref name="next"/> has a value its own checks refuse (<see cref="AcquisitionOptions.Validate"/>), or cannot
    /// be put into force while running (a GPIO line it needs is held by something else). Nothing has been changed:
    /// the previous sensors keep running.
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

            if (next.Validate() is [var problem, ..])
            {
                throw new InvalidOperationException(problem + ReloadPlan.LeftAsTheyWere);
            }

            var plan = ReloadPlan.For(_options, next, PinInUse());
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
                _parts.Release(plan);
                _options = next;
                _parts.Build(next, plan);
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
            _parts.StartLoops(stoppingToken);
        }

        if (_history is not null)
        {
            history = WatchedLoop.Run(_devices.Loops, "history", (_history.FlushInterval * 3) + TimeSpan.FromMinutes(1), (ct, beat) => _history.RunAsync(ct, beat), stoppingToken);
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
                loops = _parts.Loops();
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
            _parts.Build(_options, ReloadPlan.ForStart(_options, PinInUse()));
        }
    }

    // Lines held by relays or inputs can only be checked once the inputs have opened theirs.
    private Func<int, bool>? PinInUse() => _started && _devices.Gpio is { } gpio ? gpio.IsPinOpen : null;

    // A bus finishes the transaction on the wire first; an INA219 poll is cut short (nothing half done on I2C).
    private async Task StopBusAsync(string id)
    {
        Part<BusScheduler>? part;
        lock (_gate)
        {
            part = _parts.TakeBus(id);
        }

        if (part is not null)
        {
            part.Value.RequestStop();
            await part.StopAsync().ConfigureAwait(false);
            await part.Value.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task StopIna219Async(string id)
    {
        Part<Ina219Sensor>? part;
        lock (_gate)
        {
            part = _parts.TakeIna219(id);
        }

        if (part is not null)
        {
            await part.CancelAsync().ConfigureAwait(false);
            part.Cancel?.Dispose();
            part.Value.Dispose();
        }
    }

    private void StopInputs()
    {
        lock (_gate)
        {
            _parts.DisposeInputs();
        }
    }

    private static string Join(IReadOnlyList<string> ids) => ids.Count == 0 ? "none" : string.Join(", ", ids);
}
