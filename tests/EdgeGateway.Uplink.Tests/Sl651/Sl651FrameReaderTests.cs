using System.IO.Pipelines;
using EdgeGateway.Sl651;
using EdgeGateway.Uplink.Sl651;

namespace EdgeGateway.Uplink.Tests.Sl651;

public sealed class Sl651FrameReaderTests
{
    // The public sample's confirmation.
    private static readonly byte[] Confirmation = Convert.FromHexString("7E7E001234567802" + "04D2328008020012141205110002" + "1BBD6C");

    [Fact]
    public async Task ReadAsync_FramesArrivingByteByByte_CutsThemByLengthEvenWithA7EInTheSerial()
    {
        var serial7E = Sl651Encoder.Encode(new Sl651Frame
        {
            Direction = Sl651Direction.Down,
            Centre = 2,
            Station = "0012345678",
            Password = 0x7E7E,
            Function = Sl651Function.Timed,
            Serial = 0x7E7E,
            SendTime = new DateTime(2026, 7, 1, 10, 0, 1),
            End = Sl651EndByte.Esc,
        });
        var pipe = new Pipe();
        var reader = new Sl651FrameReader(pipe.Reader.AsStream());
        var first = reader.ReadAsync(CancellationToken.None);
        foreach (var b in Confirmation.Concat(serial7E))
        {
            await pipe.Writer.WriteAsync(new[] { b });
        }

        Assert.Equal((ushort)0x12, (await first).Serial);
        Assert.Equal((ushort)0x7E7E, (await reader.ReadAsync(CancellationToken.None)).Serial);
    }

    [Fact]
    public async Task ReadAsync_Garbage_ThrowsTheFrameError()
    {
        var reader = new Sl651FrameReader(new MemoryStream("HELLO? this is no frame\r\n"u8.ToArray()));

        var error = await Assert.ThrowsAsync<Sl651FrameException>(() => reader.ReadAsync(CancellationToken.None));
        Assert.Equal(Sl651FrameError.BadStart, error.Error);
    }

    [Fact]
    public async Task ReadAsync_BadCrc_ThrowsTheFrameError()
    {
        var damaged = (byte[])Confirmation.Clone();
        damaged[^1] ^= 0x01;
        var reader = new Sl651FrameReader(new MemoryStream(damaged));

        var error = await Assert.ThrowsAsync<Sl651FrameException>(() => reader.ReadAsync(CancellationToken.None));
        Assert.Equal(Sl651FrameError.BadCrc, error.Error);
    }

    [Fact]
    public async Task ReadAsync_ClosedMidFrame_ThrowsEndOfStream()
    {
        var reader = new Sl651FrameReader(new MemoryStream(Confirmation[..10]));

        await Assert.ThrowsAsync<EndOfStreamException>(() => reader.ReadAsync(CancellationToken.None));
    }
}
