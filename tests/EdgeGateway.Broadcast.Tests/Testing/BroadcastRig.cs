using System.Device.Gpio;
using EdgeGateway.Core.Alerting;
using EdgeGateway.Hardware.Audio;
using EdgeGateway.Hardware.Gpio;
using EdgeGateway.Hardware.Tests.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeGateway.Broadcast.Tests.Testing;

/// <summary>
/// A broadcast controller on the simulated GPIO chip behind the real <see cref="GpioController"/>, playing
/// into a real WAV timeline, on a <see cref="TestClock"/>. Messages are tones whose frequency tells them
/// apart: prepare 440 Hz (1.5 s), evacuate 880 Hz (2 s), all-clear 330 Hz (1 s), test 550 Hz (0.5 s),
/// hub 990 Hz (1 s).
/// </summary>
internal sealed class BroadcastRig : IAsyncDisposable
{
    public const int AmplifierPin = 5;
    public const int VillagePin = 6;
    public const int SchoolPin = 13;

    public static readonly TimeSpan Warmup = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan Tail = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan Gap = TimeSpan.FromSeconds(3);
    public static readonly TimeSpan PrepareLength = TimeSpan.FromSeconds(1.5);
    public static readonly TimeSpan EvacuateLength = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan AllClearLength = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan TestLength = TimeSpan.FromSeconds(0.5);
    public static readonly TimeSpan HubLength = TimeSpan.FromSeconds(1);

    public const double PrepareHz = 440;
    public const double EvacuateHz = 880;
    public const double AllClearHz = 330;
    public const double TestHz = 550;
    public const double HubHz = 990;

    private bool _started;

    /// <param name="speechExecutable">The espeak-ng to run; a path that does not exist makes speech unavailable.</param>
    public BroadcastRig(Action<BroadcastOptions>? configure = null, Func<IAudioSink, IAudioSink>? wrapSink = null, TimeProvider? time = null, string speechExecutable = "espeak-ng")
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("edgegw-broadcast-").FullName;
        Clock = new TestClock();
        Time = time ?? Clock;
        Driver = new SimulatedGpioDriver(Time);
        Gpio = new GpioController(Driver);
        Options = new BroadcastOptions
        {
            AmplifierPin = AmplifierPin,
            Warmup = Warmup,
            Tail = Tail,
            Gap = Gap,
            SelfTestPeriod = TimeSpan.Zero,
            SirenDuration = TimeSpan.FromSeconds(4),
            SpeechCacheDirectory = Path.Combine(Directory, "speech"),
        };
        Options.Zones.Add(new ZoneOptions("village", VillagePin));
        Options.Zones.Add(new ZoneOptions("school", SchoolPin));
        Options.Messages["prepare"] = new MessageOptions(File: Tones.WriteSine(Path.Combine(Directory, "prepare.wav"), PrepareHz, PrepareLength));
        Options.Messages["evacuate"] = new MessageOptions(File: Tones.WriteSine(Path.Combine(Directory, "evacuate.wav"), EvacuateHz, EvacuateLength));
        Options.Messages["all-clear"] = new MessageOptions(File: Tones.WriteSine(Path.Combine(Directory, "all-clear.wav"), AllClearHz, AllClearLength));
        Options.Messages["test"] = new MessageOptions(File: Tones.WriteSine(Path.Combine(Directory, "test.wav"), TestHz, TestLength));
        Options.Messages["hub"] = new MessageOptions(File: Tones.WriteSine(Path.Combine(Directory, "hub.wav"), HubHz, HubLength));
        Options.Levels = new AlertLevels(
        [
            new AlertLevel("watch"),
            new AlertLevel("prepare") { Broadcast = new BroadcastCue("prepare", 3) },
            new AlertLevel("evacuate") { Broadcast = new BroadcastCue("evacuate", 5) },
        ]);
        Options.AllClear = new BroadcastCue("all-clear", 2);
        configure?.Invoke(Options);
        TimelinePath = Path.Combine(Directory, "timeline.wav");
        FileSink = new FileAudioSink(TimelinePath, Time);
        Sink = wrapSink?.Invoke(FileSink) ?? FileSink;
        Events = new RecordingSinks();
        Controller = new BroadcastController(
            Options,
            Gpio,
            Sink,
            new MessageLibrary(Options, new SpeechRenderer(Options.SpeechCacheDirectory, speechExecutable)),
            Events,
            Time,
            NullLogger<BroadcastController>.Instance);
    }

    public string Directory { get; }

    public TestClock Clock { get; }

    public TimeProvider Time { get; }

    public SimulatedGpioDriver Driver { get; }

    public GpioController Gpio { get; }

    public BroadcastOptions Options { get; }

    public string TimelinePath { get; }

    public FileAudioSink FileSink { get; }

    public IAudioSink Sink { get; }

    public RecordingSinks Events { get; }

    public BroadcastController Controller { get; }

    public bool AmplifierOn => Driver.Peek(AmplifierPin) == PinValue.High;

    public bool AnyZoneOn => Driver.Peek(VillagePin) == PinValue.High || Driver.Peek(SchoolPin) == PinValue.High;

    public async Task<BroadcastRig> StartAsync()
    {
        await Controller.StartAsync(CancellationToken.None);
        _started = true;
        return this;
    }

    /// <summary>Stops the controller as the host does on SIGTERM.</summary>
    public async Task StopHostAsync()
    {
        _started = false;
        await Controller.StopAsync(CancellationToken.None);
    }

    /// <summary>Runs the clock until the controller is idle again (relays off, nothing queued).</summary>
    public Task RunUntilIdleAsync() => Clock.RunUntilAsync(() => Controller.State.IsIdle, what: "broadcast idle");

    public Task RunUntilAsync(Func<bool> done, string what) => Clock.RunUntilAsync(done, what: what);

    /// <summary>Output writes that changed a relay line, in order, as (pin, on, time since the epoch).</summary>
    public IReadOnlyList<(int Pin, bool On, TimeSpan At)> RelayChanges()
    {
        var last = new Dictionary<int, PinValue>();
        var changes = new List<(int, bool, TimeSpan)>();
        foreach (var write in Driver.OutputHistory)
        {
            if (last.TryGetValue(write.Pin, out var previous) ? previous != write.Value : write.Value == PinValue.High)
            {
                changes.Add((write.Pin, write.Value == PinValue.High, write.Time - TestClock.Epoch));
            }

            last[write.Pin] = write.Value;
        }

        return changes;
    }

    public IReadOnlyList<Segment> Segments() => File.Exists(TimelinePath) ? Timeline.Segments(TimelinePath) : [];

    public IReadOnlyList<Segment> Sounds() => [.. Segments().Where(s => s.Sound)];

    public async ValueTask DisposeAsync()
    {
        if (_started)
        {
            await Controller.StopAsync(CancellationToken.None);
        }

        Controller.Dispose();
        Gpio.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
