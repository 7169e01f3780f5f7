namespace EdgeGateway.Uplink.Outbox;

/// <summary>
/// The two replay lanes. Urgent (alerts, their CAP documents, events, command results) always goes out
/// before telemetry, so a live alert is never queued behind a backlog of readings; each lane is in seq order.
/// </summary>
internal enum Lane
{
    Urgent = 0,
    Telemetry = 1,
}

/// <summary>One stored message. <see cref="Topic"/> is the suffix under <c>P/S/</c>.</summary>
internal sealed record OutboxMessage(long Seq, Lane Lane, string Topic, byte[] Payload)
{
    public long Size => Payload.Length + Topic.Length;
}

/// <summary>Consecutive seqs <see cref="First"/>..<see cref="Last"/> inclusive.</summary>
internal readonly record struct SeqRange(long First, long Last)
{
    public long Count => Last - First + 1;

    public static IReadOnlyList<SeqRange> FromSorted(IEnumerable<long> seqs)
    {
        var ranges = new List<SeqRange>();
        long first = -1, last = -1;
        foreach (var s in seqs)
        {
            if (first < 0)
            {
                first = last = s;
            }
            else if (s == last + 1)
            {
                last = s;
            }
            else
            {
                ranges.Add(new SeqRange(first, last));
                first = last = s;
            }
        }

        if (first >= 0)
        {
            ranges.Add(new SeqRange(first, last));
        }

        return ranges;
    }
}
