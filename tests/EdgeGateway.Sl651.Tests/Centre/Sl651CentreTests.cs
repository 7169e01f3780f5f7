using System.Collections.Concurrent;
using System.Net;
using EdgeGateway.Sl651.Centre;
using EdgeGateway.Sl651.Tests.Testing;

namespace EdgeGateway.Sl651.Tests.Centre;

/// <summary>The bench centre over real loopback sockets: framing by the length field, confirmations, garbage, stopping.</summary>
public sealed class Sl651CentreTests : IAsyncLifetime, IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private readonly ConcurrentQueue<Sl651CentreFrame> _frames = new();
    private readonly ConcurrentQueue<Sl651CentreGarbage> _garbage = new();
    private readonly SemaphoreSlim _seen = new(0);
    private readonly SemaphoreSlim _disconnected = new(0);
    private Sl651Centre _centre = null!;
    private IPEndPoint _endpoint = null!;

    public Task InitializeAsync()
    {
        _centre = new Sl651Centre(new IPEndPoint(IPAddress.Loopback, 0), new Sl651CentreOptions
        {
            OnFrame = f =>
            {
                _frames.Enqueue(f);
                _seen.Release();
            },
            OnGarbage = g =>
            {
                _garbage.Enqueue(g);
                _seen.Release();
            },
            OnDisconnected = _ => _disconnected.Release(),
        });
        _endpoint = _centre.Start();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _centre.DisposeAsync();

    public void Dispose()
    {
        _seen.Dispose();
        _disconnected.Dispose();
    }

    [Fact]
    public async Task PublicSampleReport_IsConfirmedByteForByteAndReported()
    {
        using var station = await ConnectAsync();

        await station.SendAsync(Convert.FromHexString(GoldenVectorTests.SampleReport));

        Assert.Equal(GoldenVectorTests.SampleConfirmation, await station.ReadFrameHexAsync());
        Assert.True(await _seen.WaitAsync(Wait));
        var seen = Assert.Single(_frames);
        Assert.Equal(GoldenVectorTests.SampleReport, seen.RawHex);
        Assert.True(seen.Confirmed);
        Assert.Equal(0x12, seen.Frame.Serial);
        Assert.Equal(station.LocalEndPoint, seen.Remote);
        Assert.Equal(1, _centre.ConfirmedCount);
    }

    [Fact]
    public async Task SerialsHolding7E_SentByteByByte_AreCutByTheLengthField()
    {
        using var station = await ConnectAsync();
        // 0x7E7E as a serial and 7E in the password: a reader looking for 7E 7E would cut these frames wrong.
        var first = Report(serial: 0x7E7E, password: 0x7E7E, function: Sl651Function.Timed);
        var second = Report(serial: 0x7E7F, password: 0x7E7E, function: Sl651Function.Add);
        var both = first.Concat(second).ToArray();

        foreach (var b in both)
        {
            await station.SendAsync([b]);
        }

        Assert.Equal(Convert.ToHexString(Expected(first)), await station.ReadFrameHexAsync());
        Assert.Equal(Convert.ToHexString(Expected(second)), await station.ReadFrameHexAsync());
        Assert.True(await _seen.WaitAsync(Wait));
        Assert.True(await _seen.WaitAsync(Wait));
        Assert.Equal([(ushort)0x7E7E, (ushort)0x7E7F], _frames.Select(f => f.Frame.Serial));
    }

    [Fact]
    public async Task SeveralStations_AtOnce_EachGetsItsOwnConfirmation()
    {
        using var a = await ConnectAsync();
        using var b = await ConnectAsync();
        var fromA = Report(serial: 1, password: 0x1111, function: Sl651Function.Timed, station: "0000000001");
        var fromB = Report(serial: 1, password: 0x2222, function: Sl651Function.Timed, station: "0000000002");

        await b.SendAsync(fromB);
        await a.SendAsync(fromA);

        Assert.Equal(Convert.ToHexString(Expected(fromA)), await a.ReadFrameHexAsync());
        Assert.Equal(Convert.ToHexString(Expected(fromB)), await b.ReadFrameHexAsync());
    }

    [Fact]
    public async Task KeepAlive_IsReportedButNotConfirmed()
    {
        using var station = await ConnectAsync();
        var keepAlive = Sl651Encoder.Encode(new Sl651Frame
        {
            Direction = Sl651Direction.Up,
            Centre = 1,
            Station = "0012345678",
            Password = 0x04D2,
            Function = Sl651Function.LinkKeepAlive,
            Serial = 5,
            SendTime = new DateTime(2026, 7, 1, 8, 0, 0),
            End = Sl651EndByte.Etx,
        });
        var report = Report(serial: 6, password: 0x04D2, function: Sl651Function.Timed);

        await station.SendAsync(keepAlive);
        await station.SendAsync(report);

        // The first downlink is the report's: nothing answered the keep-alive.
        Assert.Equal(Convert.ToHexString(Expected(report)), await station.ReadFrameHexAsync());
        Assert.True(await _seen.WaitAsync(Wait));
        Assert.True(await _seen.WaitAsync(Wait));
        Assert.Equal([false, true], _frames.Select(f => f.Confirmed));
        Assert.Equal(1, _centre.ConfirmedCount);
        Assert.Equal(2, _centre.FrameCount);
    }

    [Fact]
    public async Task Garbage_IsReportedAndDropsThatConnection_TheNextConnectionIsServed()
    {
        using (var bad = await ConnectAsync())
        {
            await bad.SendAsync("GET / HTTP/1.1\r\n"u8.ToArray());

            Assert.True(await _seen.WaitAsync(Wait));
            var garbage = Assert.Single(_garbage);
            Assert.Equal(Sl651FrameError.BadStart, garbage.Error.Error);
            Assert.Equal(0, await bad.ReadToEndAsync());
        }

        using var good = await ConnectAsync();
        await good.SendAsync(Convert.FromHexString(GoldenVectorTests.SampleReport));

        Assert.Equal(GoldenVectorTests.SampleConfirmation, await good.ReadFrameHexAsync());
        Assert.Equal(1, _centre.GarbageCount);
    }

    [Fact]
    public async Task BadCrc_IsGarbage_NothingIsConfirmed()
    {
        using var station = await ConnectAsync();
        var damaged = Convert.FromHexString(GoldenVectorTests.SampleReport);
        damaged[^1] ^= 0x01;

        await station.SendAsync(damaged);

        Assert.True(await _seen.WaitAsync(Wait));
        Assert.Equal(Sl651FrameError.BadCrc, Assert.Single(_garbage).Error.Error);
        Assert.Equal(Convert.ToHexString(damaged), _garbage.Single().ReceivedHex);
        Assert.Equal(0, await station.ReadToEndAsync());
        Assert.Equal(0, _centre.ConfirmedCount);
    }

    [Fact]
    public async Task Dispose_WithStationsConnected_EndsEveryConnection()
    {
        using var a = await ConnectAsync();
        using var b = await ConnectAsync();
        await a.SendAsync(Convert.FromHexString(GoldenVectorTests.SampleReport));
        Assert.Equal(GoldenVectorTests.SampleConfirmation, await a.ReadFrameHexAsync());
        // b has sent half a header: its loop is waiting for the rest.
        await b.SendAsync([0x7E, 0x7E, 0x01]);

        await _centre.DisposeAsync().AsTask().WaitAsync(Wait);

        Assert.True(await _disconnected.WaitAsync(Wait));
        Assert.True(await _disconnected.WaitAsync(Wait));
        Assert.Equal(0, _centre.ConnectionCount);
        Assert.Equal(0, await a.ReadToEndAsync());
        Assert.Equal(0, await b.ReadToEndAsync());
    }

    private static byte[] Report(ushort serial, ushort password, Sl651Function function, string station = "0012345678") =>
        Sl651Encoder.Encode(new Sl651Frame
        {
            Direction = Sl651Direction.Up,
            Centre = 1,
            Station = station,
            Password = password,
            Function = function,
            Serial = serial,
            SendTime = new DateTime(2026, 7, 1, 8, 0, 3),
            Report = new Sl651ReportHeader(station, Sl651StationType.River, new DateTime(2026, 7, 1, 8, 0, 0)),
            Elements = [Sl651Element.Number(Sl651Elements.RiverLevel, 3.25m)],
            End = Sl651EndByte.Etx,
        });

    /// <summary>The confirmation built field by field from the report's bytes, not through the centre's own code.</summary>
    private static byte[] Expected(byte[] report)
    {
        var frame = new List<byte> { 0x7E, 0x7E };
        frame.AddRange(report.AsSpan(3, 5).ToArray()); // station
        frame.Add(report[2]);                          // centre
        frame.AddRange(report.AsSpan(8, 3).ToArray()); // password, function
        frame.AddRange(new byte[] { 0x80, 0x08, 0x02 });
        frame.AddRange(report.AsSpan(14, 8).ToArray()); // serial, send time
        frame.Add(0x1B);
        var crc = ReferenceFrame.Crc([.. frame]);
        frame.Add((byte)(crc >> 8));
        frame.Add((byte)crc);
        return [.. frame];
    }

    private Task<StationSocket> ConnectAsync() => StationSocket.ConnectAsync(_endpoint, Wait);
}
