using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using EdgeGateway.TestSupport.Modbus;
using EdgeGateway.Sl651;
using EdgeGateway.Tests.TestSupport;
using Xunit.Abstractions;

namespace EdgeGateway.Tests.EndToEnd;

/// <summary>
/// The SL 651 remote station through real processes: <c>edgegw run</c> polling the libmodbus peer (holding
/// register 0 holds 0x1000, read as 4.096 m) and counting a simulated tipping bucket, reporting to a centre on
/// loopback that checks every frame's layout and CRC on its own and confirms; the first centre listed is a port
/// nobody listens on, so every connection also shows the centres tried in order. Timed reports every 2 s and
/// keep-alives after 1 s idle keep each case to seconds.
/// </summary>
public sealed partial class Sl651StationProcessTests : IAsyncLifetime, IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private static readonly TimeZoneInfo Beijing = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    private readonly TempDirectory _dir = new();
    private readonly ITestOutputHelper _output;
    private LibModbusPeer? _peer;
    private Sl651TestCentre? _centre;
    private string _config = "";

    public Sl651StationProcessTests(ITestOutputHelper output) => _output = output;

    public async Task InitializeAsync()
    {
        _peer = await LibModbusPeer.StartTcpAsync();
        _centre = Sl651TestCentre.Start();
        _config = new StationYaml("sl651-bench", _dir)
            .Station("timezone: Asia/Shanghai")
            .Storage(more: "queueLimit: 1MB")
            .Buses($$"""
                - id: plc
                  modbus-tcp: { host: 127.0.0.1, port: {{_peer.Port}} }
                  timeout: 500ms
                """)
            .Sensor("""
                - id: river-level
                  kind: water-level
                  unit: m
                  modbus: { bus: plc, slave: 1, table: holding, address: 0, type: uint16 }
                  scale: 0.001
                  poll: 1s
                """)
            .Sensor("""
                - id: rain-gauge
                  kind: rain-pulse
                  unit: mm
                  gpio: { pin: 17, edge: falling, pull: up, debounce: 5ms }
                  mmPerTip: 0.5
                """)
            .Alerting("{ id: watch, severity: Moderate }", "{ id: rain-1h, sensor: rain-gauge, measure: { sum: 1h }, above: { watch: 2 } }")
            .Section($$"""
                uplink:
                  sl651:
                    centres: [ { host: 127.0.0.1, port: {{QuietStation.ClosedLoopbackPort()}} }, { host: 127.0.0.1, port: {{_centre.Port}} } ]
                    centre: 2
                    station: "0012345678"
                    password: "04D2"
                    stationType: H
                    timed: 2s
                    keepAlive: 1s
                    elements:
                      - { sensor: river-level, element: "39" }
                      - { sensor: rain-gauge,  element: "26" }
                      - { sensor: rain-gauge,  element: "1A" }
                """)
            .Write();
    }

    public async Task DisposeAsync()
    {
        if (_centre is not null)
        {
            await _centre.DisposeAsync();
        }

        if (_peer is not null)
        {
            await _peer.DisposeAsync();
        }
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Station_SendsKeepAlivesAndTimedReportsWhose39IsTheRegister_InLocalTime()
    {
        await using var station = EdgegwProcess.Start("run", "--config", _config);
        var centre = _centre!;

        var keepAlive = await centre.WaitForAsync(r => r.Frame.Function == Sl651Function.LinkKeepAlive, Patience);
        var timed = await centre.WaitForAsync(r => r.Frame.Function == Sl651Function.Timed && r.Frame.Elements[0].Value is not null, Patience);

        Assert.Equal(4.096m, timed.Frame.Elements[0].Value);
        Assert.Equal(0.0m, timed.Frame.Elements[1].Value);                 // 26: no tip yet
        Assert.Equal((byte)2, timed.Frame.Centre);
        Assert.Equal(Sl651StationType.River, timed.Frame.Report!.StationType);
        var local = TimeZoneInfo.ConvertTime(timed.At, Beijing).DateTime;
        Assert.InRange((local - timed.Frame.Report.ObservationTime!.Value).TotalSeconds, 0, 61);   // Beijing time, to the minute
        Assert.Empty(keepAlive.Frame.Elements);
        Assert.Empty(centre.Problems);

        await station.WaitForLineAsync("confirmed by the centre", Patience);
        var (code, json, stderr) = await EdgegwProcess.RunAsync("status", "--json", "--config", _config);
        Assert.True(code == 0, stderr);
        var sl651 = JsonNode.Parse(json)!["sl651"]!;
        Assert.Equal("connected", sl651["state"]!.GetValue<string>());
        Assert.Equal($"127.0.0.1:{centre.Port}", sl651["centre"]!.GetValue<string>());
        Assert.NotNull(sl651["lastConfirmed"]);
        Assert.InRange(sl651["owed"]!.GetValue<long>(), 0, 2);   // confirmed as they come: at most the one in flight and a new one
        var text = await EdgegwProcess.RunAsync("status", "--config", _config);
        Assert.Contains($"sl651 connected to 127.0.0.1:{centre.Port}", text.Stdout, StringComparison.Ordinal);
        Assert.Contains("did not accept the connection", station.StandardOutput, StringComparison.Ordinal);   // the first centre
    }

    [Fact]
    public async Task TenTips_RaiseAccumulatedRainfallByFive_AndTheLevelChangeSendsAnAddReportAtOnce()
    {
        await using var station = EdgegwProcess.Start("run", "--config", _config);
        var centre = _centre!;
        var before = await centre.WaitForAsync(r => r.Frame.Function == Sl651Function.Timed && r.Frame.Elements[1].Value is not null, Patience);

        var (code, _, stderr) = await EdgegwProcess.RunAsync("sim", "gpio", "17", "pulse", "--count", "10", "--interval", "40ms", "--config", _config);
        Assert.True(code == 0, stderr);
        var tipsDone = DateTimeOffset.UtcNow;

        // The 4th tip (2.0 mm in the hour) raises rain-1h to watch: an add report goes at once. The change's
        // time is the station's own log stamp (UTC, to the millisecond) of the transition.
        var add = await centre.WaitForAsync(r => r.Frame.Function == Sl651Function.Add, Patience);
        var change = await station.WaitForLineAsync(l => l.Contains("Rule rain-1h: none -> watch", StringComparison.Ordinal), Patience);
        var changedAt = DateTimeOffset.Parse(change[..change.IndexOf(' ', StringComparison.Ordinal)], CultureInfo.InvariantCulture);
        var latency = add.At - changedAt;
        _output.WriteLine($"add report received {latency.TotalMilliseconds:0} ms after the level change");
        Assert.True(latency < TimeSpan.FromSeconds(2), $"the add report came {latency.TotalSeconds:0.000} s after the level change (poll period 1 s + 1 s allowed)");
        Assert.True(add.At - tipsDone < TimeSpan.FromSeconds(2));
        Assert.Equal(4.096m, add.Frame.Elements[0].Value);
        Assert.InRange(add.Frame.Elements[1].Value!.Value, 2.0m, 5.0m);

        // The first timed report made after the last tip: 26 up by exactly 5.0, 1A the hour's 5.0.
        var after = await centre.WaitForAsync(r => r.Frame.Function == Sl651Function.Timed && r.At > tipsDone.AddSeconds(1), Patience);
        Assert.Equal(before.Frame.Elements[1].Value + 5.0m, after.Frame.Elements[1].Value);
        Assert.Equal(5.0m, after.Frame.Elements[2].Value);
        Assert.Empty(centre.Problems);
    }

    [Fact]
    public async Task CentreAwayLongerThanATimedPeriod_MissedReportArrivesWithItsOriginalObservationTime()
    {
        await using var station = EdgegwProcess.Start("run", "--config", _config);
        var centre = _centre!;
        await centre.WaitForAsync(r => r.Frame.Function == Sl651Function.Timed, Patience);

        centre.Stop();
        var lastSeen = centre.Frames.Max(f => f.Frame.Serial);
        var line = await station.WaitForLineAsync(l => QueuedLine().Match(l) is { Success: true } m && int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) > lastSeen, Patience);
        var match = QueuedLine().Match(line);
        var missed = (Serial: ushort.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture),
            Observed: DateTime.ParseExact(match.Groups[2].Value, "yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture));
        await station.WaitForLineAsync($"SL 651 link to centre 127.0.0.1:{centre.Port} reset", Patience);
        var back = centre.Frames.Count;
        centre.Restart();

        var resent = await centre.WaitForAsync(r => r.Frame.Serial == missed.Serial, Patience, skip: back);
        Assert.Equal(Sl651Function.Timed, resent.Frame.Function);
        Assert.Equal(missed.Observed, resent.Frame.Report!.ObservationTime);
        Assert.Equal(4.096m, resent.Frame.Elements[0].Value);
        Assert.Empty(centre.Problems);
    }

    [Fact]
    public async Task GarbageFromTheCentre_StationReconnectsAndGoesOn()
    {
        await using var station = EdgegwProcess.Start("run", "--config", _config);
        var centre = _centre!;
        await centre.WaitForAsync(r => r.Frame.Function == Sl651Function.Timed, Patience);

        centre.GarbageOnNextReport = true;
        var answered = centre.Frames.Count;
        var garbled = await centre.WaitForAsync(r => r.Frame.Function == Sl651Function.Timed, Patience, skip: answered);
        await station.WaitForLineAsync("reset", Patience);

        // The same report again, on a new connection, then later ones as before.
        var again = await centre.WaitForAsync(r => r.Frame.Serial == garbled.Frame.Serial && r.Connection > garbled.Connection, Patience);
        var later = await centre.WaitForAsync(r => r.Frame.Function == Sl651Function.Timed && r.Frame.Serial != garbled.Frame.Serial && r.Connection == again.Connection, Patience);
        Assert.Equal(garbled.Frame.Report!.ObservationTime, again.Frame.Report!.ObservationTime);
        Assert.True(later.Frame.Report!.ObservationTime >= again.Frame.Report.ObservationTime);
        Assert.Empty(centre.Problems);
    }

    [Fact]
    [Trait("Category", "Faults")]
    public async Task StationKilledWithAnUnconfirmedReport_SendsItAfterTheRestart()
    {
        var centre = _centre!;
        centre.Confirm = false;
        (ushort Serial, DateTime Observed) owed;
        using (var first = EdgegwProcess.Start("run", "--config", _config))
        {
            var unconfirmed = await centre.WaitForAsync(r => r.Frame.Function == Sl651Function.Timed, Patience);
            owed = (unconfirmed.Frame.Serial, unconfirmed.Frame.Report!.ObservationTime!.Value);
        }   // kill -9

        centre.Confirm = true;
        var restartedAt = centre.Frames.Count;
        await using var second = EdgegwProcess.Start("run", "--config", _config);

        var resent = await centre.WaitForAsync(r => r.Frame.Function == Sl651Function.Timed, Patience, skip: restartedAt);
        Assert.Equal(owed, (resent.Frame.Serial, resent.Frame.Report!.ObservationTime!.Value));
        await second.WaitForLineAsync($"serial {owed.Serial} confirmed", Patience);
        Assert.Empty(centre.Problems);
    }

    [GeneratedRegex(@"report 32 serial (\d+) observed (\d{4}-\d\d-\d\d \d\d:\d\d) queued")]
    private static partial Regex QueuedLine();
}
