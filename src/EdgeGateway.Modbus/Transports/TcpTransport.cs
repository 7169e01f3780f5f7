using System.Net.Sockets;

namespace EdgeGateway.Modbus.Transports;

/// <summary>
/// A TCP connection to a Modbus TCP server or gateway. Connects on first use and again after a drop;
/// Nagle is off (a request is one small segment) and TCP keepalive finds a dead peer on an idle link.
/// </summary>
public sealed class TcpTransport : IModbusTransport
{
    public const int DefaultPort = 502;

    private readonly string _host;
    private readonly int _port;
    private Socket? _socket;

    public TcpTransport(string host, int port = DefaultPort)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(host);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        _host = host;
        _port = port;
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
                socket.Receive(scratch);
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
            while (!data.IsEmpty)
            {
                var sent = await socket.SendAsync(data, SocketFlags.None, cancellationToken).ConfigureAwait(false);
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

    public async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var socket = _socket ?? throw new ModbusConnectionException($"not connected to {Name}");
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
