using EdgeGateway.Demo;
using MQTTnet;
using MQTTnet.Protocol;

namespace EdgeGateway.Tests.Demo;

public sealed class EmbeddedBrokerTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task HubMonitor_StationPublishes_RecordsKindRetainAndSeq()
    {
        await using var broker = await EmbeddedBroker.StartAsync(CancellationToken.None);
        await using var monitor = await HubMonitor.ConnectAsync(EmbeddedBroker.Host, broker.Port, "ews", "s1", null, CancellationToken.None);
        using var station = new MqttClientFactory().CreateMqttClient();
        await station.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer(EmbeddedBroker.Host, broker.Port).Build());

        await Publish(station, "ews/s1/status", """{"state":"online","station":"s1"}""", retain: true);
        await Publish(station, "ews/s1/alert", """{"id":"a1","seq":4,"scope":"rule","rule":"river","from":"none","to":"watch"}""");
        await Publish(station, "ews/s1/alert/cap", "<alert/>");
        await Publish(station, "ews/other/alert", """{"id":"x","seq":1}""");

        await monitor.WaitUntilAsync(m => m.Count >= 3, Timeout, CancellationToken.None);
        var alert = Assert.Single(monitor.OfKind(HubMessageKind.Alert));
        Assert.Equal("a1", alert.Id);
        Assert.Equal(4, alert.Seq);
        Assert.Equal("<alert/>", Assert.Single(monitor.OfKind(HubMessageKind.AlertCap)).Payload);
        Assert.Equal("online", Assert.Single(monitor.OfKind(HubMessageKind.Status)).Json?["state"]?.GetValue<string>());
        Assert.DoesNotContain(monitor.Messages, m => m.Topic.Contains("other", StringComparison.Ordinal));
        Assert.True(broker.Published >= 4);
    }

    [Fact]
    public async Task HubMonitor_ConnectsAfterRetainedStatus_SeesItRetained()
    {
        await using var broker = await EmbeddedBroker.StartAsync(CancellationToken.None);
        using var station = new MqttClientFactory().CreateMqttClient();
        await station.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer(EmbeddedBroker.Host, broker.Port).Build());
        await Publish(station, "ews/s1/status", """{"state":"online"}""", retain: true);

        await using var monitor = await HubMonitor.ConnectAsync(EmbeddedBroker.Host, broker.Port, "ews", "s1", null, CancellationToken.None);

        await monitor.WaitUntilAsync(m => m.Count >= 1, Timeout, CancellationToken.None);
        Assert.True(Assert.Single(monitor.OfKind(HubMessageKind.Status)).Retained);
    }

    [Fact]
    public async Task WaitUntilAsync_ConditionNeverTrue_ThrowsTimeout()
    {
        await using var broker = await EmbeddedBroker.StartAsync(CancellationToken.None);
        await using var monitor = await HubMonitor.ConnectAsync(EmbeddedBroker.Host, broker.Port, "ews", "s1", null, CancellationToken.None);

        await Assert.ThrowsAsync<TimeoutException>(() => monitor.WaitUntilAsync(m => m.Count > 0, TimeSpan.FromMilliseconds(200), CancellationToken.None));
    }

    private static Task<MqttClientPublishResult> Publish(IMqttClient client, string topic, string payload, bool retain = false) =>
        client.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(payload)
            .WithRetainFlag(retain)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build());
}
