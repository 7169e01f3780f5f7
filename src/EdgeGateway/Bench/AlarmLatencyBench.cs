using System.Device.Gpio;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using EdgeGateway.Configuration;
using EdgeGateway.Core.Readings;
using EdgeGateway.Demo;
using EdgeGateway.Hardware.Gpio;
using EdgeGateway.Hosting;
using EdgeGateway.Hosting.Pipeline;
using EdgeGateway.Modbus;
using EdgeGateway.Modbus.Simulation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace EdgeGateway.Bench;

/// <summary>What one alarm latency run measured, in milliseconds.</summary>
/// <param name="ChangeToRelay">From the register changing in the slave to the amplifier relay line going high, per crossing.</param>
/// <param name="ReadToRelay">From the station's first read after the change reaching the slave to the relay going high.</param>
public sealed record AlarmLatencyResult(TimeSpan Poll, IReadOnlyList<double> ChangeToRelay, IReadOnlyList<double> ReadToRelay, int Missed)
{
    /// <summary>Nearest-rank percentile (p in 0..100) of <paramref name="values"/>; NaN when empty.</summary>
    public static double Percentile(IReadOnlyList<double> values, double p)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToArray();
        var rank = (int)Math.Ceiling(p / 100 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }

    public string SummaryLine()
    {
        var line = FormattableString.Invariant(
            $"alarm latency, {ChangeToRelay.Count} crossings, poll {Poll.TotalMilliseconds:0} ms, hold 0: register change -> amplifier relay p50 {Percentile(ChangeToRelay, 50):0} ms, p99 {Percentile(ChangeToRelay, 99):0} ms, max {Percentile(ChangeToRelay, 100):0} ms; station read -> relay p50 {Percentile(ReadToRelay, 50):0.0} ms, p99 {Percentile(ReadToRelay, 99):0.0} ms, max {Percentile(ReadToRelay, 100):0.0} ms");
        return Missed > 0 ? FormattableString.Invariant($"{line}; {Missed} crossing(s) never switched the relay") : line;
    }

    public JsonObject ToJson() => new()
    {
        ["crossings"] = ChangeToRelay.Count,
        ["missed"] = Missed,
        ["pollMs"] = Poll.TotalMilliseconds,
        ["changeToRelayMs"] = new JsonObject
        {
            ["p50"] = Percentile(ChangeToRelay, 50),
            ["p99"] = Percentile(ChangeToRelay, 99),
            ["max"] = Percentile(ChangeToRelay, 100),
        },
        ["readToRelayMs"] = new JsonObject
        {
            ["p50"] = Percentile(ReadToRelay, 50),
            ["p99"] = Percentile(ReadToRelay, 99),
            ["max"] = Percentile(ReadToRelay, 100),
        },
    };
}

/// <summary>
/// Alarm latency in-process: the station host exactly as <c>edgegw run</c> composes it (simulated GPIO, file
/// audio sink), one water-level sensor read over Modbus TCP from the slave simulator on loopback, and a
/// rule with hold 0. Each crossing sets the register above the threshold at a random phase of the poll
/// grid and times the amplifier relay line going high; then the level is set back and the station
/// allowed to return to none before the next crossing.
/// </summary>
public sealed class AlarmLatencyBench
{
    private const int Amplifier = 5;
    private const int Zone = 6;
    private const double Normal = 1.0;
    private const double Flood = 6.0;
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(30);

    private readonly int _samples;
    private readonly TimeSpan _poll;
    private readonly TextWriter _progress;

    public AlarmLatencyBench(int samples, TimeSpan poll, TextWriter progress)
    {
        _samples = samples;
        _poll = poll;
        _progress = progress;
    }

    public async Task<AlarmLatencyResult> RunAsync(CancellationToken cancellationToken)
    {
        var time = TimeProvider.System;
        var directory = Directory.CreateTempSubdirectory("edgegw-bench-latency-").FullName;
        try
        {
            var registers = new ModbusRegisterMap();
            var level = registers.Slave(1);
            level.SetValue(ModbusTable.Holding, 0, RegisterType.Float32, ByteOrder.ABCD, Normal);
            await using var simulator = new ModbusSlaveSimulator(registers);
            var port = simulator.StartTcp(new IPEndPoint(IPAddress.Loopback, 0)).Port;

            var configPath = WriteStation(directory, port);
            var loaded = StationConfigLoader.Load(configPath);
            if (!loaded.IsValid)
            {
                throw new InvalidOperationException(string.Join(Environment.NewLine, loaded.Errors));
            }

            // The station's own log (level transitions at warning) would drown the figures: errors only, on stderr.
            var builder = StationHost.CreateBuilder(loaded.Config!, configPath, ["--Logging:LogLevel:Default=Error"]);
            builder.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
            using var host = builder.Build();
            await host.StartAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                var gpio = host.Services.GetService<GpioSetup>()?.SimulatedDriver
                    ?? throw new InvalidOperationException("the station composed no simulated GPIO chip");
                var pipeline = host.Services.GetRequiredService<StationPipeline>();
                return await MeasureAsync(simulator, level, gpio, pipeline, time, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                using var stopping = new CancellationTokenSource(StationHost.ShutdownTimeout);
                await host.StopAsync(stopping.Token).ConfigureAwait(false);
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private async Task<AlarmLatencyResult> MeasureAsync(ModbusSlaveSimulator simulator, SimulatedSlave level, SimulatedGpioDriver gpio,
        StationPipeline pipeline, TimeProvider time, CancellationToken cancellationToken)
    {
        var relayOn = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        gpio.LineChanged += (_, change) =>
        {
            if (change.Pin == Amplifier && change.IsOutput && change.Value == PinValue.High)
            {
                // Stamped on the thread that drove the line, before anything else runs.
                relayOn.TrySetResult(time.GetTimestamp());
            }
        };

        // The station is up when it has read the sensor once.
        await WaitForAsync(() => pipeline.Sensors.Any(s => s.SensorId == "level" && s.Quality == Quality.Good), time, cancellationToken)
            .ConfigureAwait(false);

        var changeToRelay = new List<double>();
        var readToRelay = new List<double>();
        var missed = 0;
        var random = new Random(2026);
        for (var i = 0; i < _samples; i++)
        {
            await WaitForAsync(() => pipeline.StationLevel == "none" && gpio.Peek(Amplifier) == PinValue.Low, time, cancellationToken).ConfigureAwait(false);

            // A random phase against the poll grid, so the sample covers every wait for the next poll.
            await Task.Delay(TimeSpan.FromMilliseconds(random.NextDouble() * _poll.TotalMilliseconds), time, cancellationToken).ConfigureAwait(false);
            relayOn = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
            var reads = simulator.RequestCount;
            var changedAt = time.GetTimestamp();
            level.SetValue(ModbusTable.Holding, 0, RegisterType.Float32, ByteOrder.ABCD, Flood);
            var readAt = simulator.WaitForRequestsAsync(reads + 1, cancellationToken)
                .ContinueWith(_ => time.GetTimestamp(), cancellationToken, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            try
            {
                var onAt = await relayOn.Task.WaitAsync(_poll + Settle, time, cancellationToken).ConfigureAwait(false);
                changeToRelay.Add(time.GetElapsedTime(changedAt, onAt).TotalMilliseconds);
                if (readAt.IsCompletedSuccessfully && readAt.Result <= onAt)
                {
                    readToRelay.Add(time.GetElapsedTime(readAt.Result, onAt).TotalMilliseconds);
                }
            }
            catch (TimeoutException)
            {
                missed++;
            }

            level.SetValue(ModbusTable.Holding, 0, RegisterType.Float32, ByteOrder.ABCD, Normal);
            if ((i + 1) % 10 == 0)
            {
                await _progress.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{i + 1}/{_samples} crossings")).ConfigureAwait(false);
            }
        }

        return new AlarmLatencyResult(_poll, changeToRelay, readToRelay, missed);
    }

    /// <summary>Checks <paramref name="done"/> every 5 ms, for at most <see cref="Settle"/>.</summary>
    private static async Task WaitForAsync(Func<bool> done, TimeProvider time, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(5), time);
        var started = time.GetTimestamp();
        while (!done())
        {
            if (time.GetElapsedTime(started) > Settle)
            {
                throw new TimeoutException("the bench station did not settle within 30 s");
            }

            await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>One sensor, one rule (hold 0, clears at once), one short message; every device on loopback or simulated.</summary>
    private string WriteStation(string directory, int modbusPort)
    {
        var message = Path.Combine(directory, "alarm.wav");
        DemoAudio.WriteWav(message, DemoAudio.Chime([880], 0.05));
        var yaml = string.Create(CultureInfo.InvariantCulture, $$"""
            station: { id: bench-latency }
            hardware: { gpio: { driver: simulated } }
            control: { socket: "{{Path.Combine(directory, "control.sock")}}" }
            storage: { path: "{{Path.Combine(directory, "data")}}" }
            buses:
              - id: plc
                modbus-tcp: { host: 127.0.0.1, port: {{modbusPort}} }
                timeout: 500ms
                retries: 0
            sensors:
              - id: level
                kind: water-level
                unit: m
                modbus: { bus: plc, slave: 1, table: holding, address: 0, type: float32, order: ABCD }
                valid: [0, 15]
                poll: {{(long)_poll.TotalMilliseconds}}ms
            alerting:
              clearAfter: 0s
              levels:
                - { id: evacuate, severity: Extreme, broadcast: { message: alarm, repeat: 1 } }
              rules:
                - { id: level, sensor: level, measure: value, above: { evacuate: 5 }, hysteresis: 0.1 }
            broadcast:
              amplifier: { gpio: {{Amplifier}}, warmup: 0s, tail: 0s }
              zones: [ { id: village, gpio: {{Zone}} } ]
              audio: { sink: file, path: "{{Path.Combine(directory, "broadcast.wav")}}" }
              gap: 0s
              messages:
                alarm: { file: "{{message}}" }

            """);
        Directory.CreateDirectory(Path.Combine(directory, "data"));
        var path = Path.Combine(directory, "station.yaml");
        File.WriteAllText(path, yaml);
        return path;
    }
}
