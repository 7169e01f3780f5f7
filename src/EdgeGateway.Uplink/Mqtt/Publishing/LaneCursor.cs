using EdgeGateway.Uplink.Outbox;

namespace EdgeGateway.Uplink.Mqtt.Publishing;

/// <summary>
/// Publishing state of one lane. Messages go out in seq order; <see cref="Watermark"/> is the highest seq
/// below which every sent message was acknowledged, which is what may be deleted. After a lost connection
/// sending restarts above the watermark, so nothing unacknowledged is skipped (a few acknowledged ones
/// may go twice; the hub drops them by id).
/// </summary>
internal sealed class LaneCursor(Lane lane)
{
    private readonly SortedSet<long> _inflight = [];

    public Lane Lane { get; } = lane;

    /// <summary>Highest seq handed to the client on this connection.</summary>
    public long Sent { get; private set; }

    public long Watermark { get; private set; }

    /// <summary>Highest seq whose delete was asked for.</summary>
    public long Deleted { get; private set; }

    public int AckedSinceDelete { get; private set; }

    /// <summary>Acknowledged rows still stored (deleted in batches); not part of the queue depth.</summary>
    public long AckedUndeleted { get; set; }

    public int InFlight => _inflight.Count;

    public void OnSent(long seq)
    {
        Sent = seq;
        _inflight.Add(seq);
    }

    public void OnAcked(long seq)
    {
        if (!_inflight.Remove(seq))
        {
            return;
        }

        AckedSinceDelete++;
        AckedUndeleted++;
        Watermark = Math.Max(Watermark, _inflight.Count > 0 ? _inflight.Min - 1 : Sent);
    }

    /// <summary>
    /// The seq up to which rows may now be deleted (everything acknowledged below the watermark not yet asked
    /// for), marked as asked for; 0 when there is none. The one place the watermark turns into a delete.
    /// </summary>
    public long TakeDeletable()
    {
        if (Watermark <= Deleted)
        {
            return 0;
        }

        Deleted = Watermark;
        AckedSinceDelete = 0;
        return Watermark;
    }

    /// <summary>A new connection: resend everything above the watermark.</summary>
    public void Rewind()
    {
        _inflight.Clear();
        Sent = Watermark;
        AckedUndeleted = 0;
        AckedSinceDelete = 0;
    }
}
