using System.Threading.Channels;
using EdgeGateway.Hub.Internal;
using EdgeGateway.Hub.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace EdgeGateway.Hub.Amqp;

/// <summary>
/// Consumes every station's uplink from a quorum queue bound to <c>amq.topic</c> with the routing key
/// <c>PREFIX.#</c> (RabbitMQ's MQTT plugin turns the topic's <c>/</c> into <c>.</c>). Several receivers
/// share the queue. What arrives is written in batches (whatever is waiting, up to the batch size) and
/// acknowledged, with one multiple ack, only after the transaction committed: a receiver that dies
/// between the two leaves its deliveries to be redelivered, and the writer keeps them once. A lost
/// connection is followed by one to the next node of the list.
/// </summary>
public sealed class AmqpReceiver(HubOptions options, BatchStore store, TimeProvider time, ILogger<AmqpReceiver> logger) : BackgroundService
{
    private readonly AmqpOptions _amqp = options.Amqp ?? throw new ArgumentException("hub.amqp is not configured", nameof(options));
    private int _next;

    /// <summary>Signalled once the queue is declared, bound and consumed (tests wait on it).</summary>
    public TaskCompletionSource Consuming { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var reason = await RunConnectionAsync(stoppingToken).ConfigureAwait(false);
            if (stoppingToken.IsCancellationRequested)
            {
                break;
            }

            Log.BrokerLost(logger, reason, _amqp.ReconnectDelay);
            try
            {
                await Task.Delay(_amqp.ReconnectDelay, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    private async Task<string> RunConnectionAsync(CancellationToken ct)
    {
        // Start at the next node each time, so a dead node is not the first one tried again and again.
        var hosts = _amqp.Hosts.Count == 0 ? [("127.0.0.1", 5672)] : _amqp.Hosts.ToList();
        var start = _next++ % hosts.Count;
        var endpoints = hosts.Skip(start).Concat(hosts.Take(start)).Select(h => new AmqpTcpEndpoint(h.Item1, h.Item2)).ToList();
        var factory = new ConnectionFactory
        {
            UserName = _amqp.Username,
            Password = _amqp.ResolvePassword(),
            AutomaticRecoveryEnabled = false,
            TopologyRecoveryEnabled = false,
            RequestedHeartbeat = TimeSpan.FromSeconds(10),
            ClientProvidedName = "edge-hub",
        };
        var deliveries = Channel.CreateBounded<BasicDeliverEventArgsCopy>(new BoundedChannelOptions(_amqp.Prefetch + 1) { SingleReader = true });
        try
        {
            await using var connection = await factory.CreateConnectionAsync(endpoints, ct).ConfigureAwait(false);
            var lost = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            connection.ConnectionShutdownAsync += (_, e) =>
            {
                lost.TrySetResult(e.ReplyText);
                deliveries.Writer.TryComplete();
                return Task.CompletedTask;
            };
            await using var channel = await connection.CreateChannelAsync(cancellationToken: ct).ConfigureAwait(false);
            channel.ChannelShutdownAsync += (_, e) =>
            {
                lost.TrySetResult(e.ReplyText);
                deliveries.Writer.TryComplete();
                return Task.CompletedTask;
            };
            await channel.BasicQosAsync(0, _amqp.Prefetch, false, ct).ConfigureAwait(false);
            await channel.QueueDeclareAsync(_amqp.Queue, durable: true, exclusive: false, autoDelete: false,
                arguments: new Dictionary<string, object?>(StringComparer.Ordinal) { ["x-queue-type"] = "quorum" }, cancellationToken: ct).ConfigureAwait(false);
            await channel.QueueBindAsync(_amqp.Queue, "amq.topic", options.Prefix.Replace('/', '.') + ".#", cancellationToken: ct).ConfigureAwait(false);
            var consumer = new AsyncEventingBasicConsumer(channel);
            consumer.ReceivedAsync += async (_, e) =>
            {
                // The body belongs to the client only for the duration of this handler.
                var copy = new BasicDeliverEventArgsCopy(e.DeliveryTag, MessageParser.TopicOfRoutingKey(e.RoutingKey), e.Body.ToArray());
                await deliveries.Writer.WriteAsync(copy, ct).ConfigureAwait(false);
            };
            await channel.BasicConsumeAsync(_amqp.Queue, autoAck: false, consumer, ct).ConfigureAwait(false);
            var node = connection.Endpoint.ToString();
            Log.Consuming(logger, _amqp.Queue, _amqp.Prefetch, node);
            Consuming.TrySetResult();

            await ProcessAsync(channel, deliveries.Reader, ct).ConfigureAwait(false);
            return lost.Task.IsCompleted ? lost.Task.Result : "consumer stopped";
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return "stopping";
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return e.Message;
        }
    }

    private async Task ProcessAsync(IChannel channel, ChannelReader<BasicDeliverEventArgsCopy> reader, CancellationToken ct)
    {
        var batch = new List<BasicDeliverEventArgsCopy>(options.BatchSize);
        while (await BatchStore.NextBatchAsync(reader, batch, options.BatchSize, ct).ConfigureAwait(false))
        {
            var last = batch[^1].DeliveryTag;
            try
            {
                await store.StoreAsync(batch.Select(d => new Incoming(d.Topic, d.Body)).ToList(), ct).ConfigureAwait(false);
            }
            catch (Exception e) when (BatchStore.IsDatabaseDown(e) && !ct.IsCancellationRequested)
            {
                // The database is down: give the deliveries back for this or another receiver to retry.
                Log.DatabaseDown(logger, e.Message, _amqp.ReconnectDelay);
                await channel.BasicNackAsync(last, multiple: true, requeue: true, ct).ConfigureAwait(false);
                await Task.Delay(_amqp.ReconnectDelay, time, ct).ConfigureAwait(false);
                continue;
            }

            await channel.BasicAckAsync(last, multiple: true, ct).ConfigureAwait(false);
        }
    }

    private sealed record BasicDeliverEventArgsCopy(ulong DeliveryTag, string Topic, byte[] Body);
}
