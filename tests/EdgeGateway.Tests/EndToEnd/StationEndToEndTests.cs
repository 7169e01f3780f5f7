using System.Globalization;
using System.Xml;
using System.Xml.Schema;
using EdgeGateway.Demo;

namespace EdgeGateway.Tests.EndToEnd;

/// <summary>
/// The station through real processes: <c>edgegw run</c> (simulated GPIO, file audio sink), the Modbus
/// slave simulator (<c>edgegw sim modbus</c>), a real mosquitto, and the hub as an MQTT subscriber.
/// </summary>
public sealed class StationEndToEndTests : IDisposable
{
    private static readonly TimeSpan Slow = TimeSpan.FromSeconds(90);
    private readonly string _dir = Directory.CreateTempSubdirectory("edgegw-e2e-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Run_DemoStation_NotifiesReadyAndExitsZeroOnSigterm()
    {
        await using var mosquitto = await MosquittoBroker.StartAsync(Slow);
        var station = DemoStation.Create(_dir, Loopback.FreePort(), mosquitto.Port, 1);
        using var notify = new NotifySocket(Path.Combine(_dir, "notify.sock"));

        await using var run = EdgegwProcess.Start(["run", "--config", station.ConfigPath],
            new Dictionary<string, string> { ["NOTIFY_SOCKET"] = notify.Path });
        await notify.WaitForAsync("READY=1", Slow);
        var exit = await run.TerminateAsync(Slow);

        Assert.True(exit == 0, $"exit {exit}; stderr:\n{run.StandardError}");
    }

    [Fact]
    public async Task Demo_BadDuration_UsageErrorOnStderr()
    {
        var (code, _, error) = await EdgegwProcess.RunAsync(["demo", "--duration", "soon"], Slow);

        Assert.Equal(2, code);
        Assert.Contains("--duration 'soon'", error, StringComparison.Ordinal);
    }

    /// <summary>
    /// The typhoon compressed 480 times (eight hours in a minute): the simulator plays the river and the rain
    /// logger, the test presses the tipping bucket through <c>edgegw sim gpio</c>, and the station's windows,
    /// holds and clearAfter are compressed by the same factor.
    /// </summary>
    [Fact]
    public async Task Storm_ThroughRealProcesses_AlertsOnceInSeqOrderCapValidStatusRetainedWavHoldsBroadcasts()
    {
        const double compression = 480;
        var storm = TyphoonScenario.Create(new DateTimeOffset(2026, 7, 1, 0, 0, 0, TimeSpan.Zero));
        var scenario = Path.Combine(_dir, "typhoon.csv");
        await using (var writer = File.CreateText(scenario))
        {
            storm.WriteModbusScenario(writer, TimeSpan.FromMinutes(1), compression);
        }

        await using var mosquitto = await MosquittoBroker.StartAsync(Slow);
        var modbusPort = Loopback.FreePort();
        var station = DemoStation.Create(Path.Combine(_dir, "station"), modbusPort, mosquitto.Port, 1, compression);
        await using var hub = await HubMonitor.ConnectAsync("127.0.0.1", mosquitto.Port, DemoStation.Prefix, DemoStation.StationId, null, CancellationToken.None);
        using var notify = new NotifySocket(Path.Combine(_dir, "notify.sock"));
        await using var run = EdgegwProcess.Start(["run", "--config", station.ConfigPath],
            new Dictionary<string, string> { ["NOTIFY_SOCKET"] = notify.Path });
        await notify.WaitForAsync("READY=1", Slow);
        await using var sim = EdgegwProcess.Start(["sim", "modbus", "--tcp", $"127.0.0.1:{modbusPort}", "--scenario", scenario]);

        // The bucket's tips through `edgegw sim gpio 17 pulse --count N`: each call sends every tip that has
        // fallen due by then (a call takes a while on a loaded machine, so batches grow rather than lag).
        var started = TimeProvider.System.GetTimestamp();
        var sent = 0;
        while (sent < storm.Tips.Count)
        {
            var elapsed = TimeProvider.System.GetElapsedTime(started) * compression;
            var due = storm.Tips.Skip(sent).TakeWhile(t => t <= elapsed).Count();
            if (due == 0)
            {
                await Task.Delay((storm.Tips[sent] - elapsed) / compression);
                continue;
            }

            var (code, _, error) = await EdgegwProcess.RunAsync(
                ["sim", "gpio", DemoStation.TipLine.ToString(CultureInfo.InvariantCulture), "pulse", "--count", due.ToString(CultureInfo.InvariantCulture),
                 "--interval", "20ms", "--socket", station.SocketPath], Slow);
            Assert.True(code == 0, error);
            sent += due;
        }

        // Then until every rule has cleared and the all-clear has played.
        await hub.WaitUntilAsync(
            m => HubViewBuilder.Broadcasts(m).Played.Contains("all-clear") && HubViewBuilder.Levels(m).Station == "none",
            Slow, CancellationToken.None);

        // Alerts and events overtake queued telemetry (docs/mqtt.md, "seq, deduplication and ordering"), so a
        // telemetry batch with a lower seq may still be on its way when the all-clear arrives: wait for the
        // gaps to fill (they never will if the station lost a message, and the assertion below names them).
        try
        {
            await hub.WaitUntilAsync(
                m => DeliveryCheck.MissingSeqs(m.Where(x => x.Kind != HubMessageKind.Status)).Count == 0,
                TimeSpan.FromSeconds(30), CancellationToken.None);
        }
        catch (TimeoutException)
        {
        }

        var messages = hub.Messages;
        var alerts = messages.Where(m => m.Kind == HubMessageKind.Alert).ToList();
        Assert.Empty(DeliveryCheck.DuplicateIds(alerts));
        Assert.Empty(DeliveryCheck.OutOfOrder(alerts));
        Assert.Empty(DeliveryCheck.MissingSeqs(messages.Where(m => m.Kind != HubMessageKind.Status)));
        var levels = alerts.Where(a => a.Json?["scope"]?.GetValue<string>() == "station").Select(a => a.Json!["to"]!.GetValue<string>()).ToList();
        // On the way up the station only rises, to evacuate. A loaded machine may hand the station a burst of
        // tips at once, and a burst may legitimately skip watch (level semantics: the highest level reached).
        string[] order = ["none", "watch", "prepare", "evacuate"];
        var rising = levels.TakeWhile(l => l != "evacuate").Append("evacuate").Select(l => Array.IndexOf(order, l)).ToList();
        Assert.True(rising.Zip(rising.Skip(1)).All(p => p.Second > p.First), "station levels: " + string.Join(", ", levels));
        Assert.Contains("evacuate", levels);
        Assert.Contains("prepare", levels);
        Assert.Equal("none", levels[^1]);

        var caps = messages.Where(m => m.Kind == HubMessageKind.AlertCap).ToList();
        Assert.Equal(alerts.Count, caps.Count);
        var schemas = new XmlSchemaSet();
        schemas.Add(null, Path.Combine(AppContext.BaseDirectory, "EndToEnd", "CAP-v1.2.xsd"));
        foreach (var cap in caps)
        {
            var settings = new XmlReaderSettings { ValidationType = ValidationType.Schema, Schemas = schemas };
            settings.ValidationEventHandler += (_, e) => Assert.Fail($"CAP document invalid: {e.Message}\n{cap.Payload}");
            using var reader = XmlReader.Create(new StringReader(cap.Payload), settings);
            while (reader.Read())
            {
            }
        }

        // The status is retained: a hub connecting now still gets it.
        await using var late = await HubMonitor.ConnectAsync("127.0.0.1", mosquitto.Port, DemoStation.Prefix, DemoStation.StationId, null, CancellationToken.None);
        await late.WaitUntilAsync(m => m.Any(x => x.Kind == HubMessageKind.Status), Slow, CancellationToken.None);
        var status = late.Messages.First(m => m.Kind == HubMessageKind.Status);
        Assert.True(status.Retained);
        Assert.Equal("online", status.Json?["state"]?.GetValue<string>());

        // Compressed 480 times, the storm reaches evacuate about 4 s after prepare, so evacuate may preempt
        // prepare's last repeat (docs/broadcast.md: a higher priority preempts at once). Evacuate (5 x 3 s) and
        // the all-clear (2 x 1.5 s) play to the end, and the WAV holds at least those.
        Assert.Equal(["prepare", "evacuate", "all-clear"], HubViewBuilder.Broadcasts(messages).Played.Distinct());
        var finished = messages.Where(m => m.Kind == HubMessageKind.Event && m.Json?["type"]?.GetValue<string>() == "broadcast-finished").ToList();
        foreach (var message in new[] { "evacuate", "all-clear" })
        {
            Assert.Contains(finished, f => f.Json?["source"]?.GetValue<string>() == message && f.Json?["data"]?["completed"]?.GetValue<bool>() == true);
        }

        var wav = WavInfo.Duration(station.WavPath);
        Assert.NotNull(wav);
        Assert.True(wav >= TimeSpan.FromSeconds((5 * 3) + (2 * 1.5)), wav.ToString());
        Assert.Equal(0, await run.TerminateAsync(Slow));
    }
}
