using System.Buffers;
using EdgeGateway.Core.Threading;
using EdgeGateway.Core.Monitoring;
using EdgeGateway.Uplink.Internal;
using EdgeGateway.Uplink.Outbox;
using EdgeGateway.Uplink.Payloads;
using EdgeGateway.Uplink.Mqtt.Wire;

namespace EdgeGateway.Uplink.Mqtt.Publishing;

/// <summary>
/// Drains the outbox over one connection at a time: urgent rows first, then telemetry, each in seq order,
/// with up to a window of QoS 1 publishes awaiting PUBACK, written to the socket a window's worth at a time. It owns the lanes' cursors, so it alone decides
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
    /// Publishes until <paramref name="ct"/> ends the connection. Each turn fills the free part of the window from
    /// the outbox and hands the whole run of PUBLISH packets to the connection in one write, in seq order; the
    /// connection's reader settles the PUBACKs where they arrive (see <see cref="Acks"/>) and wakes this loop when
    /// the window had been full. A refused publish completes <paramref name="failed"/>.
    /// </summary>
    public async Task RunAsync(BrokerConnection client, int window, TaskCompletionSource<string> failed, CancellationToken ct)
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

        var acks = new Acks(this, failed);
        var packets = new ArrayBufferWriter<byte>(16 * 1024);
        var v5 = client.V5;
        while (!ct.IsCancellationRequested)
        {
            var free = window - acks.InFlight;
            if (free <= 0)
            {
                await Idle(acks.Freed.WaitAsync(ct)).ConfigureAwait(false);
                continue;
            }

            var batch = Next(Lane.Urgent, free);
            if (batch.Count == 0)
            {
                batch = Next(Lane.Telemetry, free);
            }

            if (batch.Count == 0)
            {
                await Idle(_work.WaitAsync(ct)).ConfigureAwait(false);
                continue;
            }

            packets.ResetWrittenCount();
            foreach (var message in batch)
            {
                var cursor = _lanes[(int)message.Lane];
                lock (_laneLock)
                {
                    cursor.OnSent(message.Seq);
                }

                var id = acks.Track(client, message);
                _publishing.Begin(message.Seq);
                Sending?.Invoke(message.Topic, message.Seq);
                MqttPackets.Publish(packets, v5, _context.Topics.For(message.Topic), message.Payload, qos1: true, retain: false, id,
                    v5 ? (message.Topic == Topics.AlertCap ? "application/cap+xml" : "application/json") : null);
            }

            try
            {
                await client.SendAsync(packets.WrittenMemory, ct).ConfigureAwait(false);
            }
            catch (BrokerConnectionLostException e)
            {
                failed.TrySetResult(e.Message);
                return;
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

    private IReadOnlyList<OutboxMessage> Next(Lane lane, int max)
    {
        long after;
        lock (_laneLock)
        {
            after = _lanes[(int)lane].Sent;
        }

        return _outbox.Read(lane, after, Math.Min(max, ReadBatch));
    }

    private void OnAcked(OutboxMessage message)
    {
        _publishing.End(message.Seq);
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

    /// <summary>
    /// One connection's publishes awaiting PUBACK, by packet id. The connection's reader calls <see cref="Acked"/>
    /// for each PUBACK in the buffer it took off the socket, so a window's worth is settled on one thread in one
    /// go; the pump is woken only when it had filled the window and a slot came free.
    /// </summary>
    private sealed class Acks(OutboxPump pump, TaskCompletionSource<string> failed) : PendingAck
    {
        private readonly Lock _gate = new();
        private readonly Dictionary<ushort, OutboxMessage> _byId = [];
        private int _inFlight;

        public WakeSignal Freed { get; } = new();

        public int InFlight => Volatile.Read(ref _inFlight);

        public ushort Track(BrokerConnection client, OutboxMessage message)
        {
            Interlocked.Increment(ref _inFlight);
            // Under the lock that the connection's reader (Acked) and its closing (Lost) take too.
            lock (_gate)
            {
                var id = client.Register(this);
                _byId[id] = message;
                return id;
            }
        }

        public override void Acked(ushort packetId, byte reason, ReadOnlySpan<byte> subscribeCodes)
        {
            OutboxMessage? message;
            lock (_gate)
            {
                if (!_byId.Remove(packetId, out message))
                {
                    return;
                }
            }

            if (reason is not (0x00 or 0x10))
            {
                var name = MqttPackets.ReasonName(reason);
                pump._publishing.End(message.Seq);
                Log.PublishRejected(pump._context.Logger, message.Seq, message.Topic, name);
                failed.TrySetResult($"broker refused seq {message.Seq}: {name}");
                return;
            }

            try
            {
                pump.OnAcked(message);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                failed.TrySetResult(e.Message);
            }
            finally
            {
                Interlocked.Decrement(ref _inFlight);
                Freed.Set();
            }
        }

        public override void Lost(string reason)
        {
            List<OutboxMessage> lost;
            lock (_gate)
            {
                lost = [.. _byId.Values];
                _byId.Clear();
            }

            foreach (var message in lost)
            {
                pump._publishing.End(message.Seq);
            }

            failed.TrySetResult(reason);
        }
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
