using System.Collections.Concurrent;
using System.Text;
using MQTTnet;
using MQTTnet.Protocol;

namespace EdgeGateway.Uplink.Tests.Mqtt;

/// <summary>A hub-side test client: records what arrives, publishes commands.</summary>
internal sealed class Subscriber : IAsyncDisposable
{
    private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();
    private readonly ConcurrentQueue<Received> _received = new();
    private readonly SemaphoreSlim _arrived = new(0);

    public sealed record Received(string Topic, string Payload, bool Retain);

    public IReadOnlyCollection<Received> Messages => _received;

    public static async Task<Subscriber> ConnectAsync(int port, string filter, string? user = null, string? password = null,
        string? clientId = null)
    {
        var s = new Subscriber();
        s._client.ApplicationMessageReceivedAsync += e =>
        {
            s._received.Enqueue(new Received(e.ApplicationMessage.Topic, Encoding.UTF8.GetString(e.ApplicationMessage.Payload),
                e.ApplicationMessage.Retain));
            s._arrived.Release();
            return Task.CompletedTask;
        };
        var options = new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port)
            .WithClientId(clientId ?? "hub-" + Guid.NewGuid().ToString("N")[..8]);
        if (user is not null)
        {
            options = options.WithCredentials(user, password);
        }

        await s._client.ConnectAsync(options.Build());
        if (filter.Length > 0)
        {
            await s._client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
                .WithTopicFilter(filter, MqttQualityOfServiceLevel.AtLeastOnce).Build());
        }

        return s;
    }

    public async Task<MqttClientPublishResult> PublishAsync(string topic, string payload, bool retain = false) =>
        await _client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).WithRetainFlag(retain).Build());

    /// <summary>Waits until <paramref name="done"/> holds over what arrived, or fails after <paramref name="timeout"/>.</summary>
    public async Task WaitUntilAsync(Func<IReadOnlyCollection<Received>, bool> done, TimeSpan timeout, string what)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (!done(_received))
        {
            try
            {
                await _arrived.WaitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"timed out after {timeout} waiting for {what}; got {_received.Count} message(s)");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_client.IsConnected)
        {
            await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build());
        }

        _client.Dispose();
        _arrived.Dispose();
    }
}
