using System.Security.Cryptography;
using System.Text.Json;
using EdgeGateway.Core.Monitoring;
using EdgeGateway.Uplink.Commands;
using EdgeGateway.Uplink.Mqtt;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace EdgeGateway.Uplink.Tests.Mqtt;

/// <summary>Records what the station was told to do.</summary>
internal sealed class RecordingHandler : ICommandHandler
{
    private readonly TaskCompletionSource<StationCommand> _first = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public List<StationCommand> Handled { get; } = [];

    public Task<StationCommand> First => _first.Task;

    /// <summary>While set, each command waits for it (a busy station) after <see cref="Entered"/> is signalled.</summary>
    public TaskCompletionSource? Hold { get; set; }

    public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task<CommandOutcome> HandleAsync(StationCommand command, CancellationToken cancellationToken)
    {
        lock (Handled)
        {
            Handled.Add(command);
        }

        _first.TrySetResult(command);
        Entered.TrySetResult();
        if (Hold is { } hold)
        {
            await hold.Task.WaitAsync(cancellationToken);
        }

        return CommandOutcome.Success;
    }
}

/// <summary>An uplink service against a test broker, with a fast simulated clock and a hub key.</summary>
internal sealed class UplinkHarness : IAsyncDisposable
{
    public const string Station = "wz-oh-lilong-01";

    private readonly TempDirectory _dir = new();
    private readonly CancellationTokenSource _run = new();
    private bool _started;

    public UplinkHarness(int port, Action<UplinkOptions>? configure = null, bool withHandler = true)
    {
        Time = new FakeTimeProvider(TimeProvider.System.GetUtcNow());
        File.WriteAllText(_dir.File("hub-command.pub"), HubKey.ExportSubjectPublicKeyInfoPem());
        Options = new UplinkOptions
        {
            StationId = Station,
            StationName = "Lilong",
            StoragePath = _dir.File("data"),
            TelemetryPeriod = TimeSpan.FromSeconds(1),
            CommandKeyFile = _dir.File("hub-command.pub"),
            Mqtt = new MqttConnectionOptions { Host = "127.0.0.1", Port = port, Protocol = MqttProtocol.V5 },
            Reconnect = new ReconnectOptions
            {
                Min = TimeSpan.FromMilliseconds(500),
                Max = TimeSpan.FromSeconds(2),
                AuthFailure = TimeSpan.FromSeconds(5),
            },
            Outbox = new OutboxTuning { TelemetryFlushInterval = TimeSpan.FromSeconds(2) },
        };
        Options.SensorUnits["river-level"] = "m";
        Options.Levels = TestLevels.Standard;
        configure?.Invoke(Options);
        Handler = withHandler ? new RecordingHandler() : null;
        Storage = new StorageHealth(Time);
        Service = new UplinkService(Options, Time, NullLogger.Instance, Handler, DateTimeOffset.UnixEpoch.AddDays(1)) { Storage = Storage };
        Service.Connected += () => ConnectedOnce.TrySetResult();
        Clock = new ClockDriver(Time, TimeSpan.FromMilliseconds(10));
    }

    public FakeTimeProvider Time { get; }

    /// <summary>Where the outbox and the command store report write faults.</summary>
    public StorageHealth Storage { get; }

    public UplinkOptions Options { get; }

    public UplinkService Service { get; }

    public RecordingHandler? Handler { get; }

    public ClockDriver Clock { get; }

    public ECDsa HubKey { get; } = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public TaskCompletionSource ConnectedOnce { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Topic(string suffix) => $"{Options.Mqtt.Prefix}/{Station}/{suffix}";

    public async Task StartAsync()
    {
        _started = true;
        await Service.StartAsync(_run.Token);
    }

    public async Task WaitConnectedAsync(TimeSpan? timeout = null) =>
        await ConnectedOnce.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(30));

    public string Sign(string cmd = "broadcast", string? args = """{"message":"evacuate"}""", string aud = "*",
        DateTimeOffset? iat = null, TimeSpan? ttl = null, string? jti = null, ECDsa? key = null)
    {
        var issued = iat ?? Time.GetUtcNow();
        return CommandToken.Sign(key ?? HubKey, jti ?? Guid.NewGuid().ToString("N"), aud, issued,
            issued + (ttl ?? TimeSpan.FromMinutes(5)), cmd, args);
    }

    /// <summary>A message that carries a seq (not the status, not a command).</summary>
    public static bool IsSeqMessage(Subscriber.Received m) =>
        !m.Topic.EndsWith("/status", StringComparison.Ordinal) && !m.Topic.EndsWith("/cmd", StringComparison.Ordinal);

    public static long Seq(Subscriber.Received m)
    {
        if (m.Topic.EndsWith("/alert/cap", StringComparison.Ordinal))
        {
            var doc = System.Xml.Linq.XDocument.Parse(m.Payload);
            System.Xml.Linq.XNamespace cap = "urn:oasis:names:tc:emergency:cap:1.2";
            return long.Parse(doc.Descendants(cap + "parameter")
                .First(p => p.Element(cap + "valueName")!.Value == "seq").Element(cap + "value")!.Value,
                System.Globalization.CultureInfo.InvariantCulture);
        }

        using var json = JsonDocument.Parse(m.Payload);
        return json.RootElement.GetProperty("seq").GetInt64();
    }

    public static string Id(Subscriber.Received m)
    {
        if (m.Topic.EndsWith("/alert/cap", StringComparison.Ordinal))
        {
            System.Xml.Linq.XNamespace cap = "urn:oasis:names:tc:emergency:cap:1.2";
            return System.Xml.Linq.XDocument.Parse(m.Payload).Root!.Element(cap + "identifier")!.Value;
        }

        using var json = JsonDocument.Parse(m.Payload);
        return json.RootElement.GetProperty("id").GetString()!;
    }

    public async ValueTask DisposeAsync()
    {
        await Clock.DisposeAsync();
        if (_started)
        {
            await _run.CancelAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await Service.StopAsync(timeout.Token);
        }

        Service.Dispose();
        HubKey.Dispose();
        _run.Dispose();
        _dir.Dispose();
    }
}
