using System.Buffers;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Channels;
using EdgeGateway.Hub.Internal;
using EdgeGateway.Hub.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace EdgeGateway.Hub.Mqtt;

/// <summary>
/// Consumes every station's uplink from a single MQTT broker: <c>PREFIX/#</c> at QoS 1 under a persistent
/// session (clean session off, a fixed client id), so the broker keeps what arrives while the receiver is
/// away. Each PUBACK is sent only after the batch holding the message committed: a receiver that dies
/// between the two gets the unacknowledged messages again when its session resumes, and the writer keeps
/// them once. MQTT has no negative acknowledgement, so when PostgreSQL is down the receiver drops the
/// connection instead, which hands the unacknowledged messages back to the broker.
/// </summary>
public sealed class MqttReceiver(HubOptions options, BatchStore store, TimeProvider time, ILogger<MqttReceiver> logger) : BackgroundService
{
    private readonly HubMqttOptions _mqtt = options.Mqtt ?? throw new ArgumentException("hub.mqtt is not configured", nameof(options));

    /// <summary>Signalled once the subscription is in place (tests wait on it).</summary>
    public TaskCompletionSource Consuming { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = _mqtt.ReconnectDelay;
        while (!stoppingToken.IsCancellationRequested)
        {
            var (reason, subscribed) = await RunConnectionAsync(stoppingToken).ConfigureAwait(false);
            if (stoppingToken.IsCancellationRequested)
            {
                break;
            }

            // A connection that got as far as subscribing was healthy: start the back-off again from the bottom.
            delay = subscribed ? _mqtt.ReconnectDelay : delay;
            Log.BrokerLost(logger, reason, delay);
            try
            {
                await Task.Delay(delay, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _mqtt.ReconnectMax.Ticks));
        }
    }

    private async Task<(string Reason, bool Subscribed)> RunConnectionAsync(CancellationToken ct)
    {
        // Unbounded here, bounded in effect by the broker: it sends no more QoS 1 messages than its
        // in-flight window until some are acknowledged.
        var deliveries = Channel.CreateUnbounded<Delivery>(new UnboundedChannelOptions { SingleReader = true });
        var subscribed = false;
        var clientId = _mqtt.ResolveClientId();
        using var client = new MqttClientFactory().CreateMqttClient();
        var lost = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.DisconnectedAsync += e =>
        {
            lost.TrySetResult(e.Exception?.Message ?? e.Reason.ToString());
            deliveries.Writer.TryComplete();
            return Task.CompletedTask;
        };
        client.ApplicationMessageReceivedAsync += e =>
        {
            e.AutoAcknowledge = false;
            deliveries.Writer.TryWrite(new Delivery(e.ApplicationMessage.Topic, e.ApplicationMessage.Payload.ToArray(), e, time.GetUtcNow()));
            return Task.CompletedTask;
        };
        try
        {
            var result = await client.ConnectAsync(BuildOptions(clientId), ct).ConfigureAwait(false);
            var topic = options.Prefix + "/#";
            await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
                .WithTopicFilter(topic, MqttQualityOfServiceLevel.AtLeastOnce).Build(), ct).ConfigureAwait(false);
            subscribed = true;
            Log.MqttConsuming(logger, topic, _mqtt.Host, _mqtt.Port, clientId, result.IsSessionPresent);
            Consuming.TrySetResult();

            await ProcessAsync(client, deliveries.Reader, ct).ConfigureAwait(false);
            return (lost.Task.IsCompleted ? lost.Task.Result : "consumer stopped", subscribed);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Leave without acknowledging what is not committed: the session keeps it for the next start.
            if (client.IsConnected)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await client.DisconnectAsync(new MqttClientDisconnectOptions(), timeout.Token).ConfigureAwait(false);
            }

            return ("stopping", subscribed);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return (e.Message, subscribed);
        }
    }

    private MqttClientOptions BuildOptions(string clientId)
    {
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(_mqtt.Host, _mqtt.Port)
            .WithClientId(clientId)
            // 3.1.1 speaks with every broker; its clean session off is the persistent session.
            .WithProtocolVersion(MqttProtocolVersion.V311)
            .WithCleanSession(false)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(15))
            .WithTimeout(TimeSpan.FromSeconds(10));
        if (_mqtt.Username is not null)
        {
            builder = builder.WithCredentials(_mqtt.Username, Secret.Resolve(_mqtt.Password, _mqtt.PasswordFile));
        }

        if (_mqtt.TlsCa is { } ca)
        {
            var trust = new X509Certificate2Collection();
            trust.ImportFromPemFile(ca);
            builder = builder.WithTlsOptions(o => o.UseTls().WithTrustChain(trust));
        }

        return builder.Build();
    }

    private async Task ProcessAsync(IMqttClient client, ChannelReader<Delivery> reader, CancellationToken ct)
    {
        var batch = new List<Delivery>(options.BatchSize);
        while (await BatchStore.NextBatchAsync(reader, batch, options.BatchSize, ct).ConfigureAwait(false))
        {
            try
            {
                await store.StoreAsync(batch.ConvertAll(d => new Incoming(d.Topic, d.Body, d.Received)), ct).ConfigureAwait(false);
            }
            catch (Exception e) when (BatchStore.IsDatabaseDown(e) && !ct.IsCancellationRequested)
            {
                Log.DatabaseDown(logger, e.Message, _mqtt.ReconnectDelay);
                await client.DisconnectAsync(new MqttClientDisconnectOptions(), ct).ConfigureAwait(false);
                return;
            }

            // In arrival order, as MQTT asks of QoS 1 acknowledgements.
            foreach (var d in batch)
            {
                await d.Args.AcknowledgeAsync(ct).ConfigureAwait(false);
            }
        }
    }

    private sealed record Delivery(string Topic, byte[] Body, MqttApplicationMessageReceivedEventArgs Args, DateTimeOffset Received);
}
