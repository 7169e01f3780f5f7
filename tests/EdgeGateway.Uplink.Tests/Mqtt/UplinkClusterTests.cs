using EdgeGateway.Core.Events;
using EdgeGateway.Core.Readings;

namespace EdgeGateway.Uplink.Tests.Mqtt;

/// <summary>A station given a cluster's brokers (uplink.mqtt.hosts): moving between them keeps outbox and seq.</summary>
public sealed class UplinkClusterTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData(MqttProtocol.V311)]
    [InlineData(MqttProtocol.V5)]
    public async Task FirstBrokerKilled_StationMovesToSecond_SeqContinuesWithoutGap_AnyResendIsTheSameMessage(MqttProtocol protocol)
    {
        await using var first = await MosquittoBroker.StartAsync();
        await using var second = await MosquittoBroker.StartAsync();
        await using var uplink = new UplinkHarness(0, o =>
        {
            o.Mqtt.Protocol = protocol;
            o.Mqtt.Hosts.Add(new MqttEndpoint("127.0.0.1", first.Port));
            o.Mqtt.Hosts.Add(new MqttEndpoint("127.0.0.1", second.Port));
            // A backoff this long would fail the test if the move to the second broker waited for it.
            o.Reconnect.Min = TimeSpan.FromDays(1);
            o.Reconnect.Max = TimeSpan.FromDays(1);
        });
        await using var hubA = await Subscriber.ConnectAsync(first.Port, uplink.Topic("#"));
        await using var hubB = await Subscriber.ConnectAsync(second.Port, uplink.Topic("#"));
        var value = 2.0;
        uplink.Clock.OnSecond = now => uplink.Service.EnqueueTelemetry([new Reading("river-level", now, value += 0.01, Quality.Good)]);
        await uplink.StartAsync();
        await uplink.WaitConnectedAsync();
        for (var i = 0; i < 5; i++)
        {
            uplink.Service.EnqueueEvent(new StationEvent(StationEventTypes.OperatorAction, uplink.Time.GetUtcNow(), "test", $"on first {i}"));
        }

        await hubA.WaitUntilAsync(m => m.Count(UplinkHarness.IsSeqMessage) >= 8, Long, "messages through the first broker");
        await uplink.Clock.PauseAsync();
        uplink.Service.CutTelemetry();
        uplink.Service.OutboxForTests!.Flush(force: true);
        var sentBefore = uplink.Service.Status.LastSeq;
        await hubA.WaitUntilAsync(m => m.Where(UplinkHarness.IsSeqMessage).Select(UplinkHarness.Seq).DefaultIfEmpty().Max() == sentBefore,
            Long, "everything sent to the first broker");
        Assert.DoesNotContain(hubB.Messages, UplinkHarness.IsSeqMessage);

        first.Stop();
        uplink.Service.EnqueueEvent(new StationEvent(StationEventTypes.OperatorAction, uplink.Time.GetUtcNow(), "test", "while moving"));
        uplink.Clock.Resume();
        await hubB.WaitUntilAsync(m => m.Any(x => x.Topic.EndsWith("/status", StringComparison.Ordinal)), Long, "birth on the second broker");
        await hubB.WaitUntilAsync(m => m.Count(UplinkHarness.IsSeqMessage) >= 5, Long, "messages through the second broker");
        await uplink.Clock.PauseAsync();
        uplink.Service.CutTelemetry();
        uplink.Service.OutboxForTests!.Flush(force: true);
        var last = uplink.Service.Status.LastSeq;
        await hubB.WaitUntilAsync(m => m.Where(UplinkHarness.IsSeqMessage).Select(UplinkHarness.Seq).DefaultIfEmpty().Max() == last,
            Long, "everything sent to the second broker");

        var onA = hubA.Messages.Where(UplinkHarness.IsSeqMessage).Select(UplinkHarness.Seq).ToList();
        var onB = hubB.Messages.Where(UplinkHarness.IsSeqMessage).Select(UplinkHarness.Seq).ToList();
        // QoS 1 is at least once: a message the first broker took but whose PUBACK the kill cut off is sent again
        // to the second. That is the same message (same seq, same id), which the hub keeps once; a gap or a seq
        // reused for another message would be the fault.
        Assert.Equal(Enumerable.Range(1, (int)sentBefore).Select(i => (long)i), onA.Order());
        Assert.Equal(Enumerable.Range(1, (int)last).Select(i => (long)i), onA.Concat(onB).Distinct().Order());
        Assert.Equal(Enumerable.Range((int)sentBefore + 1, (int)(last - sentBefore)).Select(i => (long)i), onB.Where(seq => seq > sentBefore).Order());
        var all = hubA.Messages.Concat(hubB.Messages).Where(UplinkHarness.IsSeqMessage).ToList();
        Assert.All(all.GroupBy(UplinkHarness.Seq), sameSeq => Assert.Single(sameSeq.Select(UplinkHarness.Id).Distinct()));
        Assert.Equal(all.Select(UplinkHarness.Seq).Distinct().Count(), all.Select(UplinkHarness.Id).Distinct().Count());
        Assert.Equal(UplinkState.Connected, uplink.Service.Status.State);
    }
}
