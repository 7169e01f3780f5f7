using MQTTnet;
using MQTTnet.Protocol;

namespace EdgeGateway.Tests.TestSupport;

/// <summary>What the hub does to send a station a signed command: one QoS 1 publish on <c>P/S/cmd</c>.</summary>
internal static class HubCommand
{
    public static async Task PublishAsync(int port, string prefix, string stationId, string token)
    {
        using var client = new MqttClientFactory().CreateMqttClient();
        await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithClientId("hub-" + Guid.NewGuid().ToString("N")).Build());
        await client.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic($"{prefix}/{stationId}/cmd")
            .WithPayload(token)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build());
        await client.DisconnectAsync();
    }
}
