namespace EdgeGateway.Modbus.Transports;

/// <summary>
/// A byte pipe to Modbus slaves: a TCP connection or a serial line. Framing (RTU or MBAP) is the client's;
/// the transport only moves bytes, so a framing can be exercised over any transport (RTU over TCP, or a
/// scripted transport in tests).
/// Implementations report I/O failures as <see cref="ModbusConnectionException"/> and honour cancellation
/// with <see cref="OperationCanceledException"/>. Like the client, a transport is used by one caller at a time.
/// </summary>
public interface IModbusTransport : IAsyncDisposable
{
    /// <summary>What the transport talks to, for messages: "127.0.0.1:502", "/dev/ttyUSB0".</summary>
    string Name { get; }

    bool IsOpen { get; }

    /// <summary>The line's character timing (serial lines); <see cref="RtuTiming.None"/> elsewhere.</summary>
    RtuTiming Timing { get; }

    /// <summary>Opens (connects) the transport. Called by the client when it is not open.</summary>
    ValueTask OpenAsync(CancellationToken cancellationToken);

    /// <summary>Drops the connection or closes the port; the next request opens it again.</summary>
    void Close();

    /// <summary>
    /// Drops whatever has arrived and not been read (a late answer to an earlier request, line noise).
    /// Returns false when this finds the connection closed by the peer, so the caller reopens it.
    /// </summary>
    bool DiscardInput();

    ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken);

    /// <summary>Reads what is available (at least one byte, waiting for it); 0 means the peer closed.</summary>
    ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken);
}
