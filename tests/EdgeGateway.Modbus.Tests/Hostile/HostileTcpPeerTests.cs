using System.Diagnostics;
using EdgeGateway.Modbus.Tests.Support;

namespace EdgeGateway.Modbus.Tests.Hostile;

/// <summary>
/// A Modbus TCP peer that lies: each kind of bad answer must end in a clear typed error within the timeout,
/// with no value, and the next request on the same client must work again.
/// </summary>
public sealed class HostileTcpPeerTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(3);

    public static TheoryData<string, ModbusFrameError> BadAnswers => new()
    {
        { "garbage", ModbusFrameError.BadProtocolId },
        { "wrong transaction", ModbusFrameError.WrongTransaction },
        { "wrong unit", ModbusFrameError.WrongSlave },
        { "wrong function", ModbusFrameError.WrongFunction },
        { "oversized byte count", ModbusFrameError.BadByteCount },
        { "byte count beyond the frame", ModbusFrameError.BadByteCount },
        { "MBAP length too large", ModbusFrameError.BadLength },
        { "MBAP length zero", ModbusFrameError.BadLength },
        { "MBAP length disagrees with the PDU", ModbusFrameError.BadLength },
        { "bad protocol id", ModbusFrameError.BadProtocolId },
        { "exception frame too long", ModbusFrameError.BadLength },
        { "truncated then closed", ModbusFrameError.Truncated },
        { "truncated then silent", ModbusFrameError.Truncated },
    };

    [Theory]
    [MemberData(nameof(BadAnswers))]
    public async Task ReadHoldingRegisters_BadAnswer_ThrowsTypedFrameErrorWithinTimeoutThenRecovers(string answer, ModbusFrameError expected)
    {
        var first = true;
        await using var peer = new HostileTcpPeer(request =>
        {
            if (!first)
            {
                return new HostileReply(Good(request));
            }

            first = false;
            return Bad(answer, request);
        });
        await using var client = ModbusClient.CreateTcp("127.0.0.1", peer.Port, new ModbusClientOptions { Timeout = Timeout });

        var watch = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<ModbusFrameException>(() => client.ReadHoldingRegistersAsync(1, 0, 2));
        Assert.True(watch.Elapsed < Timeout + Slack, $"took {watch.Elapsed}");
        Assert.Equal(expected, e.Reason);

        Assert.Equal(new ushort[] { 0x1234, 0x5678 }, await client.ReadHoldingRegistersAsync(1, 0, 2));
    }

    [Fact]
    public async Task ReadHoldingRegisters_LateAnswerToAnEarlierRequestFirst_SkipsItAndReadsOurs()
    {
        await using var peer = new HostileTcpPeer(request =>
        {
            var transaction = Frames.TransactionOf(request);
            var late = Frames.Tcp((ushort)(transaction - 1), 1, Frames.RegistersPdu(3, 0xDEAD, 0xBEEF));
            return new HostileReply([.. late, .. Good(request)]);
        });
        await using var client = ModbusClient.CreateTcp("127.0.0.1", peer.Port, new ModbusClientOptions { Timeout = Timeout });
        Assert.Equal(new ushort[] { 0x1234, 0x5678 }, await client.ReadHoldingRegistersAsync(1, 0, 2));
    }

    [Fact]
    public async Task ReadHoldingRegisters_PeerHangsUpAfterEveryAnswer_ReconnectsEachTime()
    {
        await using var peer = new HostileTcpPeer(request => new HostileReply(Good(request), CloseAfter: true));
        await using var client = ModbusClient.CreateTcp("127.0.0.1", peer.Port, new ModbusClientOptions { Timeout = Timeout });
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(new ushort[] { 0x1234, 0x5678 }, await client.ReadHoldingRegistersAsync(1, 0, 2));
        }

        Assert.Equal(5, peer.Connections);
    }

    [Fact]
    public async Task ReadHoldingRegisters_PeerHangsUpWithoutAnswer_ThrowsConnectionError()
    {
        await using var peer = new HostileTcpPeer(_ => new HostileReply([], CloseAfter: true));
        await using var client = ModbusClient.CreateTcp("127.0.0.1", peer.Port, new ModbusClientOptions { Timeout = Timeout });
        await Assert.ThrowsAsync<ModbusConnectionException>(() => client.ReadHoldingRegistersAsync(1, 0, 2));
    }

    [Fact]
    public async Task ReadHoldingRegisters_BadAnswerThenGoodWithOneRetry_ReturnsTheGoodValue()
    {
        var count = 0;
        await using var peer = new HostileTcpPeer(request =>
            Interlocked.Increment(ref count) == 1 ? Bad("wrong function", request) : new HostileReply(Good(request)));
        await using var client = ModbusClient.CreateTcp("127.0.0.1", peer.Port, new ModbusClientOptions { Timeout = Timeout, Retries = 1 });
        Assert.Equal(new ushort[] { 0x1234, 0x5678 }, await client.ReadHoldingRegistersAsync(1, 0, 2));
        Assert.Equal(2, peer.Requests);
    }

    private static byte[] Good(byte[] request) =>
        Frames.Tcp(Frames.TransactionOf(request), request[6], Frames.RegistersPdu(3, 0x1234, 0x5678));

    internal static HostileReply Bad(string answer, byte[] request)
    {
        var transaction = Frames.TransactionOf(request);
        var unit = request[6];
        var good = Frames.RegistersPdu(3, 0x1234, 0x5678);
        return answer switch
        {
            "garbage" => new HostileReply(Frames.Hex("DEADBEEFCAFEBABE0011223344556677")),
            "wrong transaction" => new HostileReply(Frames.Tcp((ushort)(transaction + 1000), unit, good)),
            "wrong unit" => new HostileReply(Frames.Tcp(transaction, (byte)(unit + 1), good)),
            "wrong function" => new HostileReply(Frames.Tcp(transaction, unit, [4, .. good[1..]])),
            "oversized byte count" => new HostileReply(Frames.Tcp(transaction, unit, [3, 250, .. new byte[250]])),
            "byte count beyond the frame" => new HostileReply(Frames.Tcp(transaction, unit, [3, 200, 0x12, 0x34, 0x56, 0x78])),
            "MBAP length too large" => new HostileReply(Frames.Tcp(transaction, unit, good, length: 300)),
            "MBAP length zero" => new HostileReply(Frames.Tcp(transaction, unit, good, length: 0)),
            "MBAP length disagrees with the PDU" => new HostileReply(Frames.Tcp(transaction, unit, [.. good, 0, 0], length: good.Length + 3)),
            "bad protocol id" => new HostileReply(Frames.Tcp(transaction, unit, good, protocol: 1)),
            "exception frame too long" => new HostileReply(Frames.Tcp(transaction, unit, [0x83, 2, 0])),
            "truncated then closed" => new HostileReply(Frames.Tcp(transaction, unit, good)[..10], CloseAfter: true),
            "truncated then silent" => new HostileReply(Frames.Tcp(transaction, unit, good)[..10]),
            _ => throw new ArgumentOutOfRangeException(nameof(answer)),
        };
    }

    [Fact]
    public void Bad_EveryAnswerDiffersFromTheGoodFrame()
    {
        var request = Frames.Hex("0007 0000 0006 01 03 0000 0002");
        foreach (var row in BadAnswers)
        {
            var bad = Bad((string)row[0], request).Bytes;
            Assert.NotEqual(Good(request), bad);
        }
    }
}
