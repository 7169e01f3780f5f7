using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace EdgeGateway.Sl651.Centre;

/// <summary>One frame a station sent, as the centre decoded it, and whether the centre confirmed it.</summary>
public sealed record Sl651CentreFrame(Sl651Frame Frame, ReadOnlyMemory<byte> Raw, EndPoint Remote, bool Confirmed)
{
    public string RawHex => Convert.ToHexString(Raw.Span);
}

/// <summary>
/// Bytes that are not a frame (or a frame whose CRC does not hold); the centre dropped the connection after them.
/// <see cref="Received"/> holds the bytes read towards the bad frame (at most its header when the header is wrong).
/// </summary>
public sealed record Sl651CentreGarbage(EndPoint Remote, Sl651FrameException Error, ReadOnlyMemory<byte> Received)
{
    public string ReceivedHex => Convert.ToHexString(Received.Span);
}

/// <summary>What the centre does with each frame; the defaults make a centre that confirms every report.</summary>
public sealed class Sl651CentreOptions
{
    /// <summary>Called for every frame that decodes, after its confirmation went out. Runs on the connection's task: keep it short.</summary>
    public Action<Sl651CentreFrame>? OnFrame { get; init; }

    /// <summary>Called when a connection sends bytes that are not a frame, before that connection is closed.</summary>
    public Action<Sl651CentreGarbage>? OnGarbage { get; init; }

    /// <summary>Called when a connection has ended (the station hung up, garbage, or the centre stopped).</summary>
    public Action<EndPoint>? OnDisconnected { get; init; }

    /// <summary>
    /// Which frames get a confirmation. Default <see cref="IsReport"/>: uplink frames other than the keep-alive, which
    /// a centre does not answer (a station in M2 would take an unasked-for downlink as unexpected).
    /// A test centre that must stay silent (a station's retry) returns false.
    /// </summary>
    public Func<Sl651Frame, bool> Confirm { get; init; } = IsReport;

    /// <summary>The end byte of confirmations: <c>1B</c> ESC keeps the link online, as in the standard's sample.</summary>
    public Sl651EndByte ConfirmationEnd { get; init; } = Sl651EndByte.Esc;

    public static bool IsReport(Sl651Frame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        return frame.Direction == Sl651Direction.Up && frame.Function != Sl651Function.LinkKeepAlive;
    }
}

/// <summary>
/// A bench centre (中心站): listens on TCP, accepts any number of stations, cuts each connection's byte stream
/// into frames by their length field, decodes them with <see cref="Sl651Decoder"/> and confirms each report with
/// a downlink of the same function code and serial. A connection that sends anything that is not a frame is
/// reported and closed, since after garbage the stream has no trustworthy frame boundary. Each connection is
/// one async loop (no thread of its own); <see cref="DisposeAsync"/> ends them all and waits for them.
/// </summary>
public sealed class Sl651Centre : IAsyncDisposable
{
    private readonly Sl651CentreOptions _options;
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<long, Task> _connections = new();
    private Task? _accepting;
    private long _nextConnection;
    private long _frames;
    private long _confirmed;
    private long _garbage;
    private int _disposed;

    public Sl651Centre(IPEndPoint endpoint, Sl651CentreOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        _options = options ?? new Sl651CentreOptions();
        _listener = new TcpListener(endpoint);
    }

    /// <summary>The address the centre listens on; with port 0 the port the system chose. Set by <see cref="Start"/>.</summary>
    public IPEndPoint? Endpoint { get; private set; }

    public long FrameCount => Interlocked.Read(ref _frames);

    /// <summary>Confirmations sent.</summary>
    public long ConfirmedCount => Interlocked.Read(ref _confirmed);

    /// <summary>Connections dropped for garbage.</summary>
    public long GarbageCount => Interlocked.Read(ref _garbage);

    public int ConnectionCount => _connections.Count;

    /// <summary>Binds and starts accepting stations; returns the bound endpoint.</summary>
    public IPEndPoint Start()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (_accepting is not null)
        {
            throw new InvalidOperationException("The centre is already started.");
        }

        _listener.Start();
        Endpoint = (IPEndPoint)_listener.LocalEndpoint;
        _accepting = AcceptAsync(_stop.Token);
        return Endpoint;
    }

    /// <summary>The confirmation of <paramref name="report"/>: downlink, same addresses, password, function, serial and send time.</summary>
    /// <remarks>
    /// The send time is the report's own, as in the standard's sample confirmation: a centre's clock would make the
    /// bytes depend on when the report arrived, and the station matches the confirmation by function and serial only.
    /// </remarks>
    public static byte[] Confirmation(Sl651Frame report, Sl651EndByte end = Sl651EndByte.Esc)
    {
        ArgumentNullException.ThrowIfNull(report);
        return Sl651Encoder.Encode(new Sl651Frame
        {
            Direction = Sl651Direction.Down,
            Centre = report.Centre,
            Station = report.Station,
            Password = report.Password,
            Function = report.Function,
            Serial = report.Serial,
            SendTime = report.SendTime,
            End = end,
        });
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        if (_accepting is not null)
        {
            await _accepting.ConfigureAwait(false);
        }

        // Accepting has ended, so no connection is added any more.
        await Task.WhenAll(_connections.Values).ConfigureAwait(false);
        _listener.Dispose();
        _stop.Dispose();
    }

    private async Task AcceptAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException)
            {
                // A station that reset before it was accepted; the listener itself is fine.
                continue;
            }

            var id = Interlocked.Increment(ref _nextConnection);
            var connection = ServeAsync(socket, cancellationToken);
            _connections[id] = connection;
            _ = connection.ContinueWith(
                (_, state) => _connections.TryRemove((long)state!, out Task? _),
                id,
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }
    }

    private async Task ServeAsync(Socket socket, CancellationToken cancellationToken)
    {
        await Task.Yield();
        var remote = socket.RemoteEndPoint ?? new IPEndPoint(IPAddress.None, 0);
        try
        {
            using (socket)
            {
                await ReadFramesAsync(socket, remote, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The centre is stopping.
        }
        catch (SocketException)
        {
            // The station reset the link; nothing more to read from it.
        }
        catch (IOException)
        {
            // Likewise, surfaced by the stream.
        }
        finally
        {
            _options.OnDisconnected?.Invoke(remote);
        }
    }

    private async Task ReadFramesAsync(Socket socket, EndPoint remote, CancellationToken cancellationToken)
    {
        // A frame is at most header + SYN packet bytes + 0xFFF body + end + CRC.
        var buffer = new byte[Sl651Decoder.HeaderLength + 3 + Sl651Encoder.MaxBodyLength + 3];
        var filled = 0;
        while (true)
        {
            int total;
            try
            {
                // The header is judged on whatever part of it has arrived: a wrong start or direction is refused as
                // soon as it is seen, without waiting for bytes that may never come.
                while ((total = Sl651Decoder.FrameLength(buffer.AsSpan(0, filled))) < 0)
                {
                    var read = await FillAsync(socket, buffer, filled, Sl651Decoder.HeaderLength, cancellationToken).ConfigureAwait(false);
                    if (read == 0)
                    {
                        return;
                    }

                    filled += read;
                }
            }
            catch (Sl651FrameException e)
            {
                Garbage(remote, e, buffer.AsMemory(0, filled));
                return;
            }

            while (filled < total)
            {
                var read = await FillAsync(socket, buffer, filled, total, cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    return;
                }

                filled += read;
            }

            var raw = buffer.AsMemory(0, total).ToArray();
            if (!Sl651Decoder.TryDecode(raw, out var frame, out var error))
            {
                Garbage(remote, error, raw);
                return;
            }

            var confirm = _options.Confirm(frame);
            if (confirm)
            {
                await socket.SendAsync(Confirmation(frame, _options.ConfirmationEnd), SocketFlags.None, cancellationToken).ConfigureAwait(false);
                Interlocked.Increment(ref _confirmed);
            }

            Interlocked.Increment(ref _frames);
            _options.OnFrame?.Invoke(new Sl651CentreFrame(frame, raw, remote, confirm));

            // Reads never go past the frame being cut, so the next frame starts at the buffer's start.
            filled = 0;
        }
    }

    /// <summary>Reads what has arrived into <paramref name="buffer"/> from <paramref name="filled"/>, up to <paramref name="upTo"/> bytes in all; 0 at the end of the stream.</summary>
    private static async Task<int> FillAsync(Socket socket, byte[] buffer, int filled, int upTo, CancellationToken cancellationToken) =>
        await socket.ReceiveAsync(buffer.AsMemory(filled, Math.Max(upTo, filled + 1) - filled), SocketFlags.None, cancellationToken).ConfigureAwait(false);

    private void Garbage(EndPoint remote, Sl651FrameException error, ReadOnlyMemory<byte> received)
    {
        Interlocked.Increment(ref _garbage);
        _options.OnGarbage?.Invoke(new Sl651CentreGarbage(remote, error, received.ToArray()));
    }
}
