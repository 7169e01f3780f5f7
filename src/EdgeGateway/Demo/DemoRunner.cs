using System.Device.Gpio;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeGateway.Configuration;
using EdgeGateway.Hardware.Gpio;
using EdgeGateway.Hosting;
using EdgeGateway.Hosting.Logging;
using EdgeGateway.Modbus.Simulation;
using EdgeGateway.Sl651;
using EdgeGateway.Sl651.Centre;
using EdgeGateway.Uplink;
using EdgeGateway.Uplink.Sl651;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace EdgeGateway.Demo;

/// <summary>What <c>edgegw demo</c> was asked for.</summary>
/// <param name="Speed">Simulated seconds per real second; null: fit the storm into <paramref name="Duration"/>.</param>
/// <param name="Duration">Real time the storm should take when no speed is given.</param>
/// <param name="OutDir">Where the station's files go; null: a new temporary directory.</param>
public sealed record DemoOptions(double? Speed, TimeSpan Duration, string? OutDir, bool Json)
{
    /// <summary>The station's log level (its log goes to station.log beside its files under the live view, to stderr otherwise).</summary>
    public StationLogLevel LogLevel { get; init; } = StationLogLevel.Warning;
}

/// <summary>
/// The whole job on one machine: an embedded broker standing in for the hub, the simulated gauges, the
/// station itself (the same host composition as <c>edgegw run</c>, its clock compressed), a typhoon that
/// raises and clears the alerts, a live view, and a verdict.
/// </summary>
public sealed class DemoRunner
{
    private static readonly TimeSpan TipClosed = TimeSpan.FromMilliseconds(150);
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(30);

    /// <summary>How often (storm time) the simulated radar and logger registers follow the storm: the river's poll period.</summary>
    private static readonly TimeSpan RegisterStep = TimeSpan.FromSeconds(5);
    private readonly DemoOptions _options;
    private readonly TextWriter _out;
    private readonly TextWriter _error;
    private readonly bool _terminal;

    public DemoRunner(DemoOptions options, TextWriter output, TextWriter error, bool terminal)
    {
        _options = options;
        _out = output;
        _error = error;
        _terminal = terminal;
    }

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var real = TimeProvider.System;
        var startedAt = real.GetTimestamp();
        var stormDuration = TyphoonScenario.DefaultDuration;
        var speed = _options.Speed ?? stormDuration / _options.Duration;
        var now = real.GetUtcNow();
        var stormStart = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, TimeSpan.Zero);
        var storm = TyphoonScenario.Create(stormStart, stormDuration);
        var directory = _options.OutDir ?? Directory.CreateTempSubdirectory("edgegw-demo-").FullName;

        await using var broker = await EmbeddedBroker.StartAsync(cancellationToken).ConfigureAwait(false);

        // The SL 651 path beside the MQTT one: a bench centre on loopback that confirms every report, as a
        // provincial platform's centre would.
        var sl651 = new Sl651Tally();
        await using var centre = new Sl651Centre(new IPEndPoint(IPAddress.Loopback, 0), new Sl651CentreOptions { OnFrame = sl651.Count, OnGarbage = sl651.Garbage });
        var centrePort = centre.Start().Port;

        // The river radar (slave 1) and the rain logger (slave 2): the Modbus slave simulator on loopback,
        // its registers following the storm. The station reads them over Modbus TCP as it would the real ones.
        var scenario = ModbusScenarioOf(storm, directory);
        var registers = new ModbusRegisterMap();
        await using var simulator = new ModbusSlaveSimulator(registers);
        var modbusPort = simulator.StartTcp(new IPEndPoint(IPAddress.Loopback, 0)).Port;
        var station = DemoStation.Create(directory, modbusPort, broker.Port, speed, sl651Port: centrePort);
        var loaded = StationConfigLoader.Load(station.ConfigPath);
        if (!loaded.IsValid)
        {
            foreach (var line in loaded.ErrorLines())
            {
                await _error.WriteLineAsync(line).ConfigureAwait(false);
            }

            return Cli.ExitCodes.Usage;
        }

        var config = loaded.Config!;
        if (!_options.Json)
        {
            await _out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"edgegw demo: typhoon, {stormDuration.TotalHours:0} h of storm at {speed:0.#}x (about {(stormDuration / speed).TotalSeconds:0} s); station files in {directory}")).ConfigureAwait(false);
        }

        await using var hub = await HubMonitor.ConnectAsync(EmbeddedBroker.Host, broker.Port, DemoStation.Prefix, DemoStation.StationId, real, cancellationToken)
            .ConfigureAwait(false);
        var clock = new ScaledTimeProvider(stormStart, speed);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);

        // Started with the clock, so register changes land at their storm time; the first values are set
        // before the station's first poll.
        var playing = ScenarioPlayer.PlayAsync(scenario, registers, 1, clock, cancellationToken: stop.Token);

        // The station exactly as `edgegw run` composes it, but reading the compressed clock. Its log (warning
        // and above unless --log-level) goes to stderr, or to station.log while the live view has the terminal.
        var builder = StationHost.CreateBuilder(config, station.ConfigPath, [], _options.LogLevel);
        builder.Services.Replace(ServiceDescriptor.Singleton<TimeProvider>(clock));
        ReplaceSl651Station(builder.Services, config, clock, speed);
        builder.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        if (_terminal)
        {
            // The live view redraws the whole terminal: the station's log goes to a file beside its other files.
            builder.Logging.ClearProviders();
            builder.Logging.Services.AddSingleton<ILoggerProvider>(sp => new DemoLogFile(
                station.LogPath, sp.GetServices<ConsoleFormatter>().First(f => f.Name == StationConsoleFormatter.FormatterName)));
        }

        using var host = builder.Build();
        await host.StartAsync(cancellationToken).ConfigureAwait(false);

        var failures = new List<string>();
        var gpio = host.Services.GetService<GpioSetup>()?.SimulatedDriver;
        var tips = gpio is null ? Task.CompletedTask : DriveTipsAsync(storm, gpio, clock, stop.Token);
        if (gpio is null)
        {
            failures.Add("the station composed no simulated GPIO chip: the rain gauge could not be driven");
        }

        var sensors = SensorInfos(config);
        var uplink = host.Services.GetService<IUplink>();
        try
        {
            await ShowStormAsync(hub, sensors, storm, clock, gpio, uplink, cancellationToken).ConfigureAwait(false);
            await DrainAsync(hub, gpio, uplink, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await tips.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await playing.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            using var stopping = new CancellationTokenSource(StationHost.ShutdownTimeout);
            await host.StopAsync(stopping.Token).ConfigureAwait(false);
        }

        if (simulator.RequestCountFor((byte)DemoStation.RiverSlave) == 0 || simulator.RequestCountFor((byte)DemoStation.LoggerSlave) == 0)
        {
            failures.Add("the station never polled the river radar and the rain logger over Modbus TCP");
        }

        var summary = Summarise(hub.Messages, station, stormStart, stormDuration, real.GetElapsedTime(startedAt), failures, sl651.Snapshot());
        if (_options.Json)
        {
            await _out.WriteLineAsync(ToJson(summary).ToJsonString(new JsonSerializerOptions { WriteIndented = true })).ConfigureAwait(false);
        }
        else
        {
            await _out.WriteAsync(DemoRenderer.Summary(summary)).ConfigureAwait(false);
            if (_terminal)
            {
                await _out.WriteLineAsync($"The station's log: {station.LogPath}").ConfigureAwait(false);
            }
        }

        return summary.Succeeded ? Cli.ExitCodes.Success : Cli.ExitCodes.Failure;
    }

    /// <summary>
    /// The SL 651 station as <c>edgegw run</c> composes it, but with its network timeouts and back-off in real time:
    /// on the compressed clock a 10 s confirmation timeout would be a few milliseconds, and a busy machine would
    /// reset links that are fine.
    /// </summary>
    private static void ReplaceSl651Station(IServiceCollection services, StationConfig config, TimeProvider clock, double speed)
    {
        if (Sl651Mapping.FromConfig(config) is not { } options)
        {
            return;
        }

        options.ConfirmTimeout *= speed;
        options.ConnectTimeout *= speed;
        options.Reconnect = new ReconnectOptions { Min = options.Reconnect.Min * speed, Max = options.Reconnect.Max * speed };
        services.Replace(ServiceDescriptor.Singleton(sp => new Sl651Station(options, clock, sp.GetRequiredService<ILogger<Sl651Station>>())));
    }

    /// <summary>
    /// The storm's river and logger registers as a simulator scenario in storm time (also written beside the
    /// station, where <c>edgegw sim modbus --scenario</c> can play it again).
    /// </summary>
    private static ModbusScenario ModbusScenarioOf(TyphoonScenario storm, string directory)
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        storm.WriteModbusScenario(writer, RegisterStep, 1, DemoStation.RiverSlave, DemoStation.RiverAddress, DemoStation.LoggerSlave, DemoStation.LoggerAddress);
        var text = writer.ToString();
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "typhoon-modbus.csv"), text);
        var scenario = ModbusScenario.Parse(text, "typhoon-modbus.csv", out var errors);
        return errors.Count == 0 ? scenario : throw new InvalidOperationException(string.Join(Environment.NewLine, errors));
    }

    /// <summary>Presses the tipping bucket's reed switch (line 17, active low) at every tip of the storm.</summary>
    private static async Task DriveTipsAsync(TyphoonScenario storm, SimulatedGpioDriver gpio, TimeProvider clock, CancellationToken cancellationToken)
    {
        gpio.SetInput(DemoStation.TipLine, PinValue.High);
        foreach (var tip in storm.Tips)
        {
            var wait = storm.Start + tip - clock.GetUtcNow();
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, clock, cancellationToken).ConfigureAwait(false);
            }

            gpio.SetInput(DemoStation.TipLine, PinValue.Low);
            await Task.Delay(TipClosed, clock, cancellationToken).ConfigureAwait(false);
            gpio.SetInput(DemoStation.TipLine, PinValue.High);
        }
    }

    private async Task ShowStormAsync(HubMonitor hub, IReadOnlyList<SensorInfo> sensors, TyphoonScenario storm, ScaledTimeProvider clock,
        SimulatedGpioDriver? gpio, IUplink? uplink, CancellationToken cancellationToken)
    {
        var end = storm.Start + storm.Duration;
        var period = _terminal ? TimeSpan.FromMilliseconds(250) : TimeSpan.FromSeconds(5);
        using var timer = new PeriodicTimer(period, TimeProvider.System);
        while (clock.GetUtcNow() < end)
        {
            if (!_options.Json)
            {
                var snapshot = Snapshot(hub.Messages, sensors, storm, clock, gpio, uplink);
                var frame = _terminal
                    ? "\u001b[H\u001b[J" + DemoRenderer.Frame(snapshot, Math.Max(80, SafeWidth()), color: true)
                    : DemoRenderer.Line(snapshot) + "\n";
                await _out.WriteAsync(frame).ConfigureAwait(false);
                await _out.FlushAsync(cancellationToken).ConfigureAwait(false);
            }

            await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>After the storm: lets the last broadcast finish and the outbox empty (bounded in real time).</summary>
    private static async Task DrainAsync(HubMonitor hub, SimulatedGpioDriver? gpio, IUplink? uplink, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(DrainTimeout);
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100), TimeProvider.System);
        try
        {
            while (await timer.WaitForNextTickAsync(deadline.Token).ConfigureAwait(false))
            {
                var idle = gpio is null || gpio.Peek(DemoStation.AmplifierLine) == PinValue.Low;
                var drained = uplink is null || uplink.Status.QueueDepth == 0;
                var (playing, _, _) = HubViewBuilder.Broadcasts(hub.Messages);
                if (idle && drained && playing is null)
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Bounded: the summary reports whatever did not finish.
        }
    }

    private static DemoSnapshot Snapshot(IReadOnlyList<HubMessage> messages, IReadOnlyList<SensorInfo> sensors, TyphoonScenario storm,
        ScaledTimeProvider clock, SimulatedGpioDriver? gpio, IUplink? uplink)
    {
        var now = clock.GetUtcNow();
        var (rules, stationLevel) = HubViewBuilder.Levels(messages);
        var (playing, played, _) = HubViewBuilder.Broadcasts(messages);
        var status = uplink?.Status;
        var statusMessage = messages.LastOrDefault(m => m.Kind == HubMessageKind.Status)?.Json?["state"]?.GetValue<string>();
        return new DemoSnapshot(
            DemoStation.StationId,
            now,
            now - storm.Start,
            storm.Duration,
            clock.Speed,
            stationLevel,
            HubViewBuilder.Sensors(messages, sensors, now),
            rules,
            new BroadcastView(playing,
                gpio?.Peek(DemoStation.AmplifierLine) == PinValue.High,
                gpio?.Peek(DemoStation.ZoneLine) == PinValue.High,
                played),
            new UplinkView(
                status?.State == UplinkState.Connected,
                status?.QueueDepth ?? 0,
                messages.Count(m => m.Kind == HubMessageKind.Alert),
                messages.Count(m => m.Kind == HubMessageKind.AlertCap),
                messages.Count(m => m.Kind == HubMessageKind.Event),
                messages.Count(m => m.Kind == HubMessageKind.Telemetry),
                statusMessage),
            HubViewBuilder.Log(messages, storm.Start));
    }

    /// <summary>The verdict: the storm raised and cleared the alerts, the broadcasts played, the hub got everything.</summary>
    internal static DemoSummary Summarise(IReadOnlyList<HubMessage> messages, DemoStation station, DateTimeOffset stormStart, TimeSpan stormDuration,
        TimeSpan realDuration, IReadOnlyList<string> earlierFailures, Sl651Confirmations? sl651 = null)
    {
        var failures = new List<string>(earlierFailures);
        var alerts = messages.Where(m => m.Kind == HubMessageKind.Alert).ToList();
        var stationAlerts = alerts.Where(m => m.Json?["scope"]?.GetValue<string>() == "station").ToList();
        var reached = stationAlerts.Select(m => m.Json?["to"]?.GetValue<string>()).ToHashSet();
        foreach (var level in new[] { "watch", "prepare", "evacuate" })
        {
            if (!reached.Contains(level))
            {
                failures.Add($"the station level never rose to {level}");
            }
        }

        var (rules, stationLevel) = HubViewBuilder.Levels(messages);
        if (stationAlerts.Count > 0 && stationLevel != "none")
        {
            failures.Add($"the station level ended at {stationLevel}, not none");
        }

        failures.AddRange(rules.Where(r => r.Level != "none").Select(r => $"rule {r.Id} ended at {r.Level}, not none"));
        var (_, played, failed) = HubViewBuilder.Broadcasts(messages);
        foreach (var message in new[] { "prepare", "evacuate", "all-clear" })
        {
            if (!played.Contains(message))
            {
                failures.Add($"the {message} broadcast was not played to the end");
            }
        }

        failures.AddRange(failed.Select(f => $"the {f} broadcast failed"));
        var caps = messages.Count(m => m.Kind == HubMessageKind.AlertCap);
        if (caps != alerts.Count)
        {
            failures.Add($"{alerts.Count} alerts but {caps} CAP documents");
        }

        var problems = new List<string>();
        var sequenced = messages.Where(m => m.Kind != HubMessageKind.Status).ToList();
        problems.AddRange(DeliveryCheck.DuplicateIds(sequenced).Select(id => $"message {id} arrived more than once"));
        problems.AddRange(DeliveryCheck.OutOfOrder(alerts).Select(p => $"alert seq {p.After} arrived after {p.Before}"));
        var missing = DeliveryCheck.MissingSeqs(sequenced);
        if (missing.Count > 0)
        {
            problems.Add($"{missing.Count} seq(s) never arrived, first {missing[0]}");
        }

        failures.AddRange(problems);
        var wav = File.Exists(station.WavPath) ? WavInfo.Duration(station.WavPath) : null;
        if (wav is not { } duration || duration <= TimeSpan.Zero)
        {
            failures.Add($"no broadcast audio in {station.WavPath}");
        }

        if (sl651 is not null)
        {
            // An hourly station over a storm of hours sends timed reports, and the storm changes levels.
            if (sl651.Timed == 0)
            {
                failures.Add("the SL 651 centre confirmed no timed report");
            }

            if (sl651.Add == 0)
            {
                failures.Add("the SL 651 centre confirmed no add report, though the levels changed");
            }

            if (sl651.Garbage > 0)
            {
                failures.Add($"the SL 651 centre dropped {sl651.Garbage} connection(s) for bytes that were not a frame");
            }
        }

        return new DemoSummary(
            DemoStation.StationId,
            stormDuration,
            realDuration,
            HubViewBuilder.Log(alerts, stormStart),
            played,
            alerts.Count,
            caps,
            messages.Count(m => m.Kind == HubMessageKind.Event),
            messages.Count(m => m.Kind == HubMessageKind.Telemetry),
            problems,
            File.Exists(station.WavPath) ? station.WavPath : null,
            wav ?? TimeSpan.Zero,
            failures,
            sl651);
    }

    private static JsonObject ToJson(DemoSummary summary) => new()
    {
        ["ok"] = summary.Succeeded,
        ["station"] = summary.StationId,
        ["stormSeconds"] = summary.StormDuration.TotalSeconds,
        ["realSeconds"] = Math.Round(summary.RealDuration.TotalSeconds, 1),
        ["transitions"] = new JsonArray([.. summary.Transitions.Select(t => (JsonNode?)JsonValue.Create(t))]),
        ["broadcastsPlayed"] = new JsonArray([.. summary.BroadcastsPlayed.Select(b => (JsonNode?)JsonValue.Create(b))]),
        ["delivered"] = new JsonObject
        {
            ["alerts"] = summary.AlertsDelivered,
            ["cap"] = summary.CapDocuments,
            ["events"] = summary.EventsDelivered,
            ["telemetry"] = summary.TelemetryDelivered,
            ["sl651"] = summary.Sl651 is { } sl651 ? new JsonObject { ["timed"] = sl651.Timed, ["add"] = sl651.Add } : null,
        },
        ["wav"] = summary.WavPath,
        ["wavSeconds"] = Math.Round(summary.WavDuration.TotalSeconds, 2),
        ["failures"] = new JsonArray([.. summary.Failures.Select(f => (JsonNode?)JsonValue.Create(f))]),
    };

    private static List<SensorInfo> SensorInfos(StationConfig config)
    {
        var list = new List<SensorInfo>();
        foreach (var s in config.Sensors.Where(s => s.Kind is SensorKind.WaterLevel or SensorKind.RainTotal or SensorKind.RainPulse))
        {
            var valueRule = config.Alerting.Rules.FirstOrDefault(r => r.Sensor == s.Id && r.Measure is { Kind: MeasureKind.Value } && r.Above is not null);
            var thresholds = valueRule?.Above?.Select(a => (a.Key, a.Value)).ToList() ?? [];
            list.Add(new SensorInfo(s.Id, s.Unit ?? "", s.Kind is SensorKind.RainTotal or SensorKind.RainPulse, thresholds));
        }

        return list;
    }

    private static int SafeWidth()
    {
        try
        {
            return Console.WindowWidth > 0 ? Console.WindowWidth : 100;
        }
        catch (IOException)
        {
            return 100;
        }
    }
}

/// <summary>What the demo's SL 651 centre confirmed, counted as frames arrive on its connections.</summary>
internal sealed class Sl651Tally
{
    private int _timed;
    private int _add;
    private int _garbage;

    public void Count(Sl651CentreFrame frame)
    {
        if (!frame.Confirmed)
        {
            return;
        }

        switch (frame.Frame.Function)
        {
            case Sl651Function.Timed:
                Interlocked.Increment(ref _timed);
                break;
            case Sl651Function.Add:
                Interlocked.Increment(ref _add);
                break;
        }
    }

    public void Garbage(Sl651CentreGarbage garbage) => Interlocked.Increment(ref _garbage);

    public Sl651Confirmations Snapshot() => new(Volatile.Read(ref _timed), Volatile.Read(ref _add), Volatile.Read(ref _garbage));
}
