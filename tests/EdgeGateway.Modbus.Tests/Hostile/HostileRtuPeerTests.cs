using System.Diagnostics;
using EdgeGateway.Modbus.Tests.Support;
using EdgeGateway.Modbus.Transports;

namespace EdgeGateway.Modbus.Tests.Hostile;

/// <summary>
/// An RTU peer on a real pty that lies: each bad answer ends in a typed error within the timeout, the line
/// is resynchronised, and the next request on the same client works.
/// </summary>
public sealed class HostileRtuPeerTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(3);

    public static TheoryData<string, ModbusFrameError> BadAnswers => new()
    {
        { "garbage", ModbusFrameError.WrongSlave },
        { "bad crc", ModbusFrameError.BadCrc },
        { "wrong slave", ModbusFrameError.WrongSlave },
        { "wrong function", ModbusFrameError.WrongFunction },
        { "oversized byte count", ModbusFrameError.BadByteCount },
        { "truncated", ModbusFrameError.Truncated },
        { "exception with bad crc", ModbusFrameError.BadCrc },
        { "good frame then noise", ModbusFrameError.BadCrc },
    };

    [Theory]
    [MemberData(nameof(BadAnswers))]
    public async Task ReadHoldingRegisters_BadAnswer_ThrowsTypedFrameErrorWithinTimeoutThenRecovers(string answer, ModbusFrameError expected)
    {
        var first = true;
        await using var peer = await HostileRtuPeer.StartAsync(request =>
        {
            if (!first)
            {
                return new HostileReply(Good(request));
            }

            first = false;
            return new HostileReply(Bad(answer, request));
        });
        await using var client = ModbusClient.CreateRtu(new SerialSettings(peer.ClientDevice, 115200), new ModbusClientOptions { Timeout = Timeout });

        var watch = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<ModbusFrameException>(() => client.ReadHoldingRegistersAsync(1, 0, 2));
        Assert.True(watch.Elapsed < Timeout + Slack, $"took {watch.Elapsed}");
        Assert.Equal(expected, e.Reason);

        Assert.Equal(new ushort[] { 0x1234, 0x5678 }, await client.ReadHoldingRegistersAsync(1, 0, 2));
    }

    [Fact]
    public async Task ReadHoldingRegisters_GarbageThenGoodWithOneRetry_ResynchronisesAndReturnsTheGoodValue()
    {
        var count = 0;
        await using var peer = await HostileRtuPeer.StartAsync(request =>
            new HostileReply(Interlocked.Increment(ref count) == 1 ? Bad("garbage", request) : Good(request)));
        await using var client = ModbusClient.CreateRtu(new SerialSettings(peer.ClientDevice, 115200), new ModbusClientOptions { Timeout = Timeout, Retries = 1 });
        Assert.Equal(new ushort[] { 0x1234, 0x5678 }, await client.ReadHoldingRegistersAsync(1, 0, 2));
        Assert.Equal(2, peer.Requests);
    }

    [Fact]
    public async Task ReadHoldingRegisters_StaleBytesBeforeTheRequest_AreFlushed()
    {
        var count = 0;
        await using var peer = await HostileRtuPeer.StartAsync(request =>
            // The first answer is followed by a stray copy that arrives after the master has its frame.
            new HostileReply(Interlocked.Increment(ref count) == 1 ? [.. Good(request), .. Frames.Rtu(1, Frames.RegistersPdu(3, 0xDEAD, 0xBEEF))] : Good(request)));
        await using var client = ModbusClient.CreateRtu(new SerialSettings(peer.ClientDevice, 115200), new ModbusClientOptions { Timeout = Timeout });
        Assert.Equal(new ushort[] { 0x1234, 0x5678 }, await client.ReadHoldingRegistersAsync(1, 0, 2));
        // Let the stray frame land in the input buffer, then read again: it must not be taken for the answer.
        await peer.WaitRepliesDeliveredAsync(Timeout);
        Assert.Equal(new ushort[] { 0x1234, 0x5678 }, await client.ReadHoldingRegistersAsync(1, 0, 2));
    }

    private static byte[] Good(byte[] request) => Frames.Rtu(request[0], Frames.RegistersPdu(3, 0x1234, 0x5678));

    private static byte[] Bad(string answer, byte[] request)
    {
        var good = Good(request);
        return answer switch
        {
            "garbage" => Frames.Hex("FFFE00DEADBEEF0102030405060708090A0B0C0D"),
            "bad crc" => [.. good[..^1], (byte)(good[^1] ^ 0x01)],
            "wrong slave" => Frames.Rtu((byte)(request[0] + 1), Frames.RegistersPdu(3, 0x1234, 0x5678)),
            "wrong function" => Frames.Rtu(request[0], [4, .. Frames.RegistersPdu(3, 0x1234, 0x5678)[1..]]),
            "oversized byte count" => Frames.Rtu(request[0], [3, 250, .. new byte[250]]),
            "truncated" => good[..4],
            "exception with bad crc" => [.. Frames.Rtu(request[0], 0x83, 0x02)[..^1], 0x00],
            "good frame then noise" => [.. good[..3], 0xFF, .. good[4..]],
            _ => throw new ArgumentOutOfRangeException(nameof(answer)),
        };
    }
}
