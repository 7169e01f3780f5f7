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

/// <summary>
/// Runs every sensor of the station: GPIO inputs (edges from the moment the service starts), INA219 polls, the
/// Modbus bus schedulers and the history writer. Every reading goes to the history and to the station pipeline
/// (<see cref="IReadingSink"/>); quality changes and counter resets go to <see cref="IStationEventSink"/>.
/// A part that fails (a line, a device, a bus) is a fault of its sensors only.
/// </summary>
public sealed class AcquisitionService : BackgroundService
{
    private readonly AcquisitionOptions _options;
    private readonly AcquisitionDevices _devices;
    private readonly ReadingHistory? _history;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly ReadingOutput _output;
    private readonly List<SensorChannel> _channels = [];
    private readonly List<IDisposable> _parts = [];
    private readonly List<TippingBucketInput> _buckets = [];
    private readonly List<DigitalInput> _digitals = [];
    private readonly List<Ina219Sensor> _ina219 = [];
    private readonly List<BusScheduler> _buses = [];
    private readonly TaskCompletionSource _startedSignal = new(TaskCreationOptions.RunContinuationsAsynchronously);
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

    /// <summary>The state of every sensor, for status.</summary>
    public IReadOnlyList<SensorState> Sensors()
    {
        lock (_channels)
        {
            return [.. _channels.Select(c => c.State)];
        }
    }

    /// <summary>The scheduler of each configured bus (writes go through <see cref="BusScheduler.WriteAsync"/>).</summary>
    public IReadOnlyList<BusScheduler> Buses => _buses;

    /// <summary>The scheduler of bus <paramref name="id"/>, or null.</summary>
    public BusScheduler? Bus(string id) => _buses.Find(b => b.Id == id);

    /// <summary>Tips counted per rain gauge since start (status and tests).</summary>
    public IReadOnlyDictionary<string, long> TipCounts() =>
        _buckets.ToDictionary(b => b.Id, b => b.Tips, StringComparer.Ordinal);

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
        foreach (var bus in _buses)
        {
            await bus.DisposeAsync().ConfigureAwait(false);
        }

        _history?.Flush();
    }

    public override void Dispose()
    {
        StopInputs();
        foreach (var bus in _buses)
        {
            bus.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var loops = new List<Task>();
        foreach (var sensor in _ina219)
        {
            loops.Add(Watched($"ina219:{sensor.Id}", (sensor.Poll * 3) + TimeSpan.FromSeconds(30), beat => sensor.RunAsync(stoppingToken, beat)));
        }

        foreach (var bus in _buses)
        {
            var o = _options.Buses.Find(b => b.Id == bus.Id)!;
            var silence = BusScheduler.MaxIdleWait + (2 * ((o.Timeout * (o.Retries + 1)) + o.Gap)) + TimeSpan.FromSeconds(30);
            loops.Add(Watched($"bus:{bus.Id}", silence, beat => bus.RunAsync(stoppingToken, beat)));
        }

        if (_history is not null)
        {
            loops.Add(Watched("history", (_history.FlushInterval * 3) + TimeSpan.FromMinutes(1), beat => _history.RunAsync(stoppingToken, beat)));
        }

        _startedSignal.TrySetResult();
        await Task.WhenAll(loops).ConfigureAwait(false);
    }

    private Task Watched(string name, TimeSpan maxSilence, Func<Action?, Task> loop) => Task.Run(
        async () =>
        {
            using var heartbeat = _devices.Loops?.Register(name, maxSilence);
            await loop(heartbeat is null ? null : heartbeat.Beat).ConfigureAwait(false);
        },
        CancellationToken.None);

    internal void StartInputs()
    {
        if (_started)
        {
            return;
        }

        _started = true;
        if (_devices.Gpio is null)
        {
            // Composed without a GPIO chip: the GPIO sensors say so, the rest runs.
            foreach (var o in _options.TippingBuckets.Cast<SensorOptions>().Concat(_options.DigitalInputs))
            {
                Channel(o.Id, null, o.Valid).PublishFault(_time.GetUtcNow(), "no GPIO chip in this configuration");
            }
        }

        foreach (var o in _devices.Gpio is null ? [] : _options.TippingBuckets)
        {
            var input = new TippingBucketInput(o, Gpio(), Channel(o.Id, null, o.Valid), _time, _loggers.CreateLogger<TippingBucketInput>());
            _buckets.Add(input);
            _parts.Add(input);
        }

        foreach (var o in _devices.Gpio is null ? [] : _options.DigitalInputs)
        {
            var input = new DigitalInput(o, Gpio(), Channel(o.Id, o.Poll, o.Valid), _time, _loggers.CreateLogger<DigitalInput>());
            _digitals.Add(input);
            _parts.Add(input);
        }

        foreach (var o in _options.Ina219Sensors)
        {
            var sensor = new Ina219Sensor(o, Channel(o.Id, o.Poll, o.Valid), _time, _loggers.CreateLogger<Ina219Sensor>(), _devices.OpenI2c);
            _ina219.Add(sensor);
            _parts.Add(sensor);
        }

        StartBuses();

        foreach (var input in _buckets)
        {
            input.Start();
        }

        foreach (var input in _digitals)
        {
            input.Start();
        }
    }

    private void StartBuses()
    {
        var points = new Dictionary<string, List<PollPoint>>(StringComparer.Ordinal);
        foreach (var o in _options.ModbusSensors)
        {
            var channel = Channel(o.Id, o.Poll, o.Valid);
            RainTotalSensor? rain = null;
            if (o.Kind == ModbusSensorKind.RainTotal)
            {
                var counter = new RainCounter(o.Type, o.Scale);
                if (_history?.LastCounter(o.Id) is { } kept)
                {
                    // Continue from the count kept before the restart: the rain that fell meanwhile counts.
                    counter.Restore(kept.Raw, kept.Time);
                }

                rain = new RainTotalSensor(channel, counter, o.Scale, o.Offset, _output, _logger);
            }

            if (!_options.Buses.Exists(b => b.Id == o.Bus))
            {
                Log.UnknownBus(_logger, o.Id, o.Bus);
                channel.PublishFault(_time.GetUtcNow(), $"bus {o.Bus} is not configured");
                continue;
            }

            if (!points.TryGetValue(o.Bus, out var list))
            {
                list = [];
                points[o.Bus] = list;
            }

            list.Add(new ModbusSensor(o, channel, rain).Point());
        }

        foreach (var bus in _options.Buses)
        {
            var client = ModbusBusFactory.CreateClient(bus, _time);
            _buses.Add(new BusScheduler(bus.Id, client, bus.Gap, points.GetValueOrDefault(bus.Id) ?? [], _time, _loggers.CreateLogger<BusScheduler>(), bus.Backoff));
        }
    }

    private void StopInputs()
    {
        foreach (var part in _parts)
        {
            part.Dispose();
        }

        _parts.Clear();
        lock (_channels)
        {
            foreach (var channel in _channels)
            {
                channel.Dispose();
            }
        }
    }

    private GpioController Gpio() => _devices.Gpio!;

    private SensorChannel Channel(string id, TimeSpan? poll, ValueRange? valid)
    {
        var channel = new SensorChannel(id, poll, valid, _output, _time, _loggers.CreateLogger<SensorChannel>());
        lock (_channels)
        {
            _channels.Add(channel);
        }

        return channel;
    }
}
