using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using EdgeGateway.Sl651;
using EdgeGateway.Sl651.Tests.Testing;

namespace EdgeGateway.Tests.Cli;

/// <summary><c>edgegw sim sl651-centre</c> as its own process, with a test station on loopback.</summary>
public sealed partial class SimSl651CentreCommandTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private const string SampleReport =
        "7E7E02001234567804D232002B020012141205110002F1F1001234567848F0F01412051100201900010026190001003923000144203812122003" + "9FE1";

    private const string SampleConfirmation = "7E7E001234567802" + "04D2328008020012141205110002" + "1B" + "BD6C";

    [Fact]
    public async Task SimSl651Centre_Text_ConfirmsTheSampleAndOurFramesByteForByte_DropsGarbage_StopsWithExit0()
    {
        await using var centre = EdgegwProcess.Start("sim", "sl651-centre", "--port", "0");
        var port = await ListeningPortAsync(centre, TextListening());
        // An add report of our own: serial 7E7E, a negative level and a gauge with no data.
        var own = Sl651Encoder.Encode(new Sl651Frame
        {
            Direction = Sl651Direction.Up,
            Centre = 1,
            Station = "4401020304",
            Password = 0x1234,
            Function = Sl651Function.Add,
            Serial = 0x7E7E,
            SendTime = new DateTime(2026, 7, 1, 8, 5, 9),
            Report = new Sl651ReportHeader("4401020304", Sl651StationType.River, new DateTime(2026, 7, 1, 8, 5, 0)),
            Elements = [Sl651Element.Number(Sl651Elements.RiverLevel, -1.25m), Sl651Element.NoData(Sl651Elements.AccumulatedRainfall)],
            End = Sl651EndByte.Etx,
        });

        using (var station = await ConnectAsync(port))
        {
            await station.SendAsync(Convert.FromHexString(SampleReport));
            Assert.Equal(SampleConfirmation, await station.ReadFrameHexAsync());
            await station.SendAsync(own);
            // The confirmation written out by hand; its CRC from a CRC-16/MODBUS outside this code base.
            Assert.Equal("7E7E4401020304011234338008027E7E2607010805091B" + "F92B", await station.ReadFrameHexAsync());
        }

        await centre.WaitForLineAsync("serial 32382", Wait);
        var lines = centre.StandardOutput.Split('\n');
        Assert.Contains(lines, l => l.EndsWith(
            ": 32 timed report, up, station 0012345678, centre 2, password 04D2, serial 18, sent 2014-12-05 11:00:02, type H (river), "
            + "observed 2014-12-05 11:00, 20=10.0 mm, 26=10.0 mm, 39=14.420 m, 38=12.20 V, end 03 ETX (last packet), crc 9FE1 ok -> confirmed",
            StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("33 add report", StringComparison.Ordinal) && l.Contains("39=-1.250 m, 26=no data", StringComparison.Ordinal));

        using (var garbage = await ConnectAsync(port))
        {
            await garbage.SendAsync("AT+CIPSTART\r\n"u8.ToArray());
            await centre.WaitForLineAsync("not a frame: a frame starts 7E 7E, not 41 (byte 0); connection dropped", Wait);
            Assert.Equal(0, await garbage.ReadToEndAsync());
        }

        using (var next = await ConnectAsync(port))
        {
            await next.SendAsync(Convert.FromHexString(SampleReport));
            Assert.Equal(SampleConfirmation, await next.ReadFrameHexAsync());
        }

        Assert.Equal(0, await centre.TerminateAsync(Wait));
        Assert.Contains("stopped after 3 frames, 3 confirmed, 1 connections dropped for garbage", centre.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SimSl651Centre_Json_PrintsEachFrameAsSl651DecodeJson()
    {
        await using var centre = EdgegwProcess.Start("sim", "sl651-centre", "--port", "0", "--json");
        var port = await ListeningPortAsync(centre, JsonListening());

        using (var station = await ConnectAsync(port))
        {
            await station.SendAsync(Convert.FromHexString(SampleReport));
            Assert.Equal(SampleConfirmation, await station.ReadFrameHexAsync());
        }

        await centre.WaitForLineAsync("\"crcOk\":true", Wait);
        var lines = centre.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        // Every stdout line is JSON: the listening line, then the frame.
        using var listening = JsonDocument.Parse(lines[0]);
        Assert.Equal(port, listening.RootElement.GetProperty("port").GetInt32());
        using var frame = JsonDocument.Parse(lines[1]);
        Assert.Equal("32", frame.RootElement.GetProperty("function").GetString());
        Assert.Equal(18, frame.RootElement.GetProperty("serial").GetInt32());
        Assert.Equal(14.420m, frame.RootElement.GetProperty("elements")[2].GetProperty("value").GetDecimal());
        Assert.Equal(
            """{"function":"32","direction":"up","centre":2,"station":"0012345678","password":"04D2","serial":18,"sendTime":"2014-12-05T11:00:02","stationType":"H","observationTime":"2014-12-05T11:00","elements":[{"id":"20","value":10.0},{"id":"26","value":10.0},{"id":"39","value":14.420},{"id":"38","value":12.20}],"end":"03","crcOk":true}""",
            lines[1]);
        Assert.Equal(0, await centre.TerminateAsync(Wait));
    }

    [Fact]
    public async Task SimSl651Centre_BadAddress_IsAUsageError()
    {
        var (exit, _, stderr) = await EdgegwProcess.RunAsync("sim", "sl651-centre", "--port", "5001", "--address", "centre.local");

        Assert.Equal(2, exit);
        Assert.Contains("--address 'centre.local' is not an IP address", stderr, StringComparison.Ordinal);
    }

    private static async Task<int> ListeningPortAsync(TestProcess centre, Regex listening)
    {
        await centre.WaitForLineAsync("127.0.0.1:", Wait);
        var match = listening.Match(centre.StandardOutput);
        Assert.True(match.Success, centre.StandardOutput);
        return int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    private static Task<StationSocket> ConnectAsync(int port) => StationSocket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), Wait);

    [GeneratedRegex(@"SL 651 centre listening on 127\.0\.0\.1:(\d+)")]
    private static partial Regex TextListening();

    [GeneratedRegex(@"""listening"":""127\.0\.0\.1:\d+"",""port"":(\d+)")]
    private static partial Regex JsonListening();
}
