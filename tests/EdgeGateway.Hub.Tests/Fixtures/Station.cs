using EdgeGateway.Core.Events;
using EdgeGateway.Uplink;
using EdgeGateway.Uplink.Mqtt;
using Microsoft.Extensions.Logging;

namespace EdgeGateway.Hub.Tests.Fixtures;

/// <summary>The real station uplink (outbox, seq, reconnect) speaking MQTT 3.1.1 to RabbitMQ's MQTT plugin.</summary>
internal sealed class Station : IAsyncDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("edgegw-hub-station-").FullName;
    private readonly CancellationTokenSource _run = new();

    public Station(string id, params int[] mqttPorts)
    {
        var options = new UplinkOptions
        {
            StationId = id,
            StoragePath = _dir,
            TelemetryPeriod = TimeSpan.FromMilliseconds(500),
            Mqtt = new MqttConnectionOptions { Protocol = MqttProtocol.V311 },
            Reconnect = new ReconnectOptions { Min = TimeSpan.FromMilliseconds(200), Max = TimeSpan.FromSeconds(1) },
            Outbox = new OutboxTuning { TelemetryFlushInterval = TimeSpan.FromMilliseconds(200) },
        };
        foreach (var port in mqttPorts)
        {
            options.Mqtt.Hosts.Add(new MqttEndpoint("127.0.0.1", port));
        }

        Service = new UplinkService(options, TimeProvider.System, new Logger<UplinkService>(new LogFactory(Log)));
        Service.Connected += () => Connected.TrySetResult();
    }

    public UplinkService Service { get; }

    public MemoryLog Log { get; } = new();

    public TaskCompletionSource Connected { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task StartAsync()
    {
        await Service.StartAsync(_run.Token);
        await Connected.Task.WaitAsync(TimeSpan.FromSeconds(60));
    }

    public void Event(int n) =>
        Service.EnqueueEvent(new StationEvent(StationEventTypes.OperatorAction, TimeProvider.System.GetUtcNow(), "test", $"event {n}"));

    private sealed class LogFactory(MemoryLog log) : ILoggerFactory
    {
        public void AddProvider(ILoggerProvider provider)
        {
        }

        public ILogger CreateLogger(string categoryName) => log;

        public void Dispose()
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _run.CancelAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await Service.StopAsync(timeout.Token);
        Service.Dispose();
        _run.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}
