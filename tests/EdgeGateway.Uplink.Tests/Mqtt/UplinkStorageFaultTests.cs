using System.Text.Json;
using EdgeGateway.Core.Alerting;
using EdgeGateway.Core.Events;
using EdgeGateway.Core.Readings;
using EdgeGateway.Uplink.Tests.Outbox;

namespace EdgeGateway.Uplink.Tests.Mqtt;

public sealed class UplinkStorageFaultTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(60);

    private static bool IsSeqMessage(Subscriber.Received m) =>
        !m.Topic.EndsWith("/status", StringComparison.Ordinal) && !m.Topic.EndsWith("/cmd", StringComparison.Ordinal);

    private static bool IsTelemetry(Subscriber.Received m) => m.Topic.EndsWith("/telemetry", StringComparison.Ordinal);

    [Fact]
    public async Task DiskFull_AlertsGoOutFromMemoryAndTelemetryResumesWhenSpaceReturns_EverySeqOnce()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var uplink = new UplinkHarness(broker.Port);
        await using var hub = await Subscriber.ConnectAsync(broker.Port, uplink.Topic("#"));
        // Thirty gauges: each telemetry message is bigger than a page, so no write of one fits in space left on a
        // page, and every write fails while the file may not grow.
        var value = 2.0;
        uplink.Clock.OnSecond = now => uplink.Service.EnqueueTelemetry(
            Enumerable.Range(0, 30).Select(i => new Reading($"gauge-{i}", now, value += 0.001, Quality.Good)));
        await uplink.StartAsync();
        await uplink.WaitConnectedAsync();
        await hub.WaitUntilAsync(m => m.Count(IsTelemetry) >= 2, Long, "telemetry before the disk fills");

        var outbox = uplink.Service.OutboxForTests!;
        await uplink.Clock.PauseAsync();
        uplink.Service.CutTelemetry();
        outbox.Flush(force: true);
        await hub.WaitUntilAsync(m => m.Where(IsSeqMessage).Select(UplinkHarness.Seq).DefaultIfEmpty().Max() == uplink.Service.Status.LastSeq,
            Long, "everything written so far");
        FullDisk.Fill(outbox);

        // An event too big for any space left on a page: it cannot be stored.
        uplink.Service.EnqueueEvent(new StationEvent(StationEventTypes.OperatorAction, uplink.Time.GetUtcNow(), "test", new string('x', 3000)));
        Assert.NotNull(outbox.Fault);
        Assert.Equal("outbox", Assert.Single(uplink.Storage.Faults).Store);
        var lastBefore = uplink.Service.Status.LastSeq;
        uplink.Service.EnqueueAlert(new LevelTransition(uplink.Time.GetUtcNow(), TransitionScope.Rule, "river", TestLevels.Level("none"), TestLevels.Level("watch"), 2.9, 2.8));

        // The event, the alert and its CAP document (over a page: never stored) reach the hub while the disk is
        // still full: sent from memory.
        await hub.WaitUntilAsync(m => m.Any(x => x.Topic.EndsWith("/alert", StringComparison.Ordinal))
            && m.Any(x => x.Topic.EndsWith("/alert/cap", StringComparison.Ordinal))
            && m.Any(x => x.Payload.Contains(new string('x', 3000), StringComparison.Ordinal)), Long, "the alert, sent from memory");
        Assert.NotNull(outbox.Fault);
        var alert = hub.Messages.Single(x => x.Topic.EndsWith("/alert", StringComparison.Ordinal));
        Assert.True(UplinkHarness.Seq(alert) > lastBefore);

        // A minute of readings while full: telemetry is created (seqs given) but waits to be written.
        var telemetryBefore = hub.Messages.Count(IsTelemetry);
        var fullSince = uplink.Time.GetUtcNow();
        uplink.Clock.Resume();
        await Eventually.TrueAsync(() => uplink.Time.GetUtcNow() - fullSince >= TimeSpan.FromSeconds(60), TimeSpan.FromMinutes(5), "a simulated minute");

        await uplink.Clock.PauseAsync();
        Assert.Equal(telemetryBefore, hub.Messages.Count(IsTelemetry));
        Assert.NotNull(outbox.Fault);
        Assert.True(outbox.Unsaved >= 5, $"{outbox.Unsaved} unsaved");

        // Space returns: the retry timer (simulated time) writes everything, no restart, and telemetry resumes.
        FullDisk.Free(outbox);
        var recovered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        uplink.Storage.Changed += c =>
        {
            if (c.Fault is null)
            {
                recovered.TrySetResult();
            }
        };
        uplink.Clock.Resume();
        await recovered.Task.WaitAsync(Long);
        await hub.WaitUntilAsync(m => m.Count(IsTelemetry) > telemetryBefore + 20, Long, "telemetry after space returned");
        await uplink.Clock.PauseAsync();
        uplink.Service.CutTelemetry();
        outbox.Flush(force: true);
        var last = uplink.Service.Status.LastSeq;
        await hub.WaitUntilAsync(m => m.Where(IsSeqMessage).Select(UplinkHarness.Seq).Distinct().Count() == last, Long, "every seq");

        // Every seq once, no gap, nothing dropped, and the outbox is healthy and empty of unsaved messages.
        var seqs = hub.Messages.Where(IsSeqMessage).Select(UplinkHarness.Seq).ToList();
        Assert.Equal(Enumerable.Range(1, (int)last).Select(i => (long)i), seqs.Order());
        Assert.Null(outbox.Fault);
        Assert.Empty(uplink.Storage.Faults);
        Assert.Equal(0, outbox.Unsaved);
        Assert.Equal(UplinkState.Connected, uplink.Service.Status.State);
        var events = hub.Messages.Where(m => m.Topic.EndsWith("/event", StringComparison.Ordinal))
            .Select(m => JsonDocument.Parse(m.Payload).RootElement.GetProperty("type").GetString()).ToList();
        Assert.DoesNotContain(StationEventTypes.TelemetryDropped, events);
    }

    [Fact]
    public async Task Restart_AfterUncleanStop_AnnouncesSkippedSeqsAndContinuesAboveThem()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var hub = await Subscriber.ConnectAsync(broker.Port, "ews/#");
        var dir = new TempDirectory();
        try
        {
            long lastGiven;
            await using (var first = new UplinkHarness(broker.Port, o => o.StoragePath = dir.File("data")))
            {
                first.Service.EnqueueEvent(new StationEvent(StationEventTypes.OperatorAction, first.Time.GetUtcNow(), "test", "before"));
                first.Service.EnqueueTelemetry([new Reading("river-level", first.Time.GetUtcNow(), 2.0, Quality.Good)]);
                first.Service.CutTelemetry();
                lastGiven = first.Service.Status.LastSeq;

                // kill -9: the telemetry never reached the disk and nothing is closed.
                first.Service.OutboxForTests!.Abandon();
            }

            await using var second = new UplinkHarness(broker.Port, o => o.StoragePath = dir.File("data"));
            await second.StartAsync();
            await hub.WaitUntilAsync(m => m.Any(x => x.Payload.Contains("seq-skipped", StringComparison.Ordinal)), Long, "seq-skipped");
            using var skipped = JsonDocument.Parse(hub.Messages.First(x => x.Payload.Contains("seq-skipped", StringComparison.Ordinal)).Payload);
            var data = skipped.RootElement.GetProperty("data");
            Assert.Equal(lastGiven, data.GetProperty("from").GetInt64());
            Assert.Equal(new OutboxTuning().SeqBlock, data.GetProperty("to").GetInt64());
            Assert.Equal(data.GetProperty("to").GetInt64() + 1, skipped.RootElement.GetProperty("seq").GetInt64());
        }
        finally
        {
            dir.Dispose();
        }
    }
}
