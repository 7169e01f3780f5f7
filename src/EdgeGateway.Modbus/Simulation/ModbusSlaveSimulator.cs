using System.Buffers.Binary;
using System.IO.Ports;
using System.Net;
using System.Net.Sockets;
using EdgeGateway.Modbus.Internal;
using EdgeGateway.Modbus.Transports;

namespace EdgeGateway.Modbus.Simulation;

/// <summary>
/// A Modbus slave simulator: serves the slaves of a <see cref="ModbusRegisterMap"/> over Modbus TCP and/or RTU
/// on a serial port (or pty), and counts the requests it receives, so a test can tell how many transactions
/// a master needed. Requests for a slave that is not in the map, or is <see cref="SimulatedSlave.Silent"/>, get no
/// answer; RTU frames with a bad CRC are dropped, as a real slave drops them.
/// </summary>
public sealed class ModbusSlaveSimulator : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _servers = [];
    private readonly List<IDisposable> _resources = [];
    private readonly long[] _requestsBySlave = new long[256];
    private readonly Lock _waitersLock = new();
    private readonly List<(long Count, TaskCompletionSource Done)> _waiters = [];
    private long _requests;

    public ModbusSlaveSimulator(ModbusRegisterMap map)
    {
        ArgumentNullException.ThrowIfNull(map);
        Map = map;
    }

    public ModbusRegisterMap Map { get; }

    /// <summary>Well-framed requests received so far, answered or not.</summary>
    public long RequestCount => Interlocked.Read(ref _requests);

    /// <summary>Well-framed requests received for one slave address.</summary>
    public long RequestCountFor(byte slave) => Interlocked.Read(ref _requestsBySlave[slave]);

    /// <summary>Completes once <see cref="RequestCount"/> has reached <paramref name="count"/>.</summary>
    public Task WaitForRequestsAsync(long count, CancellationToken cancellationToken = default)
    {
        lock (_waitersLock)
        {
            if (RequestCount >= count)
            {
                return Task.CompletedTask;
            }

            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((count, done));
            return done.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Listens for Modbus TCP on <paramref name="endpoint"/> (port 0: any free port); returns where it listens.</summary>
    public IPEndPoint StartTcp(IPEndPoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var listener = new TcpListener(endpoint);
        listener.Start();
        _resources.Add(new ListenerStopper(listener));
        _servers.Add(AcceptAsync(listener, _stop.Token));
        return (IPEndPoint)listener.LocalEndpoint;
    }

    /// <summary>Serves Modbus RTU on a serial port. Throws <see cref="ModbusConnectionException"/> if it cannot be opened.</summary>
    public void StartRtu(SerialSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var port = new SerialPort(settings.Device, settings.BaudRate, settings.Parity, 8, settings.StopBits) { Handshake = Handshake.None };
        try
        {
            port.Open();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException)
        {
            port.Dispose();
            throw new ModbusConnectionException($"cannot open {settings.Device}: {e.Message}", e);
        }

        _resources.Add(port);
        var silence = settings.Timing.T35 > TimeSpan.FromMilliseconds(20) ? settings.Timing.T35 : TimeSpan.FromMilliseconds(20);
        _servers.Add(Task.Run(() => ServeRtuAsync(port.BaseStream, silence, _stop.Token)));
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        foreach (var resource in _resources)
        {
            resource.Dispose();
        }

        try
        {
            await Task.WhenAll(_servers).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            // Stopping: the servers end by cancellation or by their port being closed under them.
        }

        _stop.Dispose();
    }

    private void Count(byte slave)
    {
        Interlocked.Increment(ref _requestsBySlave[slave]);
        var total = Interlocked.Increment(ref _requests);
        lock (_waitersLock)
        {
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (total >= _waiters[i].Count)
                {
                    _waiters[i].Done.TrySetResult();
                    _waiters.RemoveAt(i);
                }
            }
        }
    }

    private async Task AcceptAsync(TcpListener listener, CancellationToken cancellationToken)
    {
        var connections = new List<Task>();
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var socket = await listener.AcceptSocketAsync(cancellationToken).ConfigureAwait(false);
                socket.NoDelay = true;
                connections.Add(ServeTcpAsync(socket, cancellationToken));
                connections.RemoveAll(t => t.IsCompleted);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }

        await Task.WhenAll(connections).ConfigureAwait(false);
    }

    /// <summary>One TCP client: MBAP requests in, MBAP responses out. A connection that breaks MBAP framing is closed.</summary>
    private async Task ServeTcpAsync(Socket socket, CancellationToken cancellationToken)
    {
        using var registration = cancellationToken.Register(socket.Dispose);
        using (socket)
        {
            var request = new byte[260];
            var response = new byte[260];
            try
            {
                while (true)
                {
                    if (!await ReceiveExactlyAsync(socket, request.AsMemory(0, 7), cancellationToken).ConfigureAwait(false))
                    {
                        return;
                    }

                    var protocol = BinaryPrimitives.ReadUInt16BigEndian(request.AsSpan(2));
                    var length = BinaryPrimitives.ReadUInt16BigEndian(request.AsSpan(4));
                    if (protocol != 0 || length < 2 || length > Pdu.MaxLength + 1)
                    {
                        return;
                    }

                    if (!await ReceiveExactlyAsync(socket, request.AsMemory(7, length - 1), cancellationToken).ConfigureAwait(false))
                    {
                        return;
                    }

                    var unit = request[6];
                    Count(unit);
                    var pduLength = SlaveRequestHandler.Handle(Map, unit, request.AsSpan(7, length - 1), response.AsSpan(7));
                    if (pduLength == 0)
                    {
                        continue;
                    }

                    request.AsSpan(0, 4).CopyTo(response);
                    BinaryPrimitives.WriteUInt16BigEndian(response.AsSpan(4), (ushort)(pduLength + 1));
                    response[6] = unit;
                    await socket.SendAsync(response.AsMemory(0, 7 + pduLength), SocketFlags.None, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                // The client went away, or the simulator is stopping.
            }
        }
    }

    private static async Task<bool> ReceiveExactlyAsync(Socket socket, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        while (!buffer.IsEmpty)
        {
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return false;
            }

            buffer = buffer[read..];
        }

        return true;
    }

    /// <summary>
    /// RTU: a request's length follows from its function code (and byte count); a frame that cannot be a request
    /// or fails its CRC is dropped along with whatever follows it until the line goes quiet.
    /// </summary>
    private async Task ServeRtuAsync(Stream stream, TimeSpan silence, CancellationToken cancellationToken)
    {
        var buffer = new byte[512];
        var response = new byte[256];
        var have = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            if (have == 0)
            {
                have = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
                continue;
            }

            var length = SlaveRequestHandler.RtuRequestLength(buffer.AsSpan(0, have));
            if (length < 0 || length > 256)
            {
                await DrainAsync(stream, buffer, silence, cancellationToken).ConfigureAwait(false);
                have = 0;
                continue;
            }

            if (length == 0 || have < length)
            {
                var read = await ReadWithinAsync(stream, buffer.AsMemory(have), silence, cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    have = 0; // A gap inside the frame: it is incomplete, drop it.
                }

                have += read;
                continue;
            }

            var frame = buffer.AsSpan(0, length);
            if (ModbusCrc16.Compute(frame[..^2]) == BinaryPrimitives.ReadUInt16LittleEndian(frame[^2..]))
            {
                var slave = frame[0];
                Count(slave);
                var pduLength = SlaveRequestHandler.Handle(Map, slave, frame[1..^2], response.AsSpan(1));
                if (pduLength > 0 && slave != 0)
                {
                    response[0] = slave;
                    BinaryPrimitives.WriteUInt16LittleEndian(response.AsSpan(1 + pduLength), ModbusCrc16.Compute(response.AsSpan(0, 1 + pduLength)));
                    await stream.WriteAsync(response.AsMemory(0, 3 + pduLength), cancellationToken).ConfigureAwait(false);
                }

                Buffer.BlockCopy(buffer, length, buffer, 0, have - length);
                have -= length;
            }
            else
            {
                await DrainAsync(stream, buffer, silence, cancellationToken).ConfigureAwait(false);
                have = 0;
            }
        }
    }

    private static async Task DrainAsync(Stream stream, byte[] buffer, TimeSpan silence, CancellationToken cancellationToken)
    {
        while (await ReadWithinAsync(stream, buffer, silence, cancellationToken).ConfigureAwait(false) > 0)
        {
        }
    }

    /// <summary>Reads what arrives within <paramref name="within"/>; 0 when the line stays quiet that long.</summary>
    private static async Task<int> ReadWithinAsync(Stream stream, Memory<byte> buffer, TimeSpan within, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(within);
        try
        {
            return await stream.ReadAsync(buffer, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return 0;
        }
    }

    private sealed class ListenerStopper(TcpListener listener) : IDisposable
    {
        public void Dispose() => listener.Stop();
    }
}
