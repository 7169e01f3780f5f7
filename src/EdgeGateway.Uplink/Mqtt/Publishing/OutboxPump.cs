using EdgeGateway.Core.Threading;
using EdgeGateway.Core.Monitoring;
using EdgeGateway.Uplink.Internal;
using EdgeGateway.Uplink.Outbox;
using EdgeGateway.Uplink.Payloads;
using MQTTnet;
using MQTTnet.Protocol;

namespace EdgeGateway.Uplink.Mqtt.Publishing;

/// <summary>
/// Drains the outbox over one connection at a time: urgent rows first, then telemetry, each in seq order,
/// with up to a window of QoS 1 publishes awaiting PUBACK. It owns the lanes' cursors, so it alone decides
/// what may be deleted: a row only once it and every row below it were acknowledged (the watermark).
/// </summary>
internal sealed class OutboxPump
{
    private const int ReadBatch = 64;
    private const int UrgentDeleteBatch = 32;

    private readonly UplinkContext _context;
    private readonly Outbox.Outbox _outbox;
    private readonly LaneCursor[] _lanes = [new(Lane.Urgent), new(Lane.Telemetry)];
    private readonly Lock _laneLock = new();
    private readonly WakeSignal _work = new();
    private readonly InFlightPublishes _publishing;

    public OutboxPump(UplinkContext context, Outbox.Outbox outbox)
    {
        _context = context;
        _outbox = outbox;
        _publishing = new InFlightPublishes(context.Time);
        outbox.Written += _work.Set;
    }

    /// <summary>Raised with the topic suffix and seq of each message as it is handed to the client (PUBLISH).</summary>
    public event Action<string, long>? Sending;

    /// <summary>Raised with the topic suffix and seq of each message the broker acknowledged (PUBACK).</summary>
    public event Action<string, long>? Acknowledged;

    /// <summary>Messages not yet acknowledged: stored rows less those acknowledged but not yet deleted in a batch.</summary>
    public long QueueDepth()
    {
        long acked;
        lock (_laneLock)
        {
            acked = _lanes[0].AckedUndeleted + _lanes[1].AckedUndeleted;
        }

        return Math.Max(0, _outbox.Count - acked);
    }

    /// <summary>
    /// Publishes until <paramref name="ct"/> ends the connection. Publishes are issued one after another from
    /// this loop, so they reach the broker in seq order; a refused or failed one completes <paramref name="failed"/>.
    /// </summary>
    public async Task RunAsync(IMqttClient client, int window, TaskCompletionSource<string> failed, CancellationToken ct)
    {
        // Acknowledged rows go now, so the rewound cursors only ever count fresh acknowledgements.
        foreach (var lane in _lanes)
        {
            long upTo;
            lock (_laneLock)
            {
                upTo = lane.TakeDeletable();
                lane.Rewind();
            }

            Delete(lane, upTo, rewound: true);
        }

        var slots = new PublishWindow(window, ct);
        while (!ct.IsCancellationRequested)
        {
            var batch = Next(Lane.Urgent);
            if (batch.Count == 0)
            {
                batch = Next(Lane.Telemetry);
            }

            if (batch.Count == 0)
            {
                await Idle(_work.WaitAsync(ct)).ConfigureAwait(false);
                continue;
            }

            foreach (var message in batch)
            {
                await Idle(slots.TakeAsync()).ConfigureAwait(false);
                var cursor = _lanes[(int)message.Lane];
                lock (_laneLock)
                {
                    cursor.OnSent(message.Seq);
                }

                _publishing.Begin(message.Seq);
                Sending?.Invoke(message.Topic, message.Seq);
                _ = PublishOneAsync(client, message, slots, failed, ct);
            }
        }
    }

    /// <summary>Deletes every lane's acknowledged rows now (housekeeping, so a trickle does not wait for a full batch).</summary>
    public void DeleteAcknowledged()
    {
        foreach (var cursor in _lanes)
        {
            long upTo;
            lock (_laneLock)
            {
                upTo = cursor.TakeDeletable();
            }

            Delete(cursor, upTo, rewound: false);
        }
    }

    // The publisher waiting for work or for a free slot is idle, not stuck, unless a publish it started has
    // been waiting for its PUBACK longer than the client's timeout allows.
    private Task Idle(Task wait) =>
        _context.Heartbeat.WaitBeatingAsync(wait, Timeout.InfiniteTimeSpan, UplinkWatchdog.BeatInterval, _context.Time,
            () => !_publishing.OlderThan(UplinkWatchdog.CallAllowance(_context.Options.Mqtt)));

    private IReadOnlyList<OutboxMessage> Next(Lane lane)
    {
        long after;
        lock (_laneLock)
        {
            after = _lanes[(int)lane].Sent;
        }

        return _outbox.Read(lane, after, ReadBatch);
    }

    private async Task PublishOneAsync(IMqttClient client, OutboxMessage message, PublishWindow slots,
        TaskCompletionSource<string> failed, CancellationToken ct)
    {
        try
        {
            var options = _context.Options;
            var builder = new MqttApplicationMessageBuilder()
                .WithTopic(_context.Topics.For(message.Topic))
                .WithPayload(message.Payload)
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
            if (options.Mqtt.Protocol == MqttProtocol.V5)
            {
                builder = builder.WithContentType(message.Topic == Topics.AlertCap ? "application/cap+xml" : "application/json");
            }

            var result = await client.PublishAsync(builder.Build(), ct).ConfigureAwait(false);
            if (result.ReasonCode is not (MqttClientPublishReasonCode.Success or MqttClientPublishReasonCode.NoMatchingSubscribers))
            {
                Log.PublishRejected(_context.Logger, message.Seq, message.Topic, result.ReasonCode.ToString());
                failed.TrySetResult($"broker refused seq {message.Seq}: {result.ReasonCode}");
                return;
            }

            OnAcked(message);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            failed.TrySetResult(e.Message);
        }
        finally
        {
            _publishing.End(message.Seq);
            slots.Release();
        }
    }

    private void OnAcked(OutboxMessage message)
    {
        var cursor = _lanes[(int)message.Lane];
        long upTo = 0;
        lock (_laneLock)
        {
            cursor.OnAcked(message.Seq);
            var batch = message.Lane == Lane.Urgent ? UrgentDeleteBatch : _context.Options.Outbox.AckDeleteBatch;
            if (cursor.AckedSinceDelete >= batch || (message.Lane == Lane.Urgent && cursor.InFlight == 0))
            {
                upTo = cursor.TakeDeletable();
            }
        }

        Delete(cursor, upTo, rewound: false);
        Acknowledged?.Invoke(message.Topic, message.Seq);
    }

    // Rows up to the watermark taken from the cursor go in one delete; a rewound cursor counts no
    // acknowledgements yet, so there is nothing to take off its count.
    private void Delete(LaneCursor cursor, long upTo, bool rewound)
    {
        if (upTo <= 0)
        {
            return;
        }

        var rows = _outbox.DeleteUpTo(cursor.Lane, upTo);
        if (!rewound)
        {
            lock (_laneLock)
            {
                cursor.AckedUndeleted = Math.Max(0, cursor.AckedUndeleted - rows);
            }
        }
    }
}
