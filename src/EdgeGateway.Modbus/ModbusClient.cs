using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using EdgeGateway.Modbus.Internal;
using EdgeGateway.Modbus.Transports;

namespace EdgeGateway.Modbus;

/// <summary>
/// The Modbus master: builds a request, frames it (RTU or MBAP), sends it on the transport and accepts only a
/// response that answers it exactly. See <see cref="IModbusClient"/> for the error model; one instance per bus
/// or TCP link, used by one caller at a time.
/// <para>
/// Per attempt: stale input is discarded, on RTU the line is left quiet for t3.5 since the last frame, the
/// request is sent, and the response is read with the cheap checks first (unit, function, byte count or MBAP
/// length) so a bad frame is refused as soon as it shows, before its CRC. After a bad RTU frame the line is
/// drained until it goes quiet (resynchronisation); after a bad TCP frame the connection is dropped, since
/// nothing after it can be trusted to be in step, and the next attempt reconnects.
/// </para>
/// <para>Steady-state requests allocate nothing: fixed buffers, pooled async state, a reused timeout source.</para>
/// </summary>
public sealed class ModbusClient : IModbusClient
{
    /// <summary>Largest RTU slave address; 0 is broadcast (writes only, no answer).</summary>
    public const byte MaxRtuSlave = 247;

    private const int BufferSize = 512;
    private const int MbapLength = 7;

    // A response whose transaction id is this close behind ours answers an earlier request that timed out:
    // it is skipped, not taken for a fault.
    private const int StaleTransactionWindow = 16;

    private readonly IModbusTransport _transport;
    private readonly ModbusFraming _framing;
    private readonly ModbusClientOptions _options;
    private readonly TimeProvider _time;
    private readonly byte[] _tx = new byte[BufferSize];
    private readonly byte[] _rx = new byte[BufferSize];
    private readonly int _pduOffset;
    private readonly TimeSpan _interCharacter;
    private readonly TimeSpan _t35;
    private readonly TimeSpan _characterTime;
    private CancellationTokenSource _timer;
    private long _attemptStart;
    private long _lineQuietSince;
    private ushort _transactionId;
    private int _pduLength;
    private bool _reusedConnection;
    private bool _responseStarted;
    private int _busy;
    private bool _disposed;

    public ModbusClient(IModbusTransport transport, ModbusFraming framing, ModbusClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(transport);
        if (!Enum.IsDefined(framing))
        {
            throw new ArgumentOutOfRangeException(nameof(framing));
        }

        options ??= new ModbusClientOptions();
        options.Validate();
        _transport = transport;
        _framing = framing;
        _options = options;
        _time = options.TimeProvider;
        _pduOffset = framing == ModbusFraming.Tcp ? MbapLength : 1;
        var timing = transport.Timing;
        _characterTime = timing.CharacterTime;
        _t35 = framing == ModbusFraming.Rtu ? timing.T35 : TimeSpan.Zero;
        _interCharacter = options.InterCharacterTimeout > timing.T15 ? options.InterCharacterTimeout : timing.T15;
        _timer = NewTimer();
        _lineQuietSince = _time.GetTimestamp();
    }

    /// <summary>Modbus TCP to <paramref name="host"/>:<paramref name="port"/>; connects on the first request.</summary>
    public static ModbusClient CreateTcp(string host, int port = TcpTransport.DefaultPort, ModbusClientOptions? options = null) =>
        new(new TcpTransport(host, port), ModbusFraming.Tcp, options);

    /// <summary>Modbus RTU on a serial line; opens the port on the first request.</summary>
    public static ModbusClient CreateRtu(SerialSettings settings, ModbusClientOptions? options = null) =>
        new(new SerialTransport(settings), ModbusFraming.Rtu, options);

    public string Endpoint => _transport.Name;

    public ModbusFraming Framing => _framing;

    public async Task<bool[]> ReadCoilsAsync(byte slave, ushort address, ushort count, CancellationToken cancellationToken = default)
    {
        CheckRange(address, count, Pdu.MaxReadBits);
        var values = new bool[count];
        await ReadBitsAsync(ModbusFunction.ReadCoils, slave, address, values, cancellationToken).ConfigureAwait(false);
        return values;
    }

    public async Task<bool[]> ReadDiscreteInputsAsync(byte slave, ushort address, ushort count, CancellationToken cancellationToken = default)
    {
        CheckRange(address, count, Pdu.MaxReadBits);
        var values = new bool[count];
        await ReadBitsAsync(ModbusFunction.ReadDiscreteInputs, slave, address, values, cancellationToken).ConfigureAwait(false);
        return values;
    }

    public async Task<ushort[]> ReadHoldingRegistersAsync(byte slave, ushort address, ushort count, CancellationToken cancellationToken = default)
    {
        CheckRange(address, count, Pdu.MaxReadRegisters);
        var values = new ushort[count];
        await ReadRegistersAsync(ModbusFunction.ReadHoldingRegisters, slave, address, values, cancellationToken).ConfigureAwait(false);
        return values;
    }

    public async Task<ushort[]> ReadInputRegistersAsync(byte slave, ushort address, ushort count, CancellationToken cancellationToken = default)
    {
        CheckRange(address, count, Pdu.MaxReadRegisters);
        var values = new ushort[count];
        await ReadRegistersAsync(ModbusFunction.ReadInputRegisters, slave, address, values, cancellationToken).ConfigureAwait(false);
        return values;
    }

    public ValueTask ReadCoilsAsync(byte slave, ushort address, Memory<bool> destination, CancellationToken cancellationToken = default) =>
        ReadBitsAsync(ModbusFunction.ReadCoils, slave, address, destination, cancellationToken);

    public ValueTask ReadDiscreteInputsAsync(byte slave, ushort address, Memory<bool> destination, CancellationToken cancellationToken = default) =>
        ReadBitsAsync(ModbusFunction.ReadDiscreteInputs, slave, address, destination, cancellationToken);

    public ValueTask ReadHoldingRegistersAsync(byte slave, ushort address, Memory<ushort> destination, CancellationToken cancellationToken = default) =>
        ReadRegistersAsync(ModbusFunction.ReadHoldingRegisters, slave, address, destination, cancellationToken);

    public ValueTask ReadInputRegistersAsync(byte slave, ushort address, Memory<ushort> destination, CancellationToken cancellationToken = default) =>
        ReadRegistersAsync(ModbusFunction.ReadInputRegisters, slave, address, destination, cancellationToken);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask WriteSingleCoilAsync(byte slave, ushort address, bool value, CancellationToken cancellationToken = default)
    {
        CheckSlave(slave, write: true);
        var length = Pdu.WriteSingleCoil(_tx.AsSpan(_pduOffset), address, value);
        await TransactAsync(slave, length, cancellationToken).ConfigureAwait(false);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask WriteSingleRegisterAsync(byte slave, ushort address, ushort value, CancellationToken cancellationToken = default)
    {
        CheckSlave(slave, write: true);
        var length = Pdu.WriteSingleRegister(_tx.AsSpan(_pduOffset), address, value);
        await TransactAsync(slave, length, cancellationToken).ConfigureAwait(false);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask WriteMultipleCoilsAsync(byte slave, ushort address, ReadOnlyMemory<bool> values, CancellationToken cancellationToken = default)
    {
        CheckSlave(slave, write: true);
        CheckRange(address, values.Length, Pdu.MaxWriteCoils);
        var length = Pdu.WriteMultipleCoils(_tx.AsSpan(_pduOffset), address, values.Span);
        await TransactAsync(slave, length, cancellationToken).ConfigureAwait(false);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask WriteMultipleRegistersAsync(byte slave, ushort address, ReadOnlyMemory<ushort> values, CancellationToken cancellationToken = default)
    {
        CheckSlave(slave, write: true);
        CheckRange(address, values.Length, Pdu.MaxWriteRegisters);
        var length = Pdu.WriteMultipleRegisters(_tx.AsSpan(_pduOffset), address, values.Span);
        await TransactAsync(slave, length, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await _transport.DisposeAsync().ConfigureAwait(false);
        _timer.Dispose();
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask ReadRegistersAsync(ModbusFunction function, byte slave, ushort address, Memory<ushort> destination, CancellationToken cancellationToken)
    {
        CheckSlave(slave, write: false);
        CheckRange(address, destination.Length, Pdu.MaxReadRegisters);
        var length = Pdu.WriteReadRequest(_tx.AsSpan(_pduOffset), function, address, (ushort)destination.Length);
        var response = await TransactAsync(slave, length, cancellationToken).ConfigureAwait(false);
        Pdu.ReadRegisters(_rx.AsSpan(response), destination.Span);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask ReadBitsAsync(ModbusFunction function, byte slave, ushort address, Memory<bool> destination, CancellationToken cancellationToken)
    {
        CheckSlave(slave, write: false);
        CheckRange(address, destination.Length, Pdu.MaxReadBits);
        var length = Pdu.WriteReadRequest(_tx.AsSpan(_pduOffset), function, address, (ushort)destination.Length);
        var response = await TransactAsync(slave, length, cancellationToken).ConfigureAwait(false);
        Pdu.ReadBits(_rx.AsSpan(response), destination.Span);
    }

    /// <summary>Sends the request PDU in the transmit buffer; returns where the validated response PDU lies in the receive buffer.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<Range> TransactAsync(byte slave, int pduLength, CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _busy, 1) != 0)
        {
            throw new InvalidOperationException("A Modbus client carries one request at a time; the caller must serialise requests.");
        }

        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            cancellationToken.ThrowIfCancellationRequested();
            _pduLength = pduLength;
            var freeReconnect = true;
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    return await AttemptAsync(slave, cancellationToken).ConfigureAwait(false);
                }
                catch (ModbusConnectionException) when (_reusedConnection && !_responseStarted && freeReconnect)
                {
                    // A kept-open connection the peer had closed (idle timeout, restart): reconnect once without
                    // spending a retry. The request never reached a live peer.
                    freeReconnect = false;
                    attempt--;
                }
                catch (ModbusException e) when (e is not ModbusExceptionResponse && attempt < _options.Retries)
                {
                    // Retried: timeouts, bad frames, lost connections.
                }
            }
        }
        finally
        {
            Volatile.Write(ref _busy, 0);
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<Range> AttemptAsync(byte slave, CancellationToken cancellationToken)
    {
        _attemptStart = _time.GetTimestamp();
        _responseStarted = false;
        ResetTimer();
        using var registration = cancellationToken.UnsafeRegister(static state => ((ModbusClient)state!).CancelTimer(), this);
        try
        {
            _reusedConnection = _transport.IsOpen && _transport.DiscardInput();
            if (!_reusedConnection)
            {
                // Connecting has its own budget; the request's starts when the line is open.
                await OpenAsync(cancellationToken).ConfigureAwait(false);
                _attemptStart = _time.GetTimestamp();
            }

            if (_t35 > TimeSpan.Zero)
            {
                var quiet = _time.GetElapsedTime(_lineQuietSince);
                if (quiet < _t35)
                {
                    await Task.Delay(_t35 - quiet, _time, cancellationToken).ConfigureAwait(false);
                }
            }

            var frame = FinishRequest(slave);
            await WriteAsync(frame, cancellationToken).ConfigureAwait(false);
            if (_framing == ModbusFraming.Rtu && slave == 0)
            {
                // Broadcast: no slave answers. The line is busy until the frame has left the UART.
                _lineQuietSince = _time.GetTimestamp() + (long)((_characterTime * frame.Length).TotalSeconds * _time.TimestampFrequency);
                return default;
            }

            return _framing == ModbusFraming.Tcp
                ? await ReceiveTcpAsync(slave, cancellationToken).ConfigureAwait(false)
                : await ReceiveRtuAsync(slave, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _timer.CancelAfter(Timeout.InfiniteTimeSpan);
        }
    }

    private async ValueTask OpenAsync(CancellationToken cancellationToken)
    {
        _timer.CancelAfter(_options.ConnectTimeout);
        try
        {
            await _transport.OpenAsync(_timer.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            _transport.Close();
            cancellationToken.ThrowIfCancellationRequested();
            throw new ModbusConnectionException($"cannot connect to {Endpoint} within {_options.ConnectTimeout.TotalMilliseconds:0.###} ms");
        }

        _lineQuietSince = _time.GetTimestamp();
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask WriteAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken)
    {
        var remaining = Remaining();
        if (remaining <= TimeSpan.Zero)
        {
            throw new ModbusTimeoutException(_options.Timeout);
        }

        _timer.CancelAfter(remaining);
        try
        {
            await _transport.WriteAsync(frame, _timer.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            cancellationToken.ThrowIfCancellationRequested();
            _transport.Close();
            throw new ModbusTimeoutException(_options.Timeout);
        }
    }

    /// <summary>Wraps the request PDU (already in the transmit buffer) in its ADU.</summary>
    private ReadOnlyMemory<byte> FinishRequest(byte slave)
    {
        var tx = _tx;
        if (_framing == ModbusFraming.Tcp)
        {
            _transactionId++;
            BinaryPrimitives.WriteUInt16BigEndian(tx, _transactionId);
            BinaryPrimitives.WriteUInt16BigEndian(tx.AsSpan(2), 0);
            BinaryPrimitives.WriteUInt16BigEndian(tx.AsSpan(4), (ushort)(_pduLength + 1));
            tx[6] = slave;
            return tx.AsMemory(0, MbapLength + _pduLength);
        }

        tx[0] = slave;
        var end = 1 + _pduLength;
        BinaryPrimitives.WriteUInt16LittleEndian(tx.AsSpan(end), ModbusCrc16.Compute(tx.AsSpan(0, end)));
        return tx.AsMemory(0, end + 2);
    }

    private ReadOnlySpan<byte> Request => _tx.AsSpan(_pduOffset, _pduLength);

    /// <summary>
    /// MBAP response: <c>[transaction hi lo] [protocol 0 0] [length hi lo] [unit] [PDU: length - 1 bytes]</c>.
    /// Protocol and length are judged before anything is read on the strength of them.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<Range> ReceiveTcpAsync(byte slave, CancellationToken cancellationToken)
    {
        try
        {
            var have = 0;
            while (true)
            {
                while (have < MbapLength + 1)
                {
                    have += await ReadSomeAsync(have, cancellationToken).ConfigureAwait(false);
                }

                var transaction = BinaryPrimitives.ReadUInt16BigEndian(_rx);
                var protocol = BinaryPrimitives.ReadUInt16BigEndian(_rx.AsSpan(2));
                var length = BinaryPrimitives.ReadUInt16BigEndian(_rx.AsSpan(4));
                if (protocol != 0)
                {
                    throw new ModbusFrameException(ModbusFrameError.BadProtocolId, $"protocol identifier {protocol}, expected 0");
                }

                if (length < 2 || length > Pdu.MaxLength + 1)
                {
                    throw new ModbusFrameException(ModbusFrameError.BadLength, $"MBAP length {length}, must be 2 to {Pdu.MaxLength + 1}");
                }

                var total = 6 + length;
                if (transaction != _transactionId)
                {
                    var behind = (ushort)(_transactionId - transaction);
                    if (behind > StaleTransactionWindow)
                    {
                        throw new ModbusFrameException(ModbusFrameError.WrongTransaction, $"transaction {transaction}, expected {_transactionId}");
                    }

                    // A late answer to an earlier request: skip it and keep waiting for ours.
                    while (have < total)
                    {
                        have += await ReadSomeAsync(have, cancellationToken).ConfigureAwait(false);
                    }

                    Buffer.BlockCopy(_rx, total, _rx, 0, have - total);
                    have -= total;
                    continue;
                }

                if (_rx[6] != slave)
                {
                    throw new ModbusFrameException(ModbusFrameError.WrongSlave, $"unit {_rx[6]}, expected {slave}");
                }

                int pduLength;
                while ((pduLength = Pdu.ResponseLength(Request, _rx.AsSpan(MbapLength, Math.Min(have, total) - MbapLength))) == 0)
                {
                    if (have >= total)
                    {
                        throw new ModbusFrameException(ModbusFrameError.BadLength, $"MBAP length {length} ends the frame too early");
                    }

                    have += await ReadSomeAsync(have, cancellationToken).ConfigureAwait(false);
                }

                if (length != pduLength + 1)
                {
                    throw new ModbusFrameException(ModbusFrameError.BadLength, $"MBAP length {length}, expected {pduLength + 1}");
                }

                while (have < total)
                {
                    have += await ReadSomeAsync(have, cancellationToken).ConfigureAwait(false);
                }

                Pdu.Validate(Request, _rx.AsSpan(MbapLength, pduLength));
                return new Range(MbapLength, total);
            }
        }
        catch (ModbusFrameException)
        {
            _transport.Close();
            throw;
        }
    }

    /// <summary>
    /// RTU response: <c>[slave] [PDU] [CRC lo] [CRC hi]</c>. The PDU's length follows from its function code and
    /// byte count, each checked against the request as soon as it arrives; the CRC is checked last.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<Range> ReceiveRtuAsync(byte slave, CancellationToken cancellationToken)
    {
        try
        {
            var have = await ReadSomeAsync(0, cancellationToken).ConfigureAwait(false);
            if (_rx[0] != slave)
            {
                throw new ModbusFrameException(ModbusFrameError.WrongSlave, $"slave {_rx[0]}, expected {slave}");
            }

            int pduLength;
            while ((pduLength = Pdu.ResponseLength(Request, _rx.AsSpan(1, have - 1))) == 0)
            {
                have += await ReadSomeAsync(have, cancellationToken).ConfigureAwait(false);
            }

            var total = 1 + pduLength + 2;
            while (have < total)
            {
                have += await ReadSomeAsync(have, cancellationToken).ConfigureAwait(false);
            }

            var crc = ModbusCrc16.Compute(_rx.AsSpan(0, total - 2));
            var received = BinaryPrimitives.ReadUInt16LittleEndian(_rx.AsSpan(total - 2));
            if (crc != received)
            {
                throw new ModbusFrameException(ModbusFrameError.BadCrc, $"CRC 0x{received:X4}, computed 0x{crc:X4}");
            }

            _lineQuietSince = _time.GetTimestamp();
            Pdu.Validate(Request, _rx.AsSpan(1, pduLength));
            return new Range(1, 1 + pduLength);
        }
        catch (ModbusFrameException)
        {
            await DrainAsync(cancellationToken).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Reads at least one byte after the <paramref name="have"/> already received. Before the first byte the
    /// attempt's whole remaining time applies; inside an RTU frame, the inter-character limit.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> ReadSomeAsync(int have, CancellationToken cancellationToken)
    {
        var remaining = Remaining();
        var limit = have > 0 && _framing == ModbusFraming.Rtu && _interCharacter < remaining ? _interCharacter : remaining;
        if (limit <= TimeSpan.Zero)
        {
            throw Expired(have);
        }

        _timer.CancelAfter(limit);
        int read;
        try
        {
            read = await _transport.ReadAsync(_rx.AsMemory(have), _timer.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            cancellationToken.ThrowIfCancellationRequested();
            throw Expired(have);
        }

        if (read == 0)
        {
            throw have == 0
                ? new ModbusConnectionException($"{Endpoint} closed the connection")
                : new ModbusFrameException(ModbusFrameError.Truncated, $"connection closed after {have} bytes of the frame");
        }

        _responseStarted = true;
        return read;
    }

    /// <summary>After a bad RTU frame: discard the rest of it until the line has been quiet for a while.</summary>
    private async ValueTask DrainAsync(CancellationToken cancellationToken)
    {
        var silence = _interCharacter > _t35 ? _interCharacter : _t35;
        var budget = Remaining();
        if (budget < silence)
        {
            budget = silence;
        }

        var start = _time.GetTimestamp();
        ResetTimer();
        while (_transport.IsOpen)
        {
            var left = budget - _time.GetElapsedTime(start);
            if (left <= TimeSpan.Zero)
            {
                break;
            }

            _timer.CancelAfter(left < silence ? left : silence);
            try
            {
                if (await _transport.ReadAsync(_rx, _timer.Token).ConfigureAwait(false) == 0)
                {
                    break;
                }
            }
            catch (OperationCanceledException)
            {
                cancellationToken.ThrowIfCancellationRequested();
                break;
            }
            catch (ModbusConnectionException)
            {
                break;
            }
        }

        _lineQuietSince = _time.GetTimestamp();
    }

    private ModbusException Expired(int have) => have == 0
        ? new ModbusTimeoutException(_options.Timeout)
        : new ModbusFrameException(ModbusFrameError.Truncated, $"frame stopped after {have} bytes");

    private TimeSpan Remaining() => _options.Timeout - _time.GetElapsedTime(_attemptStart);

    private CancellationTokenSource NewTimer()
    {
        // Created with a finite delay so its timer comes from the TimeProvider; CancelAfter then reuses that timer.
        var timer = new CancellationTokenSource(TimeSpan.FromDays(1), _time);
        timer.CancelAfter(Timeout.InfiniteTimeSpan);
        return timer;
    }

    private void ResetTimer()
    {
        if (!_timer.TryReset())
        {
            _timer.Dispose();
            _timer = NewTimer();
        }
    }

    private void CancelTimer()
    {
        try
        {
            _timer.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The attempt has finished and replaced its timer; nothing left to cancel.
        }
    }

    private void CheckSlave(byte slave, bool write)
    {
        if (_framing == ModbusFraming.Rtu && (slave > MaxRtuSlave || (slave == 0 && !write)))
        {
            throw new ArgumentOutOfRangeException(nameof(slave), slave, write
                ? "An RTU slave address is 1 to 247 (0 broadcasts a write)."
                : "An RTU slave address is 1 to 247.");
        }
    }

    private static void CheckRange(ushort address, int count, int max)
    {
        if (count < 1 || count > max)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, $"A request carries 1 to {max} items.");
        }

        if (address + count > 65536)
        {
            throw new ArgumentOutOfRangeException(nameof(address), address, "The range runs past address 65535.");
        }
    }
}
