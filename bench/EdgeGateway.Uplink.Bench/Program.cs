using System.Diagnostics;
using System.Globalization;
using System.Text;
using EdgeGateway.Core.Alerting;
using EdgeGateway.Core.Readings;
using EdgeGateway.Uplink.Mqtt;
using EdgeGateway.Uplink.Outbox;
using EdgeGateway.Uplink.Payloads;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace EdgeGateway.Uplink.Bench;

// Uplink figures for docs/performance.md, run by scripts/bench-outbox.sh:
//   bytes DIR HOURS         storage written by the outbox at 1 Hz telemetry (simulated time, acks at once)
//   drain PORT DIR COUNT    a COUNT-message backlog drained over QoS 1; writes DIR/payloads.txt for mosquitto_pub
//   bare PORT FILE WINDOW   a general-purpose MQTT client library alone (MQTTnet, each PUBLISH in one write) publishing
//                           FILE's lines at QoS 1 with up to WINDOW awaiting PUBACK: no outbox, no pump; for scale
internal static class Program
{
    private const string Station = "wz-oh-lilong-01";

    public static async Task<int> Main(string[] args)
    {
        return args switch
        {
            ["bytes", var dir, var hours] => Bytes(dir, double.Parse(hours, CultureInfo.InvariantCulture)),
            ["drain", var port, var dir, var count] => await Drain(int.Parse(port, CultureInfo.InvariantCulture), dir,
                int.Parse(count, CultureInfo.InvariantCulture)),
            ["bare", var port, var file, var window] => await Bare(int.Parse(port, CultureInfo.InvariantCulture), file,
                int.Parse(window, CultureInfo.InvariantCulture)),
            _ => Usage(),
        };
    }

    private static int Usage()
    {
        Console.Error.WriteLine("usage: bytes DIR HOURS | drain PORT DIR COUNT | bare PORT FILE WINDOW");
        return 2;
    }

    private static IReadOnlyList<Reading> Readings(DateTimeOffset t, int i) =>
    [
        new("river-level", t, 2.5 + (Math.Sin(i / 600.0) * 0.3), Quality.Good),
        new("rain-gauge", t, i % 97 == 0 ? 0.5 : 0, Quality.Good),
        new("battery", t, 12.6, Quality.Good),
    ];

    private static readonly Dictionary<string, string> Units = new() { ["river-level"] = "m", ["rain-gauge"] = "mm", ["battery"] = "V" };

    // One telemetry message per simulated second (the worst case: telemetry: 1s) plus an alert and its
    // CAP document every ten minutes, acknowledged at once, deleted by the same batching policy as the
    // service (a batch of AckDeleteBatch rows, or every AckDeleteInterval).
    private static int Bytes(string dir, double hours)
    {
        Directory.CreateDirectory(dir);
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 7, 1, 0, 0, 0, TimeSpan.Zero));
        var tuning = new OutboxTuning();
        var (wchar0, wbytes0) = ProcIo();
        long messages = 0;
        using (var outbox = new Outbox.Outbox(Path.Combine(dir, "uplink-outbox.db"), UplinkOptions.DefaultQueueLimit, tuning, time))
        {
            long sentTelemetry = 0, sentUrgent = 0, acked = 0;
            var lastDelete = time.GetTimestamp();
            var seconds = (int)(hours * 3600);
            for (var i = 0; i < seconds; i++)
            {
                time.Advance(TimeSpan.FromSeconds(1));
                var now = time.GetUtcNow();
                var readings = Readings(now, i);
                outbox.Add(Lane.Telemetry, Topics.Telemetry, seq => PayloadWriter.Telemetry(Station, Guid.NewGuid(), now, seq, readings, Units));
                messages++;
                if (i % 600 == 599)
                {
                    var t = new LevelTransition(now, TransitionScope.Rule, "river", AlertLevels.None, new AlertLevel("watch") { Rank = 1 }, 2.85, 2.8);
                    outbox.Add(Lane.Urgent, Topics.Alert, seq => PayloadWriter.Alert(Station, Guid.NewGuid(), seq, t, "Moderate"));
                    messages++;
                }

                outbox.Flush();
                foreach (var m in outbox.Read(Lane.Urgent, sentUrgent, 1000))
                {
                    sentUrgent = m.Seq;
                    outbox.DeleteUpTo(Lane.Urgent, m.Seq);
                }

                foreach (var m in outbox.Read(Lane.Telemetry, sentTelemetry, 1000))
                {
                    sentTelemetry = m.Seq;
                    acked++;
                }

                if (acked >= tuning.AckDeleteBatch || (acked > 0 && time.GetElapsedTime(lastDelete) >= tuning.AckDeleteInterval))
                {
                    outbox.DeleteUpTo(Lane.Telemetry, sentTelemetry);
                    acked = 0;
                    lastDelete = time.GetTimestamp();
                }
            }
        }

        var (wchar1, wbytes1) = ProcIo();
        var perDay = 24 / hours;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"simulated {hours} h: {messages} messages; write() bytes {wchar1 - wchar0}, block-layer write_bytes {wbytes1 - wbytes0}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"per day: write() {(wchar1 - wchar0) * perDay / 1e6:F1} MB, write_bytes {(wbytes1 - wbytes0) * perDay / 1e6:F1} MB"));
        return 0;
    }

    private static (long Wchar, long WriteBytes) ProcIo()
    {
        long wchar = 0, wbytes = 0;
        foreach (var line in File.ReadAllLines("/proc/self/io"))
        {
            var parts = line.Split(':', StringSplitOptions.TrimEntries);
            if (parts[0] == "wchar")
            {
                wchar = long.Parse(parts[1], CultureInfo.InvariantCulture);
            }
            else if (parts[0] == "write_bytes")
            {
                wbytes = long.Parse(parts[1], CultureInfo.InvariantCulture);
            }
        }

        return (wchar, wbytes);
    }

    // A backlog is drained when a running station gets its broker back, so the code is warm by then (and the
    // shipped build is compiled ahead of time): a first, smaller drain in the same process warms it up, and the
    // figure is taken on a second service with its own connection. Connect, subscribe and birth stay counted,
    // as mosquitto_pub's connect is.
    private static async Task<int> Drain(int port, string dir, int count)
    {
        Directory.CreateDirectory(dir);
        var (_, warm, _) = await DrainOnce(port, Path.Combine(dir, "warm-up"), Math.Min(count, 2000), payloads: null);
        var (drained, elapsed, detail) = await DrainOnce(port, Path.Combine(dir, "station"), count, Path.Combine(dir, "payloads.txt"));
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"warm-up drain: {Math.Min(count, 2000)} messages in {warm.TotalSeconds:F3} s (cold code); measured: {detail}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"edgegw uplink: {count} messages drained (QoS 1, connect included) in {elapsed.TotalSeconds:F2} s = {count / elapsed.TotalSeconds:F0} msg/s"));
        return drained ? 0 : 1;
    }

    private static async Task<(bool Drained, TimeSpan Elapsed, string Detail)> DrainOnce(int port, string storage, int count, string? payloads)
    {
        var options = new UplinkOptions
        {
            StationId = Station,
            StoragePath = storage,
            TelemetryPeriod = TimeSpan.FromHours(1),
            Mqtt = new MqttConnectionOptions { Host = "127.0.0.1", Port = port },
        };
        foreach (var (k, v) in Units)
        {
            options.SensorUnits[k] = v;
        }

        using var service = new UplinkService(options, TimeProvider.System, NullLogger<UplinkService>.Instance);
        var t0 = new DateTimeOffset(2026, 7, 1, 0, 0, 0, TimeSpan.Zero);
        for (var i = 0; i < count; i++)
        {
            service.EnqueueTelemetry(Readings(t0.AddSeconds(i), i));
            service.CutTelemetry();
        }

        service.OutboxForTests!.Flush(force: true);
        if (payloads is not null)
        {
            // The same payloads, one per line, for mosquitto_pub -l.
            await using var w = new StreamWriter(payloads, false, new UTF8Encoding(false));
            long after = 0;
            while (service.OutboxForTests.Read(Lane.Telemetry, after, 1000) is { Count: > 0 } rows)
            {
                foreach (var r in rows)
                {
                    await w.WriteLineAsync(Encoding.UTF8.GetString(r.Payload));
                    after = r.Seq;
                }
            }
        }

        using var process = Process.GetCurrentProcess();
        var cpu0 = process.TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        var connected = TimeSpan.Zero;
        service.Connected += () => connected = sw.Elapsed;
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await service.StartAsync(cts.Token);
        while (service.Status.QueueDepth > 0 && !cts.IsCancellationRequested)
        {
            await Task.Delay(5);
        }

        sw.Stop();
        process.Refresh();
        var cpu = process.TotalProcessorTime - cpu0;
        await service.StopAsync(CancellationToken.None);
        return (service.Status.QueueDepth == 0, sw.Elapsed, string.Create(CultureInfo.InvariantCulture,
            $"connected (birth acknowledged) after {connected.TotalSeconds:F3} s, drained {(sw.Elapsed - connected).TotalSeconds:F3} s later, process CPU {cpu.TotalSeconds:F3} s"));
    }

    // The same payloads as the measured drain, through MQTTnet alone: connect (MQTT 5), then each line published
    // at QoS 1 on the uplink's telemetry topic with the content type the uplink sets, at most WINDOW awaiting PUBACK.
    // A first, smaller run in the same process warms the code up, as for `drain`.
    private static async Task<int> Bare(int port, string file, int window)
    {
        var payloads = File.ReadAllLines(file).Select(Encoding.UTF8.GetBytes).ToArray();
        await BareOnce(port, payloads.AsMemory(0, Math.Min(payloads.Length, 2000)), window);
        using var process = Process.GetCurrentProcess();
        var cpu0 = process.TotalProcessorTime;
        var elapsed = await BareOnce(port, payloads, window);
        process.Refresh();
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"bare MQTTnet: process CPU {(process.TotalProcessorTime - cpu0).TotalSeconds:F3} s"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"MQTTnet alone: {payloads.Length} messages (QoS 1, connect included) in {elapsed.TotalSeconds:F2} s = {payloads.Length / elapsed.TotalSeconds:F0} msg/s"));
        return 0;
    }

    private static async Task<TimeSpan> BareOnce(int port, ReadOnlyMemory<byte[]> payloads, int window)
    {
        using var client = new MQTTnet.MqttClientFactory().CreateMqttClient();
        var topic = $"ews/{Station}/telemetry";
        var sw = Stopwatch.StartNew();
        var connected = await client.ConnectAsync(new MQTTnet.MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", port)
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
            .WithoutPacketFragmentation()
            .Build());
        // As the uplink does: no more in flight than the broker's Receive Maximum allows.
        using var slots = new SemaphoreSlim(Math.Max(1, Math.Min(window, connected.ReceiveMaximum is > 0 and var rm ? rm : ushort.MaxValue)));
        var pending = new List<Task>(payloads.Length);
        for (var i = 0; i < payloads.Length; i++)
        {
            await slots.WaitAsync();
            var message = new MQTTnet.MqttApplicationMessageBuilder()
                .WithTopic(topic)
                .WithPayload(payloads.Span[i])
                .WithQualityOfServiceLevel(MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce)
                .WithContentType("application/json")
                .Build();
            pending.Add(Publish(client, message, slots));
        }

        await Task.WhenAll(pending);
        sw.Stop();
        await client.DisconnectAsync(new MQTTnet.MqttClientDisconnectOptionsBuilder().Build());
        return sw.Elapsed;

        static async Task Publish(MQTTnet.IMqttClient client, MQTTnet.MqttApplicationMessage message, SemaphoreSlim slots)
        {
            try
            {
                var result = await client.PublishAsync(message);
                if (!result.IsSuccess && result.ReasonCode != MQTTnet.MqttClientPublishReasonCode.NoMatchingSubscribers)
                {
                    throw new InvalidOperationException($"broker refused a publish: {result.ReasonCode}");
                }
            }
            finally
            {
                slots.Release();
            }
        }
    }
}
