namespace EdgeGateway.Modbus;

/// <summary>
/// A Modbus master on one connection (a serial bus or a TCP link).
/// <para>
/// Not thread-safe, by design: one bus carries one transaction at a time, so the caller (the bus scheduler)
/// serialises requests; overlapping calls on one client fail with <see cref="InvalidOperationException"/>.
/// </para>
/// <para>
/// Errors: <see cref="ModbusTimeoutException"/> (no answer), <see cref="ModbusFrameException"/> (a bad frame,
/// with its reason), <see cref="ModbusExceptionResponse"/> (the slave refused, with code and name),
/// <see cref="ModbusConnectionException"/> (the port or connection cannot be used). Timeouts and bad frames are
/// retried as configured; exception responses are not. Arguments out of the protocol's range throw
/// <see cref="ArgumentOutOfRangeException"/>; the caller's cancellation throws
/// <see cref="OperationCanceledException"/>.
/// </para>
/// </summary>
public interface IModbusClient : IAsyncDisposable
{
    /// <summary>What the client talks to, for messages: "127.0.0.1:502", "/dev/ttyUSB0".</summary>
    string Endpoint { get; }

    /// <summary>FC01: <paramref name="count"/> coils (1 to 2000) from <paramref name="address"/>.</summary>
    Task<bool[]> ReadCoilsAsync(byte slave, ushort address, ushort count, CancellationToken cancellationToken = default);

    /// <summary>FC02: <paramref name="count"/> discrete inputs (1 to 2000).</summary>
    Task<bool[]> ReadDiscreteInputsAsync(byte slave, ushort address, ushort count, CancellationToken cancellationToken = default);

    /// <summary>FC03: <paramref name="count"/> holding registers (1 to 125).</summary>
    Task<ushort[]> ReadHoldingRegistersAsync(byte slave, ushort address, ushort count, CancellationToken cancellationToken = default);

    /// <summary>FC04: <paramref name="count"/> input registers (1 to 125).</summary>
    Task<ushort[]> ReadInputRegistersAsync(byte slave, ushort address, ushort count, CancellationToken cancellationToken = default);

    /// <summary>FC01 into a caller's buffer: as many coils as it holds. No allocation per request.</summary>
    ValueTask ReadCoilsAsync(byte slave, ushort address, Memory<bool> destination, CancellationToken cancellationToken = default);

    /// <summary>FC02 into a caller's buffer.</summary>
    ValueTask ReadDiscreteInputsAsync(byte slave, ushort address, Memory<bool> destination, CancellationToken cancellationToken = default);

    /// <summary>FC03 into a caller's buffer: as many registers as it holds. No allocation per request.</summary>
    ValueTask ReadHoldingRegistersAsync(byte slave, ushort address, Memory<ushort> destination, CancellationToken cancellationToken = default);

    /// <summary>FC04 into a caller's buffer.</summary>
    ValueTask ReadInputRegistersAsync(byte slave, ushort address, Memory<ushort> destination, CancellationToken cancellationToken = default);

    /// <summary>FC05.</summary>
    ValueTask WriteSingleCoilAsync(byte slave, ushort address, bool value, CancellationToken cancellationToken = default);

    /// <summary>FC06.</summary>
    ValueTask WriteSingleRegisterAsync(byte slave, ushort address, ushort value, CancellationToken cancellationToken = default);

    /// <summary>FC15: 1 to 1968 coils.</summary>
    ValueTask WriteMultipleCoilsAsync(byte slave, ushort address, ReadOnlyMemory<bool> values, CancellationToken cancellationToken = default);

    /// <summary>FC16: 1 to 123 registers.</summary>
    ValueTask WriteMultipleRegistersAsync(byte slave, ushort address, ReadOnlyMemory<ushort> values, CancellationToken cancellationToken = default);
}
