using System.Device.Gpio;
using System.Diagnostics;
using System.Globalization;
using EdgeGateway.Core.Alerting;
using EdgeGateway.Core.Events;
using EdgeGateway.Hardware.Audio;
using EdgeGateway.Broadcast;
using EdgeGateway.Hardware.Gpio;
using Microsoft.Extensions.Logging.Abstractions;

// Latency from a station level change (BroadcastController.OnStationLevelChanged, as the rule loop calls it)
// to the amplifier relay line being driven high, in-process, on the simulated GPIO chip behind the real
// GpioController. Beside it, the floor of the same path: waking a waiting task on the thread pool and
// writing one GPIO line. Usage: BroadcastLatency [ITERATIONS]
const int AmplifierPin = 5;
var iterations = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1000;
var dir = Directory.CreateTempSubdirectory("edgegw-bench-broadcast-").FullName;
try
{
    var clip = new short[AudioClip.SampleRate];
    WavFile.Write(Path.Combine(dir, "evacuate.wav"), new AudioClip("evacuate", clip));
    var options = new BroadcastOptions
    {
        AmplifierPin = AmplifierPin,
        Warmup = TimeSpan.FromSeconds(2),
        Tail = TimeSpan.FromSeconds(1),
        SelfTestPeriod = TimeSpan.Zero,
        SpeechCacheDirectory = Path.Combine(dir, "speech"),
    };
    options.Zones.Add(new ZoneOptions("village", 6));
    options.Messages["evacuate"] = new MessageOptions(File: Path.Combine(dir, "evacuate.wav"));
    options.Messages["test"] = new MessageOptions(File: Path.Combine(dir, "evacuate.wav"));
    options.Levels = new AlertLevels([new AlertLevel("evacuate") { Broadcast = new BroadcastCue("evacuate", 5) }]);
    var evacuate = options.Levels.Get("evacuate");

    var driver = new SimulatedGpioDriver(TimeProvider.System);
    using var gpio = new GpioController(driver);
    using var controller = new BroadcastController(options, gpio, new NullAudioSink(TimeProvider.System),
        new MessageLibrary(options, new SpeechRenderer(options.SpeechCacheDirectory)), new NoEvents(), TimeProvider.System,
        NullLogger<BroadcastController>.Instance);
    TaskCompletionSource<long> on = new(TaskCreationOptions.RunContinuationsAsynchronously);
    TaskCompletionSource off = new(TaskCreationOptions.RunContinuationsAsynchronously);
    driver.LineChanged += (_, change) =>
    {
        if (change.Pin != AmplifierPin)
        {
            return;
        }

        if (change.Value == PinValue.High)
        {
            on.TrySetResult(Stopwatch.GetTimestamp());
        }
        else
        {
            off.TrySetResult();
        }
    };
    await controller.StartAsync(CancellationToken.None);

    var latencies = new double[iterations];
    for (var i = -50; i < iterations; i++) // 50 untimed rounds: JIT and tiering
    {
        on = new(TaskCreationOptions.RunContinuationsAsynchronously);
        off = new(TaskCreationOptions.RunContinuationsAsynchronously);
        var start = Stopwatch.GetTimestamp();
        controller.OnStationLevelChanged(AlertLevels.None, evacuate);
        var high = await on.Task.WaitAsync(TimeSpan.FromSeconds(30));
        if (i >= 0)
        {
            latencies[i] = Stopwatch.GetElapsedTime(start, high).TotalMilliseconds;
        }

        controller.Stop();
        await off.Task.WaitAsync(TimeSpan.FromSeconds(30));
        while (!controller.State.IsIdle)
        {
            await Task.Yield();
        }
    }

    await controller.StopAsync(CancellationToken.None);

    // The floor: a task waiting on a signal is woken by another thread and writes a GPIO line.
    var floor = new double[iterations];
    gpio.OpenPin(20, PinMode.Output, PinValue.Low);
    for (var i = -50; i < iterations; i++)
    {
        var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var waiter = Task.Run(async () =>
        {
            await signal.Task;
            gpio.Write(20, PinValue.High);
            return Stopwatch.GetTimestamp();
        });
        await Task.Yield();
        var start = Stopwatch.GetTimestamp();
        signal.SetResult();
        var written = await waiter;
        if (i >= 0)
        {
            floor[i] = Stopwatch.GetElapsedTime(start, written).TotalMilliseconds;
        }

        gpio.Write(20, PinValue.Low);
    }

    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"machine: {Environment.ProcessorCount} cores, .NET {Environment.Version}, load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}"));
    Report("level change -> amplifier relay on", latencies, " (target < 10 ms)");
    Report("floor: thread-pool wake + GPIO write", floor, "");
}
finally
{
    Directory.Delete(dir, recursive: true);
}

static void Report(string label, double[] ms, string note)
{
    Array.Sort(ms);
    double P(double p) => ms[Math.Min(ms.Length - 1, (int)Math.Ceiling(p * ms.Length) - 1)];
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{label,-40} n={ms.Length}  median {P(0.5):0.000} ms  p99 {P(0.99):0.000} ms  max {ms[^1]:0.000} ms{note}"));
}

internal sealed class NoEvents : IStationEventSink
{
    public void Publish(StationEvent stationEvent)
    {
    }
}
