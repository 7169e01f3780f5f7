using EdgeGateway.Core.Events;
using EdgeGateway.Core.Monitoring;
using EdgeGateway.Hardware.Audio;
using EdgeGateway.Broadcast;
using EdgeGateway.Hardware.Gpio;
using EdgeGateway.Hosting;
using EdgeGateway.Hosting.Watchdog;
using EdgeGateway.Tests.TestSupport;
using EdgeGateway.Uplink;
using EdgeGateway.Uplink.Mqtt;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace EdgeGateway.Tests.Hosting.Watchdog;

/// <summary>
/// The broadcaster's worker loop and the uplink's supervising loop as the station's watchdog sees them: a call that
/// never returns is named by <see cref="ProgressMonitor.FindStalled"/> once its allowance is spent; a loop that is
/// idle, backing off or playing a long message is not. The simulated clock moves only after the loop has beaten
/// (so its next wake-up exists); no test sleeps.
/// </summary>
public sealed class LoopCoverageTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 7, 1, 3, 0, 0, TimeSpan.Zero));
    private readonly ProgressMonitor _monitor;
    private readonly CountingLoops _loops;
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("edgegw-loops-");
    private readonly MqttConnectionOptions _mqtt = new() { Host = "127.0.0.1", ConnectTimeout = TimeSpan.FromSeconds(20) };

    public LoopCoverageTests()
    {
        _monitor = new ProgressMonitor(_time);
        _loops = new CountingLoops(new WatchdogLoops(_monitor));
    }

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public async Task Broadcaster_AudioSinkNeverReturns_NamedStalledOnceClipSlackAndSilenceAreSpent()
    {
        var sink = new ScriptedSink(_time, _loops) { Hang = true };
        await using var rig = await BroadcasterAsync(sink, TimeSpan.FromSeconds(1));

        rig.Controller.Enqueue(new BroadcastRequest { Message = "alarm" });
        var atEntry = await sink.Entered.Task.WaitAsync(Wait);
        await _loops.WaitForBeatAfterAsync(atEntry, Wait); // the playback's wait has begun (and its first wake-up exists)

        // A 1 s clip may take 1 s + WaitSlack: the loop beats through that, then falls silent.
        var allowance = TimeSpan.FromSeconds(1) + BroadcastController.WaitSlack;
        var lastBeat = await AdvanceWhileBeatingAsync(allowance, BroadcastController.BeatInterval);
        var stalledAt = await AdvanceUntilStalledAsync(lastBeat, BroadcastController.BeatInterval, BroadcastController.LoopMaxSilence);

        Assert.Equal("broadcast", Assert.Single(_monitor.FindStalled()).Name);
        Assert.True(stalledAt <= allowance + BroadcastController.LoopMaxSilence + BroadcastController.BeatInterval, $"named after {stalledAt}");
    }

    [Fact]
    public async Task Broadcaster_IdleThenPlayingAMinuteLongMessage_NeverStalled()
    {
        var sink = new ScriptedSink(_time, _loops);
        await using var rig = await BroadcasterAsync(sink, TimeSpan.FromSeconds(60));

        // Idle for two minutes: waiting for work is progress.
        await StepAndAssertHealthyAsync(TimeSpan.FromMinutes(2), BroadcastController.BeatInterval);

        rig.Controller.Enqueue(new BroadcastRequest { Message = "alarm", Repeat = 2 });
        var atEntry = await sink.Entered.Task.WaitAsync(Wait);
        await _loops.WaitForBeatAfterAsync(atEntry, Wait);

        // Two plays of a minute and the gap between them, far longer than the loop's 30 s allowance.
        await StepAndAssertHealthyAsync(TimeSpan.FromMinutes(3), BroadcastController.BeatInterval);
        Assert.Equal(2, sink.Plays);
        Assert.Equal(BroadcastPhase.Idle, rig.Controller.State.Phase);
    }

    [Fact]
    public async Task Uplink_PublishNeverAnswered_NamedStalledOnceTheClientTimeoutAndSilenceAreSpent()
    {
        await using var broker = await MosquittoBroker.StartAsync(Wait);
        using var uplink = Uplink(broker.Port);
        // The beat count at connection: the publisher starts after it, and beats once it waits for work.
        var connected = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        uplink.Connected += () => connected.TrySetResult(_loops.Beats);
        await uplink.StartAsync(CancellationToken.None);
        try
        {
            await WaitConnectedAsync(uplink, connected.Task);

            // The broker freezes: it keeps the connection open and never acknowledges anything again.
            await Signals.SendAsync(broker.ProcessId, "STOP");
            var before = _loops.Beats;
            uplink.EnqueueEvent(new StationEvent(StationEventTypes.SelfTest, _time.GetUtcNow(), "test", "frozen broker", null));

            // Woken for the event (a beat), handed it to the client and went back to waiting (a second beat).
            await _loops.WaitForBeatAfterAsync(before + 1, Wait);
            var allowance = UplinkWatchdog.CallAllowance(_mqtt);
            var lastBeat = await AdvanceWhileBeatingAsync(allowance, UplinkWatchdog.BeatInterval);
            var stalledAt = await AdvanceUntilStalledAsync(lastBeat, UplinkWatchdog.BeatInterval, UplinkWatchdog.MaxSilence);

            Assert.Equal("uplink", Assert.Single(_monitor.FindStalled()).Name);
            Assert.True(stalledAt <= allowance + UplinkWatchdog.MaxSilence + UplinkWatchdog.BeatInterval, $"named after {stalledAt}");
        }
        finally
        {
            await Signals.SendAsync(broker.ProcessId, "CONT");
            await uplink.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task Uplink_IdleConnectedOrBackingOffFromADeadBroker_NeverStalled()
    {
        MosquittoBroker? broker = await MosquittoBroker.StartAsync(Wait);
        var log = new DisconnectLogger();
        using var uplink = Uplink(broker.Port, log);
        // The beat count at connection: the publisher starts after it, and beats once it waits for work.
        var connected = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        uplink.Connected += () => connected.TrySetResult(_loops.Beats);
        await uplink.StartAsync(CancellationToken.None);
        try
        {
            await WaitConnectedAsync(uplink, connected.Task);
            await StepAndAssertHealthyAsync(TimeSpan.FromMinutes(2), UplinkWatchdog.BeatInterval);

            // The broker goes away: connecting fails at once and the loop backs off, beating through each wait.
            var gone = broker;
            broker = null;
            await gone.DisposeAsync();
            await log.Disconnected.Task.WaitAsync(Wait);
            await StepAndAssertHealthyAsync(TimeSpan.FromMinutes(3), UplinkWatchdog.BeatInterval);
            Assert.NotEqual(UplinkState.Connected, uplink.Status.State);
        }
        finally
        {
            await uplink.StopAsync(CancellationToken.None);
            if (broker is not null)
            {
                await broker.DisposeAsync();
            }
        }
    }

    [Fact]
    public void Composition_BroadcastAndUplinkWithTheWatchdog_BothReportToTheStationsMonitor()
    {
        var config = ExampleConfig.Valid(
            ("path: /var/lib/edge-gateway", "path: " + _dir.FullName),
            ("gpio: { driver: libgpiod, chip: gpiochip0 }", "gpio: { driver: simulated }"));
        var services = new ServiceCollection().AddLogging().AddStationWatchdog();
        services.AddBroadcast(config);
        services.AddUplink(UplinkMapping.FromConfig(config)!);
        using var provider = services.BuildServiceProvider();

        var loops = provider.GetRequiredService<ILoopMonitor>();
        Assert.IsType<WatchdogLoops>(loops);
        Assert.Same(loops, provider.GetRequiredService<BroadcastController>().Loops);
        Assert.Same(loops, provider.GetRequiredService<UplinkService>().Loops);
    }

    private async Task<BroadcasterRig> BroadcasterAsync(ScriptedSink sink, TimeSpan clipLength)
    {
        var wav = Path.Combine(_dir.FullName, "alarm.wav");
        WavFile.Write(wav, AudioClip.Silence(clipLength, "alarm"));
        var options = new BroadcastOptions
        {
            AmplifierPin = 5,
            Warmup = TimeSpan.Zero,
            Tail = TimeSpan.FromSeconds(1),
            Gap = TimeSpan.FromSeconds(3),
            SelfTestPeriod = TimeSpan.Zero,
            SpeechCacheDirectory = Path.Combine(_dir.FullName, "speech"),
        };
        options.Zones.Add(new ZoneOptions("village", 6));
        options.Messages["alarm"] = new MessageOptions(File: wav);
        options.Messages[BroadcastOptions.TestMessage] = new MessageOptions(File: wav);
        var gpio = GpioControllerFactory.Create(new GpioHardwareOptions(Simulated: true), _time);
        var controller = new BroadcastController(options, gpio.Controller, sink, new MessageLibrary(options, new SpeechRenderer(options.SpeechCacheDirectory)),
            new RecordingSinks(), _time, NullLogger<BroadcastController>.Instance)
        {
            Loops = _loops,
        };
        var rig = new BroadcasterRig(controller, gpio, sink);
        await controller.StartAsync(CancellationToken.None);
        await _loops.WaitForBeatAfterAsync(0, Wait); // registered and waiting for work
        return rig;
    }

    private async Task WaitConnectedAsync(UplinkService uplink, Task<long> connected)
    {
        long beats = 0;
        try
        {
            beats = await connected.WaitAsync(Wait);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"not connected: {uplink.Status.State} {uplink.Status.LastError}");
        }

        await _loops.WaitForBeatAfterAsync(beats, Wait);
    }

    private UplinkService Uplink(int port, ILogger<UplinkService>? logger = null)
    {
        var options = new UplinkOptions
        {
            StationId = "wz-oh-lilong-01",
            StoragePath = Path.Combine(_dir.FullName, "data"),
            Mqtt = _mqtt,
        };
        _mqtt.Port = port;
        Directory.CreateDirectory(options.StoragePath);
        return new UplinkService(options, _time, logger ?? NullLogger<UplinkService>.Instance) { Loops = _loops };
    }

    /// <summary>Moves the clock one interval at a time, each after the loop's beat, while within the allowance.</summary>
    /// <returns>The time of the last beat, from now.</returns>
    private async Task<TimeSpan> AdvanceWhileBeatingAsync(TimeSpan allowance, TimeSpan interval)
    {
        var elapsed = TimeSpan.Zero;
        while (elapsed + interval <= allowance)
        {
            var before = _loops.Beats;
            _time.Advance(interval);
            elapsed += interval;
            await _loops.WaitForBeatAfterAsync(before, Wait);
            Assert.Empty(_monitor.FindStalled());
        }

        return elapsed;
    }

    /// <summary>Moves the clock on with no beat to wait for; returns how long after the call began the loop was named.</summary>
    private Task<TimeSpan> AdvanceUntilStalledAsync(TimeSpan lastBeat, TimeSpan interval, TimeSpan maxSilence)
    {
        var elapsed = lastBeat;
        while (_monitor.FindStalled().Count == 0)
        {
            Assert.True(elapsed - lastBeat <= maxSilence, $"not named stalled after {elapsed - lastBeat} of silence");
            _time.Advance(interval);
            elapsed += interval;
        }

        // Not before its allowance: silence up to maxSilence is still health.
        Assert.True(elapsed - lastBeat > maxSilence, $"named stalled after only {elapsed - lastBeat} of silence");
        return Task.FromResult(elapsed);
    }

    private async Task StepAndAssertHealthyAsync(TimeSpan span, TimeSpan interval)
    {
        for (var elapsed = TimeSpan.Zero; elapsed < span; elapsed += interval)
        {
            var before = _loops.Beats;
            _time.Advance(interval);
            await _loops.WaitForBeatAfterAsync(before, Wait);
            Assert.Empty(_monitor.FindStalled());
        }
    }

    private sealed class BroadcasterRig(BroadcastController controller, GpioSetup gpio, ScriptedSink sink) : IAsyncDisposable
    {
        public BroadcastController Controller { get; } = controller;

        public async ValueTask DisposeAsync()
        {
            sink.Release();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await Controller.StopAsync(timeout.Token);
            Controller.Dispose();
            gpio.Dispose();
        }
    }

    /// <summary>The station's adapter over the monitor, counting beats so a test can wait for the next one.</summary>
    private sealed class CountingLoops(ILoopMonitor inner) : ILoopMonitor
    {
        private readonly Lock _gate = new();
        private readonly List<(long Target, TaskCompletionSource Done)> _waiters = [];
        private long _beats;

        public long Beats => Interlocked.Read(ref _beats);

        public ILoopHeartbeat Register(string name, TimeSpan maxSilence) => new Counted(inner.Register(name, maxSilence), this);

        /// <summary>Completes once the beat count exceeds <paramref name="count"/>.</summary>
        public Task WaitForBeatAfterAsync(long count, TimeSpan timeout)
        {
            lock (_gate)
            {
                if (_beats > count)
                {
                    return Task.CompletedTask;
                }

                var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiters.Add((count, done));
                return done.Task.WaitAsync(timeout);
            }
        }

        private void OnBeat()
        {
            lock (_gate)
            {
                _beats++;
                foreach (var waiter in _waiters.Where(w => _beats > w.Target).ToList())
                {
                    waiter.Done.TrySetResult();
                    _waiters.Remove(waiter);
                }
            }
        }

        private sealed class Counted(ILoopHeartbeat inner, CountingLoops owner) : ILoopHeartbeat
        {
            public void Beat()
            {
                inner.Beat();
                owner.OnBeat();
            }

            public void Dispose() => inner.Dispose();
        }
    }

    /// <summary>
    /// An audio sink on the simulated clock: plays take the clip's length, or (<see cref="Hang"/>) never return,
    /// whatever the cancellation, like a driver stuck in the kernel.
    /// </summary>
    private sealed class ScriptedSink(TimeProvider time, CountingLoops loops) : IAudioSink
    {
        private readonly TaskCompletionSource _never = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _plays;

        public bool Hang { get; init; }

        public int Plays => Volatile.Read(ref _plays);

        /// <summary>The beat count when the first play began.</summary>
        public TaskCompletionSource<long> Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string Description => "scripted";

        public void Release() => _never.TrySetResult();

        public Task PlayAsync(AudioClip clip, bool muted, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _plays);
            Entered.TrySetResult(loops.Beats);
            return Hang ? _never.Task : Task.Delay(clip.Duration, time, cancellationToken);
        }

        public Task PauseAsync(TimeSpan duration, CancellationToken cancellationToken) => Task.Delay(duration, time, cancellationToken);
    }

    /// <summary>Tells when the uplink has noticed that its connection is gone (its "Uplink disconnected" line).</summary>
    private sealed class DisconnectLogger : ILogger<UplinkService>
    {
        public TaskCompletionSource Disconnected { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (eventId.Id == 7004)
            {
                Disconnected.TrySetResult();
            }
        }
    }
}
