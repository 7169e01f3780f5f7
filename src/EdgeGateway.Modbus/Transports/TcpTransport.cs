using System.Net.Sockets;

namespace EdgeGateway.Modbus.Transports;

/// <summary>
/// A TCP connection to a Modbus TCP server or gateway. Connects on first use and again after a drop;
/// Nagle is off (a request is one small segment) and TCP keepalive finds a dead peer on an idle link.
/// <para>
/// A Modbus answer usually comes back within a fraction of a millisecond on a LAN. Parking the wait in the
/// socket engine and resuming on the thread pool costs two thread wake-ups per transaction, more than the
/// round trip itself on a small board; so a read first waits up to <see cref="DefaultSynchronousWait"/> on the
/// calling thread (one poll) and only then falls back to an asynchronous wait.
/// </para>
/// </summary>
public sealed class TcpTransport : IModbusTransport
{
    public const int DefaultPort = 502;

    /// <summary>How long a read may wait on the calling thread before going asynchronous: 2 ms.</summary>
    public static readonly TimeSpan DefaultSynchronousWait = TimeSpan.FromMilliseconds(2);

    private readonly string _host;
    private readonly int _port;
    private readonly int _synchronousWaitMicroseconds;
    private Socket? _socket;

    /// <param name="synchronousWait">Longest wait on the calling thread before a read goes asynchronous
    /// (default <see cref="DefaultSynchronousWait"/>; zero: always asynchronous).</param>
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
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
            socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveTime, 10);
            socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveInterval, 5);
            socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveRetryCount, 3);
            await socket.ConnectAsync(_host, _port, cancellationToken).ConfigureAwait(false);

            // Synchronous calls below never block: they move what the kernel has, or say "would block".
            socket.Blocking = false;
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new ModbusConnectionException($"cannot connect to {Name}: {e.Message}", e);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        _socket = socket;
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

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        var socket = _socket ?? throw new ModbusConnectionException($"not connected to {Name}");
        try
        {
            // A request is a few bytes: it nearly always fits the socket buffer at once, without a wait.
            var sent = socket.Send(data.Span, SocketFlags.None, out var error);
            if (error is not (SocketError.Success or SocketError.WouldBlock))
            {
                throw new SocketException((int)error);
            }

            data = data[Math.Max(sent, 0)..];
            while (!data.IsEmpty)
            {
                sent = await socket.SendAsync(data, SocketFlags.None, cancellationToken).ConfigureAwait(false);
                data = data[sent..];
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
        if (_synchronousWaitMicroseconds > 0 && !cancellationToken.IsCancellationRequested)
        {
            try
            {
                // Readable also when the peer has closed: Receive then returns 0.
                if (socket.Poll(_synchronousWaitMicroseconds, SelectMode.SelectRead))
                {
                    var read = socket.Receive(buffer.Span, SocketFlags.None, out var error);
                    if (error == SocketError.Success)
                    {
                        if (read == 0)
                        {
                            Close();
                        }

                        return ValueTask.FromResult(read);
                    }

                    if (error != SocketError.WouldBlock)
                    {
                        throw new SocketException((int)error);
                    }
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

        return ReadSlowAsync(socket, buffer, cancellationToken);
    }

    private async ValueTask<int> ReadSlowAsync(Socket socket, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        try
        {
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                Close();
            }

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

    public ValueTask DisposeAsync()
    {
        Close();
        return ValueTask.CompletedTask;
    }
}
