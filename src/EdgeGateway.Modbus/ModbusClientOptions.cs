namespace EdgeGateway.Modbus;

/// <summary>Per-connection settings of a <see cref="ModbusClient"/>.</summary>
public sealed class ModbusClientOptions
{
    /// <summary>Default <see cref="Timeout"/>: 1 second.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(1);

    /// <summary>Default <see cref="ConnectTimeout"/>: 2 seconds.</summary>
    public static readonly TimeSpan DefaultConnectTimeout = TimeSpan.FromSeconds(2);

    /// <summary>Default <see cref="InterCharacterTimeout"/>: 100 ms.</summary>
    public static readonly TimeSpan DefaultInterCharacterTimeout = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// The time one attempt may take, from sending the request to the last byte of the response. Default 1 s.
    /// </summary>
    public TimeSpan Timeout { get; init; } = DefaultTimeout;

    /// <summary>
    /// The time to open the connection (TCP connect, serial port open) when a request finds it closed; the
    /// request's own <see cref="Timeout"/> starts once it is open. Default 2 s.
    /// </summary>
    public TimeSpan ConnectTimeout { get; init; } = DefaultConnectTimeout;

    /// <summary>
    /// How many more attempts after a timeout or bad frame (default 0: report the first failure).
    /// Exception responses are answers and are never retried.
    /// </summary>
    public int Retries { get; init; }

    /// <summary>
    /// RTU: the longest gap allowed inside a response frame, and the silence that ends a drain after a bad frame.
    /// The specification's t1.5 (0.75 ms above 19200 baud) is far below what a Linux serial driver or USB
    /// adapter delivers (they hand bytes over in bursts every few milliseconds), so the gap allowed is this
    /// value, and never less than t1.5. Default 100 ms.
    /// </summary>
    public TimeSpan InterCharacterTimeout { get; init; } = DefaultInterCharacterTimeout;

    /// <summary>The clock for timeouts and inter-frame delays.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(Timeout, TimeSpan.Zero, nameof(Timeout));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ConnectTimeout, TimeSpan.Zero, nameof(ConnectTimeout));
        ArgumentOutOfRangeException.ThrowIfNegative(Retries, nameof(Retries));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(InterCharacterTimeout, TimeSpan.Zero, nameof(InterCharacterTimeout));
        ArgumentNullException.ThrowIfNull(TimeProvider);
    }
}
