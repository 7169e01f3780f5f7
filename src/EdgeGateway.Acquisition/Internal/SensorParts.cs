using EdgeGateway.Acquisition.Buses;
using EdgeGateway.Acquisition.Counters;
using EdgeGateway.Acquisition.Gpio;
using EdgeGateway.Acquisition.History;
using EdgeGateway.Acquisition.Power;
using EdgeGateway.Acquisition.Sensors;
using EdgeGateway.Core.Events;
using Microsoft.Extensions.Logging;

namespace EdgeGateway.Acquisition.Internal;

/// <summary>
/// The running parts that read the sensors, by sensor or bus id: one channel per sensor, GPIO inputs, INA219 loops,
/// Modbus sensors and bus schedulers. Builds what a <see cref="ReloadPlan"/> starts and hands over what it stops.
/// Not thread-safe: the service calls it under its own lock.
/// </summary>
internal sealed class SensorParts(
    AcquisitionDevices devices,
    ReadingOutput output,
    ReadingHistory? history,
    TimeProvider time,
    ILoggerFactory loggers,
    ILogger logger)
{
    private readonly Dictionary<string, SensorChannel> _channels = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TippingBucketInput> _buckets = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DigitalInput> _digitals = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Part<Ina219Sensor>> _ina219 = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ModbusPart> _modbus = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Part<BusScheduler>> _buses = new(StringComparer.Ordinal);
    private CancellationToken _stopping;

    /// <summary>Whether the loops run (new INA219 and bus parts start theirs at once).</summary>
    public bool Running { get; private set; }

    public IReadOnlyList<SensorState> States => [.. _channels.Values.Select(c => c.State)];

    public IReadOnlyList<BusScheduler> Buses => [.. _buses.Values.Select(b => b.Value)];

    public BusScheduler? Bus(string id) => _buses.TryGetValue(id, out var bus) ? bus.Value : null;

    public Dictionary<string, long> TipCounts() => _buckets.ToDictionary(b => b.Key, b => b.Value.Tips, StringComparer.Ordinal);

    /// <summary>The loops started so far (the service waits for them when it stops).</summary>
    public List<Task> Loops() =>
        [.. _ina219.Values.Select(p => p.Loop).OfType<Task>(), .. _buses.Values.Select(p => p.Loop).OfType<Task>()];

    /// <summary>Starts the loops of every INA219 and bus, and of every one built from now on.</summary>
    public void StartLoops(CancellationToken stopping)
    {
        _stopping = stopping;
        Running = true;
        foreach (var part in _ina219.Values)
        {
            part.Start(devices.Loops, _stopping);
        }

        foreach (var part in _buses.Values)
        {
            part.Start(devices.Loops, _stopping);
        }
    }

    /// <summary>Removes bus <paramref name="id"/> for the caller to stop (outside the lock); null when there is none.</summary>
    public Part<BusScheduler>? TakeBus(string id) => _buses.Remove(id, out var part) ? part : null;

    /// <summary>Removes INA219 <paramref name="id"/> for the caller to stop (outside the lock); null when there is none.</summary>
    public Part<Ina219Sensor>? TakeIna219(string id) => _ina219.Remove(id, out var part) ? part : null;

    /// <summary>Releases the GPIO lines of the plan and forgets its removed sensors (their channels publish no more).</summary>
    public void Release(ReloadPlan plan)
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
    }

    /// <summary>Creates what the plan starts: channels (kept when the sensor stays), GPIO inputs, INA219 loops, bus schedulers.</summary>
    public void Build(AcquisitionOptions options, ReloadPlan plan)
    {
        var now = time.GetUtcNow();
        foreach (var o in options.TippingBuckets.Where(o => plan.Differs.Contains(o.Id)))
        {
            var channel = Channel(o.Id, null, o.Valid);
            if (devices.Gpio is null)
            {
                // Composed without a GPIO chip: the GPIO sensors say so, the rest runs.
                channel.PublishFault(now, "no GPIO chip in this configuration");
                continue;
            }

            _buckets[o.Id] = new TippingBucketInput(o, devices.Gpio, channel, time, loggers.CreateLogger<TippingBucketInput>());
        }

        foreach (var o in options.DigitalInputs.Where(o => plan.Differs.Contains(o.Id)))
        {
            var channel = Channel(o.Id, o.Poll, o.Valid);
            if (devices.Gpio is null)
            {
                channel.PublishFault(now, "no GPIO chip in this configuration");
                continue;
            }

            _digitals[o.Id] = new DigitalInput(o, devices.Gpio, channel, time, loggers.CreateLogger<DigitalInput>());
        }

        foreach (var o in options.Ina219Sensors.Where(o => plan.Differs.Contains(o.Id)))
        {
            var sensor = new Ina219Sensor(o, Channel(o.Id, o.Poll, o.Valid), time, loggers.CreateLogger<Ina219Sensor>(), devices.OpenI2c);
            var part = new Part<Ina219Sensor>($"ina219:{o.Id}", sensor, (o.Poll * 3) + TimeSpan.FromSeconds(30), sensor.RunAsync);
            _ina219[o.Id] = part;
            if (Running)
            {
                part.Start(devices.Loops, _stopping);
            }
        }

        BuildModbus(options, plan);

        foreach (var o in options.TippingBuckets.Where(o => plan.Differs.Contains(o.Id)))
        {
            _buckets.GetValueOrDefault(o.Id)?.Start();
        }

        foreach (var o in options.DigitalInputs.Where(o => plan.Differs.Contains(o.Id)))
        {
            _digitals.GetValueOrDefault(o.Id)?.Start();
        }
    }

    /// <summary>Releases every GPIO line and INA219 and closes every channel (buses are stopped by the service).</summary>
    public void DisposeInputs()
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

    private void BuildModbus(AcquisitionOptions options, ReloadPlan plan)
    {
        var points = new Dictionary<string, List<PollPoint>>(StringComparer.Ordinal);
        foreach (var o in options.ModbusSensors)
        {
            var kept = _modbus.GetValueOrDefault(o.Id);
            if (kept is null || plan.Differs.Contains(o.Id))
            {
                kept = NewModbusSensor(options, o, kept, plan);
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

            var client = ModbusBusFactory.CreateClient(bus, time);
            var scheduler = new BusScheduler(bus.Id, client, bus.Gap, points.GetValueOrDefault(bus.Id) ?? [], time, loggers.CreateLogger<BusScheduler>(), bus.Backoff);
            var silence = BusScheduler.MaxIdleWait + (2 * ((bus.Timeout * (bus.Retries + 1)) + bus.Gap)) + TimeSpan.FromSeconds(30);
            var part = new Part<BusScheduler>($"bus:{bus.Id}", scheduler, silence, scheduler.RunAsync) { StopGrace = (bus.Timeout * (bus.Retries + 1)) + bus.Gap + TimeSpan.FromSeconds(5) };
            _buses[bus.Id] = part;
            if (Running)
            {
                part.Start(devices.Loops, _stopping);
            }
        }
    }

    // A Modbus sensor starting or taking new settings; null when its bus does not exist (its fault is published).
    private ModbusPart? NewModbusSensor(AcquisitionOptions options, ModbusSensorOptions o, ModbusPart? previous, ReloadPlan plan)
    {
        var channel = Channel(o.Id, o.Poll, o.Valid);
        RainTotalSensor? rain = null;
        if (o.Kind == ModbusSensorKind.RainTotal)
        {
            var counter = new RainCounter(o.Type, o.Scale);
            if (previous?.Counter is { PreviousRaw: { } raw, PreviousTime: { } at } && !plan.Changes.CounterBaselines.Contains(o.Id))
            {
                // Same register, new scale or range: the count goes on, so no rain is lost or invented.
                counter.Restore(raw, at);
            }
            else if (previous is null && !Running && history?.LastCounter(o.Id) is { } kept)
            {
                // Continue from the count kept before the restart: the rain that fell meanwhile counts.
                counter.Restore(kept.Raw, kept.Time);
            }
            else if (plan.Changes.CounterBaselines.Contains(o.Id))
            {
                var text = $"{o.Id}: counter register changed by a reload (slave {o.Slave}, {o.Table} {o.Address} on bus {o.Bus}); "
                    + "the next count is a new baseline, rain before it is not counted";
                Log.CounterRebaselined(logger, o.Id, o.Bus, o.Slave, o.Address);
                output.Publish(new StationEvent(
                    StationEventTypes.CounterReset,
                    time.GetUtcNow(),
                    o.Id,
                    text,
                    new Dictionary<string, object?> { ["reason"] = "reconfigured", ["previous"] = previous?.Counter?.PreviousRaw, ["current"] = null, ["rainMm"] = 0.0 }));
            }

            rain = new RainTotalSensor(channel, counter, o.Scale, o.Offset, output, logger);
            if (!options.Buses.Exists(b => b.Id == o.Bus))
            {
                Fault(o, channel);
                return null;
            }

            return new ModbusPart(new ModbusSensor(o, channel, rain), counter);
        }

        if (!options.Buses.Exists(b => b.Id == o.Bus))
        {
            Fault(o, channel);
            return null;
        }

        return new ModbusPart(new ModbusSensor(o, channel, rain), null);

        void Fault(ModbusSensorOptions sensor, SensorChannel c)
        {
            Log.UnknownBus(logger, sensor.Id, sensor.Bus);
            c.PublishFault(time.GetUtcNow(), $"bus {sensor.Bus} is not configured");
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

        channel = new SensorChannel(id, poll, valid, output, time, loggers.CreateLogger<SensorChannel>());
        _channels[id] = channel;
        return channel;
    }

    private sealed record ModbusPart(ModbusSensor Sensor, RainCounter? Counter);
}
