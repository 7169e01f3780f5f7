using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace EdgeGateway.Modbus.Transports;

/// <summary>
/// A TCP connection to a Modbus TCP server or gateway. Connects on first use and again after a drop;
/// Nagle is off (a request is one small segment) and TCP keepalive finds a dead peer on an idle link.
/// <para>
/// A Modbus answer usually comes back within a fraction of a millisecond on a LAN. Every call is therefore
/// synchronous on a non-blocking socket: a wait for the answer first polls on the calling thread for up to
/// <see cref="DefaultSynchronousWait"/>, and only a longer wait moves to a <see cref="SocketWaiter"/> thread.
/// The runtime's asynchronous socket calls are never used, not even to connect: they would register the
/// socket with the runtime's epoll thread, which then wakes on every packet for the rest of the connection
/// (one more thread wake-up per transaction, on the same CPU as the caller).
/// Per transaction: a zero-timeout poll (stale input, closed peer), one send, one poll, one recv.
/// </para>
/// </summary>
public sealed class TcpTransport : IModbusTransport
{
    public const int DefaultPort = 502;

    /// <summary>How long a wait may block the calling thread before it moves to the waiter thread: 2 ms.</summary>
    public static readonly TimeSpan DefaultSynchronousWait = TimeSpan.FromMilliseconds(2);

    private readonly string _host;
    private readonly int _port;
    private readonly int _synchronousWaitMicroseconds;
    private Socket? _socket;
    private SocketWaiter? _waiter;

    /// <param name="synchronousWait">Longest wait on the calling thread before a wait moves to the waiter
    /// thread (default <see cref="DefaultSynchronousWait"/>; zero: every wait that is not already over moves).</param>
    public TcpTransport(string host, int port = DefaultPort, TimeSpan? synchronousWait = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(host);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        var wait = synchronousWait ?? DefaultSynchronousWait;
        ArgumentOutOfRangeException.ThrowIfLessThan(wait, TimeSpan.Zero, nameof(synchronousWait));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(wait, TimeSpan.FromMilliseconds(100), nameof(synchronousWait));
        _host = host;
        _port = port;
        _synchronousWaitMicroseconds = (int)wait.TotalMicroseconds;
        Name = $"{host}:{port}";
    }

    public string Name { get; }

    public bool IsOpen => _socket is not null;

    public RtuTiming Timing => RtuTiming.None;

    public async ValueTask OpenAsync(CancellationToken cancellationToken)
    {
        Close();
        IPAddress[] addresses;
        try
        {
            addresses = IPAddress.TryParse(_host, out var address)
                ? [address]
                : await Dns.GetHostAddressesAsync(_host, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            throw new ModbusConnectionException($"cannot connect to {Name}: {e.Message}", e);
        }

        // Each address in turn, as Socket.ConnectAsync(host, port) would; the last failure is the one reported.
        SocketException? failure = null;
        foreach (var address in addresses)
        {
            try
            {
                _socket = await ConnectAsync(address, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (SocketException e)
            {
                failure = e;
            }
        }

        throw new ModbusConnectionException($"cannot connect to {Name}: {failure?.Message ?? "no address"}", failure);
    }

    private async ValueTask<Socket> ConnectAsync(IPAddress address, CancellationToken cancellationToken)
    {
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
            socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveTime, 10);
            socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveInterval, 5);
            socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveRetryCount, 3);

            // Synchronous calls on it never block: they move what the kernel has, or say "would block".
            socket.Blocking = false;
            try
            {
                socket.Connect(new IPEndPoint(address, _port));
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.WouldBlock or SocketError.InProgress)
            {
                // Writable once the handshake has ended, either way; SO_ERROR says which way.
                await WaitAsync(socket, SelectMode.SelectWrite, cancellationToken).ConfigureAwait(false);
                var error = (SocketError)(int)socket.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.Error)!;
                if (error != SocketError.Success)
                {
                    throw new SocketException((int)error);
                }
            }

            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public void Close()
    {
        var socket = _socket;
        _socket = null;
        socket?.Dispose();
    }

    public bool DiscardInput()
    {
        var socket = _socket;
        if (socket is null)
        {
            return false;
        }

        try
        {
            // Readable with nothing to read means the peer has closed: one poll covers both cases.
            if (!socket.Poll(0, SelectMode.SelectRead))
            {
                return true;
            }

            Span<byte> scratch = stackalloc byte[256];
            while (socket.Available > 0)
            {
                socket.Receive(scratch, SocketFlags.None, out _);
            }

            if (socket.Poll(0, SelectMode.SelectRead) && socket.Available == 0)
            {
                Close();
                return false;
            }

            return true;
        }
        catch (SocketException)
        {
            Close();
            return false;
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        var socket = _socket ?? throw new ModbusConnectionException($"not connected to {Name}");
        try
        {
            // A request is a few bytes: it nearly always fits the socket buffer at once, without a wait.
            while (true)
            {
                var sent = socket.Send(data.Span, SocketFlags.None, out var error);
                if (error == SocketError.Success)
                {
                    data = data[sent..];
                    if (data.IsEmpty)
                    {
                        return;
                    }
                }
                else if (error != SocketError.WouldBlock)
                {
                    throw new SocketException((int)error);
                }

                await WaitAsync(socket, SelectMode.SelectWrite, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (SocketException e)
        {
            Close();
            throw new ModbusConnectionException($"connection to {Name} lost: {e.Message}", e);
        }
        catch (ObjectDisposedException e)
        {
            throw new ModbusConnectionException($"connection to {Name} closed", e);
        }
    }

    public ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var socket = _socket ?? throw new ModbusConnectionException($"not connected to {Name}");
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            // The common case, with no state machine: the answer arrives within the synchronous wait.
            // Readable also when the peer has closed: Receive then returns 0.
            if (_synchronousWaitMicroseconds > 0
                && socket.Poll(_synchronousWaitMicroseconds, SelectMode.SelectRead)
                && TryReceive(socket, buffer.Span, out var read))
            {
                return ValueTask.FromResult(read);
            }
        }
        catch (SocketException e)
        {
            Close();
            throw new ModbusConnectionException($"connection to {Name} lost: {e.Message}", e);
        }
        catch (ObjectDisposedException e)
        {
            throw new ModbusConnectionException($"connection to {Name} closed", e);
        }

        return ReadSlowAsync(socket, buffer, cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> ReadSlowAsync(Socket socket, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        try
        {
            int read;
            do
            {
                await Waiter.WaitAsync(socket, SelectMode.SelectRead, cancellationToken).ConfigureAwait(false);
            }
            while (!TryReceive(socket, buffer.Span, out read));

            return read;
        }
        catch (SocketException e)
        {
            Close();
            throw new ModbusConnectionException($"connection to {Name} lost: {e.Message}", e);
        }
        catch (ObjectDisposedException e)
        {
            throw new ModbusConnectionException($"connection to {Name} closed", e);
        }
    }

    /// <summary>Takes what has arrived; false when nothing had after all (a spurious wake-up).</summary>
    private bool TryReceive(Socket socket, Span<byte> buffer, out int read)
    {
        read = socket.Receive(buffer, SocketFlags.None, out var error);
        if (error == SocketError.WouldBlock)
        {
            return false;
        }

        if (error != SocketError.Success)
        {
            throw new SocketException((int)error);
        }

        if (read == 0)
        {
            Close();
        }

        return true;
    }

    private ValueTask WaitAsync(Socket socket, SelectMode mode, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return _synchronousWaitMicroseconds > 0 && socket.Poll(_synchronousWaitMicroseconds, mode)
            ? ValueTask.CompletedTask
            : Waiter.WaitAsync(socket, mode, cancellationToken);
    }

    private SocketWaiter Waiter => _waiter ??= new SocketWaiter(Name);

    public ValueTask DisposeAsync()
    {
        Close();
        _waiter?.Dispose();
        return ValueTask.CompletedTask;
    }
}
