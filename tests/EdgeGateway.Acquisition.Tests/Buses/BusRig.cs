using System.Net;
using EdgeGateway.Acquisition.Buses;
using EdgeGateway.Acquisition.Sensors;
using EdgeGateway.Modbus.Simulation;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace EdgeGateway.Acquisition.Tests.Buses;

/// <summary>
/// A bus scheduler talking Modbus TCP on 127.0.0.1 to the slave simulator, with its sensors' readings recorded.
/// </summary>
internal sealed class BusRig : IAsyncDisposable
{
    private readonly List<SensorChannel> _channels = [];
    private readonly CancellationTokenSource _stop = new();
    private Task? _run;
    private long _asleepAt;

    private BusRig(ModbusSlaveSimulator simulator, BusScheduler scheduler, RecordingSinks sinks)
    {
        Simulator = simulator;
        Scheduler = scheduler;
        Sinks = sinks;
    }

    public ModbusSlaveSimulator Simulator { get; }

    public BusScheduler Scheduler { get; }

    public RecordingSinks Sinks { get; }

    public ModbusRegisterMap Map => Simulator.Map;

    public static BusRig Create(
        ModbusRegisterMap map,
        IEnumerable<ModbusSensorOptions> sensors,
        TimeProvider time,
        TimeSpan? timeout = null,
        int retries = 0,
        TimeSpan? gap = null,
        SchedulerTuning? tuning = null)
    {
        var simulator = new ModbusSlaveSimulator(map);
        var endpoint = simulator.StartTcp(new IPEndPoint(IPAddress.Loopback, 0));
        var bus = new ModbusBusOptions
        {
            Id = "plc",
            Tcp = new TcpBusOptions("127.0.0.1", endpoint.Port),
            Timeout = timeout ?? TimeSpan.FromSeconds(5),
            Retries = retries,
        };
        var sinks = new RecordingSinks();
        var output = sinks.Output();
        var channels = new List<SensorChannel>();
        var points = new List<PollPoint>();
        foreach (var o in sensors)
        {
            // No stale watchdog here: these tests look at what the scheduler itself publishes.
            var channel = new SensorChannel(o.Id, null, o.Valid, output, time, NullLogger.Instance);
            channels.Add(channel);
            points.Add(new ModbusSensor(o, channel, null).Point());
        }

        var client = ModbusBusFactory.CreateClient(bus, time);
        var scheduler = new BusScheduler(bus.Id, client, gap ?? TimeSpan.Zero, points, time, NullLogger.Instance, tuning);
        var rig = new BusRig(simulator, scheduler, sinks);
        rig._channels.AddRange(channels);
        return rig;
    }

    /// <summary>
    /// Moves a fake clock once the loop has gone back to sleep since the last move, so its next timer is set
    /// against the time before this move (moving earlier would push that timer past its due time).
    /// </summary>
    public async Task AdvanceAsync(FakeTimeProvider time, TimeSpan by)
    {
        await Scheduler.WhenAsleepAsync(_asleepAt).WaitAsync(TimeSpan.FromSeconds(30));
        _asleepAt = Scheduler.Sleeps;
        time.Advance(by);
    }

    public void Start() => _run = Task.Run(() => Scheduler.RunAsync(_stop.Token));

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        if (_run is not null)
        {
            await _run.WaitAsync(TimeSpan.FromSeconds(30));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await Scheduler.DisposeAsync();
        await Simulator.DisposeAsync();
        foreach (var c in _channels)
        {
            c.Dispose();
        }

        _stop.Dispose();
    }
}
