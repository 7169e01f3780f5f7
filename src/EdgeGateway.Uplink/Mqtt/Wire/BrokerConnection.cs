using System.Buffers;
using System.Net.Security;
using System.Net.Sockets;

namespace EdgeGateway.Uplink.Mqtt.Wire;

/// <summary>Where and how to connect: the broker, the CONNECT to send, TLS when configured, and the time allowed.</summary>
internal sealed record BrokerConnectOptions(
    string Host,
    int Port,
    ConnectRequest Connect,
    TimeSpan Timeout,
    SslClientAuthenticationOptions? Tls);

/// <summary>The broker refused the CONNECT (a CONNACK with a failure code).</summary>
internal sealed class BrokerRefusedException(byte code, string? reason)
    : Exception($"broker refused the connection ({MqttPackets.ReasonName(code)}){(reason is null ? "" : ": " + reason)}")
{
    public byte Code { get; } = code;

    public string CodeName => MqttPackets.ReasonName(Code);
}

/// <summary>The connection ended while a request was waiting for its answer.</summary>
internal sealed class BrokerConnectionLostException(string reason) : Exception(reason);

/// <summary>Who waits for a PUBACK or SUBACK: called on the connection's reader, so it must not block.</summary>
internal abstract class PendingAck
{
    /// <summary>A PUBACK's reason code (0 Success), or for a SUBACK 0 and its codes, one per filter.</summary>
    public abstract void Acked(ushort packetId, byte reason, ReadOnlySpan<byte> subscribeCodes);

    public virtual void Lost(string reason)
    {
    }
}

/// <summary>
/// One MQTT connection to one broker: the station's own client, sized to what a station does (a clean session,
/// a retained QoS 1 will, QoS 1 publishes up to the broker's Receive Maximum, two QoS 1 subscriptions).
/// One reader task takes whole buffers of packets off the socket and settles every PUBACK in them where it
/// stands, with no hop to another thread per packet; writers hand it whole buffers, so the outbox pump can send
/// a window of PUBLISH packets in one write. Keep-alive (PINGREQ when idle, and a connection that brings nothing
/// back for one and a half keep-alive periods is dead) and the answer timeout run on the given clock, which is
/// the socket's wall clock in service: a simulated clock running fast would expire every wait.
/// </summary>
internal sealed class BrokerConnection : IDisposable
{
    private readonly Socket _socket;
    private readonly Stream _stream;
    private readonly TimeProvider _time;
    private readonly TimeSpan _timeout;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource<string> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _idLock = new();
    // Packet ids awaiting an answer, with who waits and since when: a window's worth, not a table of all 65535
    // (two such tables are a megabyte the garbage collector zeroes and keeps resident).
    private readonly Dictionary<ushort, (PendingAck Owner, long Since)> _pending = [];
    private readonly Action<InboundPublish> _onMessage;
    private int _nextId;
    private long _lastSent;
    private long _lastReceived;
    private byte[] _in = new byte[16 * 1024];
    private int _filled;

    private BrokerConnection(Socket socket, Stream stream, bool v5, TimeProvider time, TimeSpan timeout, Action<InboundPublish> onMessage)
    {
        _socket = socket;
        _stream = stream;
        V5 = v5;
        _time = time;
        _timeout = timeout;
        _onMessage = onMessage;
        _lastSent = _lastReceived = time.GetTimestamp();
    }

    /// <summary>True for MQTT 5, false for 3.1.1.</summary>
    public bool V5 { get; }

    /// <summary>The broker's Receive Maximum (MQTT 5), 0 when it set none.</summary>
    public int ReceiveMaximum { get; private set; }

    /// <summary>Completes with the reason once the connection has ended, for whatever cause.</summary>
    public Task<string> Closed => _closed.Task;

    public bool IsConnected => !_closed.Task.IsCompleted;

    /// <summary>
    /// Connects, sends CONNECT and waits for the CONNACK, all within the options' timeout. Throws
    /// <see cref="BrokerRefusedException"/> when the broker refuses, and the network's or TLS's own exceptions.
    /// <paramref name="onMessage"/> receives each inbound PUBLISH on the reader (it must not block); a QoS 1 one
    /// is acknowledged once it returns.
    /// </summary>
    public static async Task<BrokerConnection> ConnectAsync(BrokerConnectOptions options, TimeProvider time, Action<InboundPublish> onMessage,
        CancellationToken ct)
    {
        using var timeout = new CancellationTokenSource(options.Timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        Stream? stream = null;
        try
        {
            try
            {
                await socket.ConnectAsync(options.Host, options.Port, linked.Token).ConfigureAwait(false);
                stream = new NetworkStream(socket, ownsSocket: false);
                if (options.Tls is { } tls)
                {
                    var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                    stream = ssl;
                    await ssl.AuthenticateAsClientAsync(tls, linked.Token).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !ct.IsCancellationRequested)
            {
                throw new TimeoutException($"no connection to {options.Host}:{options.Port} within {options.Timeout.TotalSeconds:0.#} s");
            }

            var connection = new BrokerConnection(socket, stream, options.Connect.V5, time, options.Timeout, onMessage);
            try
            {
                await connection.HandshakeAsync(options.Connect, linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !ct.IsCancellationRequested)
            {
                connection.Dispose();
                throw new TimeoutException($"no CONNACK from {options.Host}:{options.Port} within {options.Timeout.TotalSeconds:0.#} s");
            }
            catch
            {
                connection.Dispose();
                throw;
            }

            return connection;
        }
        catch
        {
            if (stream is not null)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }

            socket.Dispose();
            throw;
        }
    }

    /// <summary>Takes a packet id for a QoS 1 PUBLISH or a SUBSCRIBE whose answer goes to <paramref name="owner"/>.</summary>
    public ushort Register(PendingAck owner)
    {
        lock (_idLock)
        {
            for (var tries = 0; tries < ushort.MaxValue; tries++)
            {
                _nextId = _nextId >= ushort.MaxValue ? 1 : _nextId + 1;
                if (_pending.TryAdd((ushort)_nextId, (owner, _time.GetTimestamp())))
                {
                    return (ushort)_nextId;
                }
            }
        }

        throw new InvalidOperationException("every packet id is awaiting an answer");
    }

    /// <summary>Writes whole packets (one or many) in one go; a failed write ends the connection and throws.</summary>
    public async ValueTask SendAsync(ReadOnlyMemory<byte> packets, CancellationToken ct)
    {
        await _writeLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (!IsConnected)
            {
                throw new BrokerConnectionLostException(Closed.Result);
            }

            await _stream.WriteAsync(packets, ct).ConfigureAwait(false);
            Volatile.Write(ref _lastSent, _time.GetTimestamp());
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            Close($"write failed: {e.Message}");
            throw new BrokerConnectionLostException(Closed.Result);
        }
        catch (OperationCanceledException)
        {
            // Part of a packet may have gone out: nothing more can be written after it.
            Close("a write was cancelled");
            throw;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Publishes one message at QoS 1 and returns the PUBACK's reason code (0 Success, 0x10 no subscribers).</summary>
    public async Task<byte> PublishAsync(string topic, ReadOnlyMemory<byte> payload, bool retain, string? contentType, CancellationToken ct)
    {
        var waiter = new AckWaiter();
        var id = Register(waiter);
        var packet = new ArrayBufferWriter<byte>(payload.Length + topic.Length + 32);
        MqttPackets.Publish(packet, V5, topic, payload.Span, qos1: true, retain, id, contentType);
        await SendAsync(packet.WrittenMemory, ct).ConfigureAwait(false);
        var (reason, _) = await waiter.Task.WaitAsync(ct).ConfigureAwait(false);
        return reason;
    }

    /// <summary>Subscribes to <paramref name="filters"/> at QoS 1; returns the SUBACK's codes, one per filter.</summary>
    public async Task<byte[]> SubscribeAsync(IReadOnlyList<string> filters, bool retainAsPublished, CancellationToken ct)
    {
        var waiter = new AckWaiter();
        var id = Register(waiter);
        await SendAsync(MqttPackets.Subscribe(V5, id, filters, retainAsPublished), ct).ConfigureAwait(false);
        var (_, codes) = await waiter.Task.WaitAsync(ct).ConfigureAwait(false);
        return codes;
    }

    /// <summary>Sends DISCONNECT (the broker then drops the will) and closes.</summary>
    public async Task DisconnectAsync(CancellationToken ct)
    {
        if (!IsConnected)
        {
            return;
        }

        try
        {
            await SendAsync(MqttPackets.Disconnect, ct).ConfigureAwait(false);
        }
        finally
        {
            Close("disconnected by the station");
        }
    }

    /// <summary>Ends the connection now without DISCONNECT (the broker sends the will).</summary>
    public void Dispose() => Close("closed by the station");

    private async Task HandshakeAsync(ConnectRequest connect, CancellationToken ct)
    {
        await _stream.WriteAsync(MqttPackets.Connect(connect), ct).ConfigureAwait(false);
        while (true)
        {
            var read = await _stream.ReadAsync(_in.AsMemory(_filled), ct).ConfigureAwait(false);
            if (read == 0)
            {
                throw new BrokerConnectionLostException("the broker closed the connection before its CONNACK");
            }

            _filled += read;
            if (MqttPackets.TryFrame(_in.AsSpan(0, _filled), out var first, out var bodyStart, out var bodyLength, out var length))
            {
                if ((PacketType)(first >> 4) != PacketType.ConnAck)
                {
                    throw new MqttProtocolException($"expected CONNACK, got packet type {first >> 4}");
                }

                var (reason, receiveMaximum, serverKeepAlive, reasonString) =
                    MqttPackets.ParseConnAck(_in.AsSpan(bodyStart, bodyLength), V5);
                if (reason != 0)
                {
                    throw new BrokerRefusedException(reason, reasonString);
                }

                ReceiveMaximum = receiveMaximum;
                Buffer.BlockCopy(_in, length, _in, 0, _filled - length);
                _filled -= length;
                _lastReceived = _lastSent = _time.GetTimestamp();
                var keepAlive = TimeSpan.FromSeconds(serverKeepAlive ?? connect.KeepAliveSeconds);
                _ = Task.Run(ReadLoopAsync, CancellationToken.None);
                _ = Task.Run(() => TendAsync(keepAlive), CancellationToken.None);
                return;
            }

            if (_filled == _in.Length)
            {
                throw new MqttProtocolException("CONNACK larger than the receive buffer");
            }
        }
    }

    // Takes what the socket has, settles every whole packet in it, and keeps the rest for the next read.
    private async Task ReadLoopAsync()
    {
        try
        {
            // Packets that arrived with the CONNACK.
            await DrainAsync().ConfigureAwait(false);
            while (true)
            {
                if (_filled == _in.Length)
                {
                    // A packet larger than the buffer (TryFrame has already refused one over the limit).
                    Array.Resize(ref _in, Math.Min(_in.Length * 2, MqttPackets.MaxInbound + 5));
                }

                var read = await _stream.ReadAsync(_in.AsMemory(_filled), _stop.Token).ConfigureAwait(false);
                if (read == 0)
                {
                    Close("the broker closed the connection");
                    return;
                }

                _filled += read;
                Volatile.Write(ref _lastReceived, _time.GetTimestamp());
                await DrainAsync().ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Close(e is MqttProtocolException ? $"protocol error: {e.Message}" : e.Message);
        }
    }

    private async ValueTask DrainAsync()
    {
        var consumed = 0;
        while (MqttPackets.TryFrame(_in.AsSpan(consumed, _filled - consumed), out var first, out var bodyStart, out var bodyLength, out var length))
        {
            var reply = Handle(first, _in.AsSpan(consumed + bodyStart, bodyLength));
            consumed += length;
            if (reply is not null)
            {
                await SendAsync(reply, _stop.Token).ConfigureAwait(false);
            }
        }

        if (consumed > 0)
        {
            Buffer.BlockCopy(_in, consumed, _in, 0, _filled - consumed);
            _filled -= consumed;
        }
    }

    // Settles one packet; returns the packet to send back, if any.
    private byte[]? Handle(byte first, ReadOnlySpan<byte> body)
    {
        switch ((PacketType)(first >> 4))
        {
            case PacketType.PubAck:
            {
                var (id, reason) = MqttPackets.ParsePubAck(body);
                Take(id)?.Acked(id, reason, []);
                return null;
            }

            case PacketType.SubAck:
            {
                var id = MqttPackets.ParseSubAck(body, V5, out var codes);
                Take(id)?.Acked(id, 0, codes);
                return null;
            }

            case PacketType.Publish:
            {
                var message = MqttPackets.ParsePublish(first, body, V5);
                _onMessage(message);
                return message.Qos switch
                {
                    1 => MqttPackets.Ack(PacketType.PubAck, message.PacketId),
                    2 => MqttPackets.Ack(PacketType.PubRec, message.PacketId),
                    _ => null,
                };
            }

            case PacketType.PubRel:
                return MqttPackets.Ack(PacketType.PubComp, MqttPackets.ParsePubAck(body).PacketId);

            case PacketType.PingResp:
                return null;

            case PacketType.Disconnect:
                Close($"the broker disconnected the station ({MqttPackets.ReasonName(MqttPackets.ParseDisconnect(body))})");
                return null;

            default:
                throw new MqttProtocolException($"unexpected packet type {first >> 4}");
        }
    }

    private PendingAck? Take(ushort id)
    {
        lock (_idLock)
        {
            return _pending.Remove(id, out var entry) ? entry.Owner : null;
        }
    }

    // Keep-alive and answer timeouts: a PINGREQ when nothing was sent for half the keep-alive; the connection is
    // dead when nothing came back for one and a half keep-alives, or a PUBACK/SUBACK is later than the timeout.
    private async Task TendAsync(TimeSpan keepAlive)
    {
        var period = keepAlive > TimeSpan.Zero ? keepAlive / 2 : _timeout / 2;
        if (_timeout / 2 < period)
        {
            period = _timeout / 2;
        }

        if (period < TimeSpan.FromSeconds(1))
        {
            period = TimeSpan.FromSeconds(1);
        }

        try
        {
            using var timer = new PeriodicTimer(period, _time);
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                if (keepAlive > TimeSpan.Zero && _time.GetElapsedTime(Volatile.Read(ref _lastReceived)) > keepAlive * 1.5)
                {
                    Close($"nothing from the broker for {keepAlive.TotalSeconds * 1.5:0.#} s (keep-alive)");
                    return;
                }

                if (OldestAnswerOverdue() is { } late)
                {
                    Close($"no acknowledgement from the broker within {_timeout.TotalSeconds:0.#} s (packet id {late})");
                    return;
                }

                // Not awaited, and not queued behind a write in progress: a write blocked on a broker that stopped
                // reading must not stop this loop from declaring the connection dead (closing it ends that write).
                if (keepAlive > TimeSpan.Zero && _time.GetElapsedTime(Volatile.Read(ref _lastSent)) >= keepAlive / 2 && _writeLock.CurrentCount > 0)
                {
                    _ = PingAsync();
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
    }

    private async Task PingAsync()
    {
        try
        {
            await SendAsync(MqttPackets.PingReq, _stop.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is BrokerConnectionLostException or OperationCanceledException)
        {
            // The connection is closed already; its reason says why.
        }
    }

    private int? OldestAnswerOverdue()
    {
        lock (_idLock)
        {
            foreach (var (id, entry) in _pending)
            {
                if (_time.GetElapsedTime(entry.Since) > _timeout)
                {
                    return id;
                }
            }
        }

        return null;
    }

    private void Close(string reason)
    {
        if (!_closed.TrySetResult(reason))
        {
            return;
        }

        _stop.Cancel();
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }

        _stream.Dispose();
        _socket.Dispose();
        List<PendingAck> owners = [];
        lock (_idLock)
        {
            foreach (var entry in _pending.Values)
            {
                owners.Add(entry.Owner);
            }

            _pending.Clear();
        }

        foreach (var owner in owners.Distinct())
        {
            owner.Lost(reason);
        }
    }

    // One request's answer: the PUBACK's reason, or the SUBACK's codes.
    private sealed class AckWaiter : PendingAck
    {
        private readonly TaskCompletionSource<(byte Reason, byte[] Codes)> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<(byte Reason, byte[] Codes)> Task => _done.Task;

        public override void Acked(ushort packetId, byte reason, ReadOnlySpan<byte> subscribeCodes) =>
            _done.TrySetResult((reason, subscribeCodes.ToArray()));

        public override void Lost(string reason) => _done.TrySetException(new BrokerConnectionLostException(reason));
    }
}
