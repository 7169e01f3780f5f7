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
/// share the queue. Beside it, an urgent lane: a second quorum queue (<see cref="UrgentQueueOf"/>) gets a copy of
/// every alert, CAP document, event and command result, and is written by its own loop, so an alert does not
/// wait behind the telemetry a storm's stations send with it. Whichever lane writes a message first stores
/// it; the writer keeps each <c>(station, seq)</c> once, so the copy in the other lane changes nothing. What arrives is written in batches (whatever is waiting, up to the batch size) and
/// acknowledged, with one multiple ack, only after the transaction committed: a receiver that dies
/// between the two leaves its deliveries to be redelivered, and the writer keeps them once. A lost
/// connection is followed by one to the next node of the list.
/// </summary>
public sealed class AmqpReceiver(HubOptions options, BatchStore store, TimeProvider time, ILogger<AmqpReceiver> logger) : BackgroundService
{
    // Topic suffixes (after PREFIX.STATION.) of what a person waits for; telemetry and status are the bulk.
    private static readonly string[] UrgentKinds = ["alert", "alert.cap", "event", "cmd.result"];

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
        try
        {
            await using var connection = await factory.CreateConnectionAsync(endpoints, ct).ConfigureAwait(false);
            var lost = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            connection.ConnectionShutdownAsync += (_, e) =>
            {
                lost.TrySetResult(e.ReplyText);
                return Task.CompletedTask;
            };
            var prefix = options.Prefix.Replace('/', '.');
            await using var all = await OpenLaneAsync(connection, _amqp.Queue, [prefix + ".#"], lost, ct).ConfigureAwait(false);
            await using var urgent = await OpenLaneAsync(connection, UrgentQueueOf(_amqp.Queue), [.. UrgentKinds.Select(k => prefix + ".*." + k)], lost, ct)
                .ConfigureAwait(false);
            Consuming.TrySetResult();

            // Each lane writes and acknowledges on its own; the first to end (a lost connection ends both)
            // ends the other, and the connection is made again.
            using var lanes = CancellationTokenSource.CreateLinkedTokenSource(ct);
            await Task.WhenAll(RunLaneAsync(all, lanes), RunLaneAsync(urgent, lanes)).ConfigureAwait(false);
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

    /// <summary>
    /// The queue of the urgent lane beside <paramref name="queue"/>: alerts, CAP documents, events and
    /// command results, which the main queue also gets.
    /// </summary>
    public static string UrgentQueueOf(string queue) => queue + ".urgent";

    private async Task<Lane> OpenLaneAsync(IConnection connection, string queue, string[] bindings, TaskCompletionSource<string> lost, CancellationToken ct)
    {
        var deliveries = Channel.CreateBounded<BasicDeliverEventArgsCopy>(new BoundedChannelOptions(_amqp.Prefetch + 1) { SingleReader = true });
        connection.ConnectionShutdownAsync += (_, _) =>
        {
            deliveries.Writer.TryComplete();
            return Task.CompletedTask;
        };
        var channel = await connection.CreateChannelAsync(cancellationToken: ct).ConfigureAwait(false);
        channel.ChannelShutdownAsync += (_, e) =>
        {
            lost.TrySetResult(e.ReplyText);
            deliveries.Writer.TryComplete();
            return Task.CompletedTask;
        };
        await channel.BasicQosAsync(0, _amqp.Prefetch, false, ct).ConfigureAwait(false);
        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false,
            arguments: new Dictionary<string, object?>(StringComparer.Ordinal) { ["x-queue-type"] = "quorum" }, cancellationToken: ct).ConfigureAwait(false);
        foreach (var key in bindings)
        {
            await channel.QueueBindAsync(queue, "amq.topic", key, cancellationToken: ct).ConfigureAwait(false);
        }

        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += async (_, e) =>
        {
            // The body belongs to the client only for the duration of this handler.
            var copy = new BasicDeliverEventArgsCopy(e.DeliveryTag, MessageParser.TopicOfRoutingKey(e.RoutingKey), e.Body.ToArray(), time.GetUtcNow());
            await deliveries.Writer.WriteAsync(copy, ct).ConfigureAwait(false);
        };
        await channel.BasicConsumeAsync(queue, autoAck: false, consumer, ct).ConfigureAwait(false);
        var node = connection.Endpoint.ToString();
        Log.Consuming(logger, queue, _amqp.Prefetch, node);
        return new Lane(channel, deliveries.Reader);
    }

    private async Task RunLaneAsync(Lane lane, CancellationTokenSource lanes)
    {
        try
        {
            await ProcessAsync(lane.Channel, lane.Deliveries, lanes.Token).ConfigureAwait(false);
        }
        finally
        {
            await lanes.CancelAsync().ConfigureAwait(false);
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
                await store.StoreAsync(batch.Select(d => new Incoming(d.Topic, d.Body, d.Received)).ToList(), ct).ConfigureAwait(false);
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

    private sealed record BasicDeliverEventArgsCopy(ulong DeliveryTag, string Topic, byte[] Body, DateTimeOffset Received);

    private sealed record Lane(IChannel Channel, ChannelReader<BasicDeliverEventArgsCopy> Deliveries) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Channel.DisposeAsync();
    }
}
