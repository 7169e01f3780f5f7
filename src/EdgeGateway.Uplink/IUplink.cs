using EdgeGateway.Core.Alerting;
using EdgeGateway.Core.Events;
using EdgeGateway.Core.Readings;

namespace EdgeGateway.Uplink;

/// <summary>Where the connection to the hub stands.</summary>
public enum UplinkState
{
    /// <summary>Not started yet.</summary>
    Starting,

    Connecting,
    Connected,

    /// <summary>Lost or refused; retrying with backoff.</summary>
    Disconnected,

    /// <summary>The broker refused our username/password or client certificate; retrying slowly.</summary>
    AuthFailed,

    /// <summary>A local part is missing or broken (password, CA, key file, storage); retrying slowly.</summary>
    Faulted,

    Stopped,
}

/// <summary>A step of an uplink message's way out (<see cref="Mqtt.UplinkService.MessageProgress"/>).</summary>
public enum UplinkMessageStep
{
    /// <summary>In the outbox (an urgent message durably).</summary>
    Stored,

    /// <summary>Handed to the MQTT client to publish.</summary>
    Publishing,

    /// <summary>Acknowledged by the broker (PUBACK).</summary>
    Acknowledged,
}

/// <summary>What <c>edgegw status</c> shows of the uplink.</summary>
public sealed record UplinkStatus(
    UplinkState State,
    long QueueDepth,
    long QueueBytes,
    long LastSeq,
    DateTimeOffset? ConnectedSince,
    string? LastError,
    bool CommandKeyLoaded,
    string? CommandKeyProblem = null);

/// <summary>
/// The station's side of the hub link. Every method returns at once and never throws: messages are
/// stored in the durable outbox and published when the broker can take them.
/// </summary>
public interface IUplink
{
    /// <summary>Readings for the next telemetry batch (sent every telemetry period).</summary>
    void EnqueueTelemetry(IEnumerable<Reading> readings);

    /// <summary>A level transition: the JSON alert and its CAP 1.2 document, both at once.</summary>
    void EnqueueAlert(LevelTransition transition, bool exercise = false);

    /// <summary>An event for <c>P/S/event</c>.</summary>
    void EnqueueEvent(StationEvent stationEvent);

    /// <summary>Supplies the health fields of the retained status message (birth and heartbeat).</summary>
    void SetHealthProvider(Func<IReadOnlyDictionary<string, object?>> provider);

    UplinkStatus Status { get; }
}
