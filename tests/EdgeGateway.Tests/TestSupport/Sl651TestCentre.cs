using System.Net;
using System.Net.Sockets;
using EdgeGateway.Sl651;

namespace EdgeGateway.Tests.TestSupport;

/// <summary>
/// An SL 651 centre on 127.0.0.1 for process tests. Every frame a station sends is checked twice: by a reading of
/// the layout and CRC written here (not our decoder), and by <see cref="Sl651Decoder"/>. Reports are confirmed with
/// a downlink frame built here byte by byte, unless <see cref="Confirm"/> is off; <see cref="GarbageOnNextReport"/>
/// answers the next report with bytes that are not a frame. It can be stopped and started again on its port.
/// </summary>
internal sealed class Sl651TestCentre : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly List<Received> _frames = [];
    private readonly List<string> _problems = [];
    private readonly List<TcpClient> _clients = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TcpListener? _listener;
    private CancellationTokenSource? _stop;
    private int _connections;

    private Sl651TestCentre(int port) => Port = port;

    /// <summary>A frame as it arrived, with the connection it came on (1 = the first).</summary>
    public sealed record Received(Sl651Frame Frame, byte[] Raw, int Connection, DateTimeOffset At);

    public int Port { get; private set; }

    public volatile bool Confirm = true;

    public volatile bool GarbageOnNextReport;

    public int Connections => Volatile.Read(ref _connections);

    /// <summary>What the independent check found wrong in any frame (a test asserts it empty).</summary>
    public IReadOnlyList<string> Problems
    {
        get
        {
            lock (_gate)
            {
                return [.. _problems];
            }
        }
    }

    public IReadOnlyList<Received> Frames
    {
        get
        {
            lock (_gate)
            {
                return [.. _frames];
            }
        }
    }

    public static Sl651TestCentre Start()
    {
        var centre = new Sl651TestCentre(0);
        centre.Listen();
        return centre;
    }

    /// <summary>Waits for the first frame after the first <paramref name="skip"/> that <paramref name="match"/> accepts.</summary>
    public async Task<Received> WaitForAsync(Func<Received, bool> match, TimeSpan timeout, int skip = 0)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                var found = _frames.Skip(skip).FirstOrDefault(match);
                if (found is not null)
                {
                    return found;
                }

                changed = _changed.Task;
            }

            try
            {
                await changed.WaitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"no such frame within {timeout}; received: {string.Join(", ", Frames.Select(f => $"{(byte)f.Frame.Function:X2}#{f.Frame.Serial}@{f.Connection}"))}");
            }
        }
    }

    /// <summary>Closes the port and every connection: the station sees its centre go away.</summary>
    public void Stop()
    {
        _stop?.Cancel();
        _listener?.Stop();
        lock (_gate)
        {
            foreach (var c in _clients)
            {
                c.Dispose();
            }

            _clients.Clear();
        }
    }

    /// <summary>Listens again on the same port.</summary>
    public void Restart() => Listen();

    public ValueTask DisposeAsync()
    {
        Stop();
        _stop?.Dispose();
        return ValueTask.CompletedTask;
    }

    private void Listen()
    {
        _stop?.Dispose();
        _stop = new CancellationTokenSource();
        _listener = new TcpListener(IPAddress.Loopback, Port);
        _listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _ = AcceptAsync(_listener, _stop.Token);
    }

    private async Task AcceptAsync(TcpListener listener, CancellationToken ct)
    {
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var client = await listener.AcceptTcpClientAsync(ct);
                var n = Interlocked.Increment(ref _connections);
                lock (_gate)
                {
                    _clients.Add(client);
                }

                _ = ServeAsync(client, n, ct);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task ServeAsync(TcpClient client, int connection, CancellationToken ct)
    {
        try
        {
            var stream = client.GetStream();
            var header = new byte[14];
            while (!ct.IsCancellationRequested)
            {
                await stream.ReadExactlyAsync(header, ct);
                var bodyLength = ((header[11] & 0x0F) << 8) | header[12];
                var raw = new byte[14 + bodyLength + 3];
                header.CopyTo(raw, 0);
                await stream.ReadExactlyAsync(raw.AsMemory(14), ct);
                var problem = CheckLayout(raw);
                Sl651Frame frame;
                try
                {
                    frame = Sl651Decoder.Decode(raw);
                }
                catch (Sl651FrameException e)
                {
                    problem ??= "our decoder refused it: " + e.Message;
                    Record(null, raw, connection, problem);
                    continue;
                }

                Record(frame, raw, connection, problem);
                if (frame.Function == Sl651Function.LinkKeepAlive || !Confirm)
                {
                    continue;
                }

                if (GarbageOnNextReport)
                {
                    GarbageOnNextReport = false;
                    await stream.WriteAsync("HELLO? this is no frame\r\n"u8.ToArray(), ct);
                    continue;
                }

                await stream.WriteAsync(Confirmation(raw), ct);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException or EndOfStreamException)
        {
        }
    }

    private void Record(Sl651Frame? frame, byte[] raw, int connection, string? problem)
    {
        lock (_gate)
        {
            if (problem is not null)
            {
                _problems.Add($"{Convert.ToHexString(raw)}: {problem}");
            }

            if (frame is not null)
            {
                _frames.Add(new Received(frame, raw, connection, DateTimeOffset.UtcNow));
            }

            _changed.TrySetResult();
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    // The uplink layout as the standard draws it, read without our decoder.
    private static string? CheckLayout(byte[] f)
    {
        var bodyLength = ((f[11] & 0x0F) << 8) | f[12];
        if (f[0] != 0x7E || f[1] != 0x7E)
        {
            return "does not start 7E 7E";
        }

        if (f[11] >> 4 != 0)
        {
            return "not an uplink direction";
        }

        if (f[13] != 0x02)
        {
            return "start of text is not 02";
        }

        if (f[14 + bodyLength] != 0x03)
        {
            return "end byte is not 03 ETX";
        }

        if (Convert.ToHexString(f, 3, 5) != "0012345678")
        {
            return "station address is not 0012345678";
        }

        var crc = Crc(f.AsSpan(0, f.Length - 2));
        return f[^2] == crc >> 8 && f[^1] == (crc & 0xFF) ? null : $"CRC {f[^2]:X2}{f[^1]:X2}, expected {crc:X4} high byte first";
    }

    // Downlink: station (5), centre (1), password, the same function, 80 08, STX, serial and send time echoed, ESC.
    private static byte[] Confirmation(byte[] up)
    {
        var d = new List<byte> { 0x7E, 0x7E };
        d.AddRange(up.AsSpan(3, 5));
        d.Add(up[2]);
        d.AddRange(up.AsSpan(8, 2));
        d.Add(up[10]);
        d.Add(0x80);
        d.Add(0x08);
        d.Add(0x02);
        d.AddRange(up.AsSpan(14, 8));
        d.Add(0x1B);
        var crc = Crc(d.ToArray());
        d.Add((byte)(crc >> 8));
        d.Add((byte)crc);
        return [.. d];
    }

    // CRC-16/MODBUS, bit by bit as the standard describes it.
    private static ushort Crc(ReadOnlySpan<byte> bytes)
    {
        ushort crc = 0xFFFF;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var i = 0; i < 8; i++)
            {
                crc = (crc & 1) != 0 ? (ushort)((crc >> 1) ^ 0xA001) : (ushort)(crc >> 1);
            }
        }

        return crc;
    }
}
