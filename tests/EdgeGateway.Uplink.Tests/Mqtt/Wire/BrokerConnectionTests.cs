using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using EdgeGateway.Uplink.Mqtt.Wire;
using Microsoft.Extensions.Time.Testing;

namespace EdgeGateway.Uplink.Tests.Mqtt.Wire;

public sealed class BrokerConnectionTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(30);

    private static BrokerConnectOptions Options(int port, bool v5 = true, ushort keepAlive = 30, TimeSpan? timeout = null) =>
        new("127.0.0.1", port, new ConnectRequest(v5, "wire-" + Guid.NewGuid().ToString("N")[..8], keepAlive, "wire/will", "gone"u8.ToArray(), null, null),
            timeout ?? TimeSpan.FromSeconds(10), null);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Mosquitto_BatchOfPublishesInOneWrite_AllAcknowledgedAndDeliveredInOrder(bool v5)
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var hub = await Subscriber.ConnectAsync(broker.Port, "wire/batch");
        using var connection = await BrokerConnection.ConnectAsync(Options(broker.Port, v5), TimeProvider.System, _ => { }, CancellationToken.None);
        var acks = new Recorder();

        var packets = new ArrayBufferWriter<byte>();
        for (var i = 0; i < 20; i++)
        {
            var id = connection.Register(acks);
            MqttPackets.Publish(packets, v5, "wire/batch", Encoding.UTF8.GetBytes($"m{i}"), qos1: true, retain: false, id, v5 ? "text/plain" : null);
        }

        await connection.SendAsync(packets.WrittenMemory, CancellationToken.None);

        await hub.WaitUntilAsync(m => m.Count == 20, Long, "20 messages");
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"m{i}"), hub.Messages.Select(m => m.Payload));
        await Eventually.TrueAsync(() => acks.Answers.Count == 20, Long, "20 PUBACKs");
        Assert.All(acks.Answers, a => Assert.Equal(0, a.Reason));
    }

    [Fact]
    public async Task Mosquitto_InboundQos1Publish_IsDeliveredWithItsRetainFlagAndAcknowledged()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var hub = await Subscriber.ConnectAsync(broker.Port, "");
        await hub.PublishAsync("wire/cmd", "retained-one", retain: true);
        var received = new BlockingCollection<InboundPublish>();
        using var connection = await BrokerConnection.ConnectAsync(Options(broker.Port), TimeProvider.System, received.Add, CancellationToken.None);

        var codes = await connection.SubscribeAsync(["wire/cmd"], retainAsPublished: true, CancellationToken.None);
        Assert.Equal([(byte)1], codes);
        Assert.True(received.TryTake(out var retained, Long));
        Assert.Equal(("wire/cmd", true, "retained-one"), (retained.Topic, retained.Retain, Encoding.UTF8.GetString(retained.Payload.Span)));

        var result = await hub.PublishAsync("wire/cmd", "live");
        Assert.True(result.IsSuccess);
        Assert.True(received.TryTake(out var live, Long));
        Assert.Equal(("live", 1), (Encoding.UTF8.GetString(live.Payload.Span), live.Qos));

        // Our PUBACK went back: a status publish afterwards is still answered on the same connection.
        Assert.Equal(0x10, await connection.PublishAsync("wire/nobody", "x"u8.ToArray(), retain: false, null, CancellationToken.None));
        Assert.True(connection.IsConnected);
    }

    [Fact]
    public async Task Mosquitto_Dispose_WithoutDisconnect_TheBrokerSendsTheWill()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var hub = await Subscriber.ConnectAsync(broker.Port, "wire/will");
        var connection = await BrokerConnection.ConnectAsync(Options(broker.Port), TimeProvider.System, _ => { }, CancellationToken.None);

        connection.Dispose();

        await hub.WaitUntilAsync(m => m.Any(x => x is { Payload: "gone", Retain: false }), Long, "the will");
        Assert.False(connection.IsConnected);
    }

    [Fact]
    public async Task FakeBroker_RefusedConnAck_ThrowsWithTheReasonsName()
    {
        await using var peer = await FakeBroker.StartAsync(connAck: [0x20, 0x02, 0x00, 0x04]);

        var e = await Assert.ThrowsAsync<BrokerRefusedException>(() =>
            BrokerConnection.ConnectAsync(Options(peer.Port, v5: false), TimeProvider.System, _ => { }, CancellationToken.None));

        Assert.Equal("BadUserNameOrPassword", e.CodeName);
    }

    [Fact]
    public async Task FakeBroker_NoConnAck_TimesOut()
    {
        await using var peer = await FakeBroker.StartAsync(connAck: []);

        var e = await Assert.ThrowsAsync<TimeoutException>(() =>
            BrokerConnection.ConnectAsync(Options(peer.Port, timeout: TimeSpan.FromMilliseconds(300)), TimeProvider.System, _ => { }, CancellationToken.None));

        Assert.Contains("CONNACK", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FakeBroker_SilentAfterConnAck_PingsThenDeclaresTheConnectionDead()
    {
        var time = new FakeTimeProvider();
        await using var peer = await FakeBroker.StartAsync(connAck: [0x20, 0x03, 0x00, 0x00, 0x00]);
        using var connection = await BrokerConnection.ConnectAsync(Options(peer.Port, keepAlive: 10, timeout: TimeSpan.FromSeconds(60)), time, _ => { },
            CancellationToken.None);

        // Half a keep-alive of silence from the station: a PINGREQ; a keep-alive and a half from the broker: dead.
        await AdvanceUntilAsync(time, () => peer.Received.Contains((byte)0xC0));
        var reason = await AdvanceUntilClosedAsync(time, connection);

        Assert.Contains("keep-alive", reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FakeBroker_PublishNeverAcknowledged_ClosesAfterTheTimeoutAndFailsTheWaiter()
    {
        var time = new FakeTimeProvider();
        await using var peer = await FakeBroker.StartAsync(connAck: [0x20, 0x03, 0x00, 0x00, 0x00], answerPings: true);
        using var connection = await BrokerConnection.ConnectAsync(Options(peer.Port, keepAlive: 0, timeout: TimeSpan.FromSeconds(5)), time, _ => { },
            CancellationToken.None);

        var publish = connection.PublishAsync("t", "x"u8.ToArray(), retain: false, null, CancellationToken.None);
        var reason = await AdvanceUntilClosedAsync(time, connection);

        Assert.Contains("no acknowledgement", reason, StringComparison.Ordinal);
        await Assert.ThrowsAsync<BrokerConnectionLostException>(() => publish);
    }

    [Fact]
    public async Task FakeBroker_StopsReading_AWriteBlockedOnItEndsWithTheKeepAlive()
    {
        var time = new FakeTimeProvider();
        await using var peer = await FakeBroker.StartAsync(connAck: [0x20, 0x03, 0x00, 0x00, 0x00], readAfterConnAck: false);
        using var connection = await BrokerConnection.ConnectAsync(Options(peer.Port, keepAlive: 10, timeout: TimeSpan.FromSeconds(60)), time, _ => { },
            CancellationToken.None);

        // Whole PUBLISH packets until the socket's buffers are full and a write waits on the broker.
        var packets = new ArrayBufferWriter<byte>();
        while (packets.WrittenCount < 1 << 20)
        {
            MqttPackets.Publish(packets, v5: true, "t", new byte[4000], qos1: false, retain: false, 0, null);
        }

        var writing = Task.Run(async () =>
        {
            while (true)
            {
                await connection.SendAsync(packets.WrittenMemory, CancellationToken.None);
            }
        });
        var reason = await AdvanceUntilClosedAsync(time, connection);

        Assert.Contains("keep-alive", reason, StringComparison.Ordinal);
        await Assert.ThrowsAsync<BrokerConnectionLostException>(() => writing.WaitAsync(Long));
    }

    [Fact]
    public async Task FakeBroker_MalformedPacket_EndsTheConnectionAsAProtocolError()
    {
        await using var peer = await FakeBroker.StartAsync(connAck: [0x20, 0x03, 0x00, 0x00, 0x00, 0x40, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]);
        using var connection = await BrokerConnection.ConnectAsync(Options(peer.Port), TimeProvider.System, _ => { }, CancellationToken.None);

        var reason = await connection.Closed.WaitAsync(Long);

        Assert.Contains("protocol error", reason, StringComparison.Ordinal);
    }

    private static async Task AdvanceUntilAsync(FakeTimeProvider time, Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(Eventually.Interval);
        }

        Assert.True(condition());
    }

    private static async Task<string> AdvanceUntilClosedAsync(FakeTimeProvider time, BrokerConnection connection)
    {
        for (var i = 0; i < 200 && !connection.Closed.IsCompleted; i++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            await Task.WhenAny(connection.Closed, Task.Delay(Eventually.Interval));
        }

        return await connection.Closed.WaitAsync(Long);
    }

    private sealed class Recorder : PendingAck
    {
        public ConcurrentQueue<(ushort Id, byte Reason)> Answers { get; } = new();

        public override void Acked(ushort packetId, byte reason, ReadOnlySpan<byte> subscribeCodes) => Answers.Enqueue((packetId, reason));
    }

    // A TCP peer on loopback that reads the CONNECT, answers with the given bytes, and records what it gets after.
    private sealed class FakeBroker : IAsyncDisposable
    {
        private readonly TcpListener _listener;
        private readonly CancellationTokenSource _stop = new();
        private readonly ConcurrentQueue<byte> _received = new();
        private Task _serve = Task.CompletedTask;

        private FakeBroker(TcpListener listener) => _listener = listener;

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public IReadOnlyCollection<byte> Received => _received;

        public static Task<FakeBroker> StartAsync(byte[] connAck, bool answerPings = false, bool readAfterConnAck = true)
        {
            var listener = new TcpListener(IPAddress.Loopback, Loopback.FreePort());
            listener.Start();
            var peer = new FakeBroker(listener);
            peer._serve = peer.ServeAsync(connAck, answerPings, readAfterConnAck);
            return Task.FromResult(peer);
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            try
            {
                await _serve;
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or IOException or ObjectDisposedException)
            {
            }
        }

        private async Task ServeAsync(byte[] connAck, bool answerPings, bool readAfterConnAck)
        {
            using var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            var stream = client.GetStream();
            var buffer = new byte[4096];
            var first = true;
            while (true)
            {
                var read = await stream.ReadAsync(buffer, _stop.Token);
                if (read == 0)
                {
                    return;
                }

                if (first)
                {
                    first = false;
                    if (connAck.Length > 0)
                    {
                        await stream.WriteAsync(connAck, _stop.Token);
                    }

                    if (!readAfterConnAck)
                    {
                        // A broker that has stopped reading: the connection stays open until the test ends.
                        await Task.Delay(Timeout.Infinite, _stop.Token);
                    }

                    continue;
                }

                for (var i = 0; i < read; i++)
                {
                    _received.Enqueue(buffer[i]);
                }

                if (answerPings && buffer.AsSpan(0, read).IndexOf((byte)0xC0) >= 0)
                {
                    await stream.WriteAsync(new byte[] { 0xD0, 0x00 }, _stop.Token);
                }
            }
        }
    }
}
