using System.IO.Ports;
using System.Net;
using System.Net.Sockets;

namespace EdgeGateway.Modbus.Tests.Hostile;

/// <summary>What a hostile peer sends back for one request, and whether it hangs up afterwards.</summary>
internal sealed record HostileReply(byte[] Bytes, bool CloseAfter = false);

/// <summary>
/// A Modbus TCP "slave" on 127.0.0.1 that answers each request with whatever the test's responder returns:
/// garbage, truncated or corrupted frames, or a good answer.
/// </summary>
internal sealed class HostileTcpPeer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<byte[], HostileReply> _respond;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private int _connections;
    private int _requests;

    public HostileTcpPeer(Func<byte[], HostileReply> respond)
    {
        _respond = respond;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public int Connections => Volatile.Read(ref _connections);

    public int Requests => Volatile.Read(ref _requests);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var socket = await _listener.AcceptSocketAsync(_stop.Token);
            Interlocked.Increment(ref _connections);
            _ = ServeAsync(socket);
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        using (socket)
        {
            try
            {
                var header = new byte[7];
                while (!_stop.IsCancellationRequested)
                {
                    if (!await ReadExactlyAsync(socket, header))
                    {
                        return;
                    }

                    var length = (header[4] << 8) | header[5];
                    var request = new byte[6 + length];
                    header.CopyTo(request, 0);
                    if (!await ReadExactlyAsync(socket, request.AsMemory(7)))
                    {
                        return;
                    }

                    Interlocked.Increment(ref _requests);
                    var reply = _respond(request);
                    await socket.SendAsync(reply.Bytes, SocketFlags.None, _stop.Token);
                    if (reply.CloseAfter)
                    {
                        socket.Shutdown(SocketShutdown.Both);
                        return;
                    }
                }
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
            }
        }
    }

    private async Task<bool> ReadExactlyAsync(Socket socket, Memory<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            var n = await socket.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
            if (n == 0)
            {
                return false;
            }

            buffer = buffer[n..];
        }

        return true;
    }
}

/// <summary>
/// An RTU "slave" on one end of a socat pty pair; the master opens <see cref="ClientDevice"/>. It reads each
/// 8-byte request (the tests send reads and single writes) and answers with the responder's bytes.
/// </summary>
internal sealed class HostileRtuPeer : IAsyncDisposable
{
    private readonly SocatPtyPair _pty;
    private readonly SerialPort _port;
    private readonly Func<byte[], HostileReply> _respond;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _serving;
    private int _requests;
    private long _replied;

    private HostileRtuPeer(SocatPtyPair pty, Func<byte[], HostileReply> respond)
    {
        _pty = pty;
        _respond = respond;
        _port = new SerialPort(pty.First, 115200);
        _port.Open();
        _serving = ServeAsync();
    }

    public string ClientDevice => _pty.Second;

    public int Requests => Volatile.Read(ref _requests);

    public static async Task<HostileRtuPeer> StartAsync(Func<byte[], HostileReply> respond) =>
        new(await SocatPtyPair.StartAsync(traceTransfers: true), respond);

    /// <summary>Completes once every byte the peer has answered with so far has crossed to <see cref="ClientDevice"/>.</summary>
    public Task WaitRepliesDeliveredAsync(TimeSpan timeout) => _pty.WaitForwardedToSecondAsync(Interlocked.Read(ref _replied), timeout);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _serving;
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or InvalidOperationException)
        {
        }

        _port.Dispose();
        await _pty.DisposeAsync();
        _stop.Dispose();
    }

    private async Task ServeAsync()
    {
        var stream = _port.BaseStream;
        while (!_stop.IsCancellationRequested)
        {
            var request = new byte[8];
            var have = 0;
            while (have < request.Length)
            {
                have += await stream.ReadAsync(request.AsMemory(have), _stop.Token);
            }

            Interlocked.Increment(ref _requests);
            var reply = _respond(request);
            if (reply.Bytes.Length > 0)
            {
                // Counted before the write: once the master has its answer, the count includes it.
                Interlocked.Add(ref _replied, reply.Bytes.Length);
                await stream.WriteAsync(reply.Bytes, _stop.Token);
            }
        }
    }
}
