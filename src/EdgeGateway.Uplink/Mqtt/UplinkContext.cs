using EdgeGateway.Core.Monitoring;
using EdgeGateway.Uplink.Payloads;
using Microsoft.Extensions.Logging;
using EdgeGateway.Uplink.Mqtt.Wire;

namespace EdgeGateway.Uplink.Mqtt;

/// <summary>
/// What the parts of the uplink share: the settings in force (swapped whole by a reload), the topics of the
/// current connection, where the connection stands, and where progress and storage faults are reported.
/// </summary>
internal sealed class UplinkContext(UplinkOptions options, TimeProvider time, ILogger logger)
{
    private volatile UplinkOptions _options = options;
    private volatile Topics _topics = new(options.Mqtt.Prefix, options.StationId);
    private volatile UplinkState _state = UplinkState.Starting;
    private volatile string? _lastError;
    private volatile BrokerConnection? _client;

    /// <summary>Swapped whole by a reload; the supervising loop reads it at each connect.</summary>
    public UplinkOptions Options
    {
        get => _options;
        set => _options = value;
    }

    /// <summary>Set at each connect from the prefix then in force.</summary>
    public Topics Topics
    {
        get => _topics;
        set => _topics = value;
    }

    public TimeProvider Time { get; } = time;

    /// <summary>
    /// The clock of the connection's own waits (connect and acknowledgement timeouts, keep-alive): the wall clock,
    /// as the broker's are, even when <see cref="Time"/> is simulated and runs fast.
    /// </summary>
    public TimeProvider NetworkTime { get; init; } = TimeProvider.System;

    public ILogger Logger { get; } = logger;

    public UplinkState State
    {
        get => _state;
        set => _state = value;
    }

    public string? LastError
    {
        get => _lastError;
        set => _lastError = value;
    }

    /// <summary>The connection to the broker, null between connections.</summary>
    public BrokerConnection? Client
    {
        get => _client;
        set => _client = value;
    }

    public DateTimeOffset? ConnectedSince { get; set; }

    /// <summary>Where the outbox and the command store report a disk that refuses writes; none when null.</summary>
    public StorageHealth? Storage { get; set; }

    /// <summary>The supervising loop's proof of progress to the station's watchdog, while it runs; none when null.</summary>
    public ILoopHeartbeat? Heartbeat { get; set; }
}
