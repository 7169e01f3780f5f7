namespace EdgeGateway.Hub.Storage;

/// <summary>What a message on <c>P/S/...</c> is, by the topic's suffix.</summary>
public enum MessageKind
{
    Telemetry,
    Alert,
    Cap,
    Event,
    CommandResult,
    Status,
}

/// <summary>
/// One uplink message as it arrived: the MQTT topic (dots of an AMQP routing key turned back), the bytes, and
/// the receiver's clock when the delivery arrived (stored as <c>received</c>; null: when its batch is written).
/// </summary>
public sealed record Incoming(string Topic, ReadOnlyMemory<byte> Body, DateTimeOffset? Received = null);

public sealed record ReadingRow(string Sensor, DateTimeOffset Time, double? Value, string? Unit, string Quality);

/// <summary>A parsed, well-formed uplink message.</summary>
public sealed class HubMessage
{
    public required MessageKind Kind { get; init; }
    public required string Station { get; init; }

    /// <summary>Null only for status (birth, heartbeat, will).</summary>
    public long? Seq { get; init; }

    public required Guid Id { get; init; }
    public required DateTimeOffset Time { get; init; }

    /// <summary>The payload as received (events keep it whole as jsonb; CAP keeps the XML).</summary>
    public required string Payload { get; init; }

    /// <summary>When the delivery reached the receiver (<see cref="Incoming.Received"/>); null: when its batch is written.</summary>
    public DateTimeOffset? Received { get; set; }

    // Alert
    public string? Scope { get; init; }
    public string? Rule { get; init; }
    public string? From { get; init; }
    public string? To { get; init; }
    public double? Value { get; init; }
    public double? Threshold { get; init; }
    public string? Severity { get; init; }

    // Event
    public string? Type { get; init; }
    public string? Source { get; init; }
    public string? Message { get; init; }
    public string? Data { get; init; }

    /// <summary>A seq-skipped event: seqs reserved before an unclean stop that will never come.</summary>
    public (long From, long To)? Skipped { get; init; }

    // Command result
    public string? Command { get; init; }
    public bool? Ok { get; init; }
    public string? Error { get; init; }
    public string? Warning { get; init; }

    // CAP
    public string? CapIdentifier { get; init; }
    public string? CapEvent { get; init; }

    // Status
    public string? State { get; init; }

    public IReadOnlyList<ReadingRow> Readings { get; init; } = [];
}

/// <summary>A message that cannot be stored as what it claims to be; kept with the reason.</summary>
public sealed record RejectedMessage(string Topic, ReadOnlyMemory<byte> Body, string Reason);
