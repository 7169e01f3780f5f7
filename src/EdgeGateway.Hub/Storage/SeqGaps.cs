namespace EdgeGateway.Hub.Storage;

/// <summary>An open range of seqs not yet received from a station.</summary>
public sealed class SeqGap
{
    public long? RowId { get; init; }
    public long From { get; set; }
    public long To { get; set; }
    public DateTimeOffset FirstSeen { get; init; }
    public bool Closed { get; set; }
    public bool Changed { get; set; }
}

/// <summary>
/// The gap bookkeeping of one station: a seq above the highest seen opens a gap below it; a seq (or a
/// seq-skipped range: seqs that will never come) inside an open gap shrinks, splits or closes it. Pure, so
/// the writer applies it inside its transaction with the station row locked.
/// </summary>
public sealed class SeqGaps(long lastSeq, IEnumerable<SeqGap> open, DateTimeOffset now)
{
    private readonly List<SeqGap> _gaps = [.. open];

    public long LastSeq { get; private set; } = lastSeq;

    public IReadOnlyList<SeqGap> Gaps => _gaps;

    /// <summary>A newly stored seq (never one stored before: the writer keeps each once).</summary>
    public void Received(long seq)
    {
        if (seq > LastSeq + 1)
        {
            _gaps.Add(new SeqGap { From = LastSeq + 1, To = seq - 1, FirstSeen = now, Changed = true });
        }

        if (seq > LastSeq)
        {
            LastSeq = seq;
            return;
        }

        Fill(seq, seq);
    }

    /// <summary>Seqs [from, to] are accounted for (received, or announced as never coming).</summary>
    public void Fill(long from, long to)
    {
        foreach (var g in _gaps.ToList())
        {
            if (g.Closed || to < g.From || from > g.To)
            {
                continue;
            }

            g.Changed = true;
            if (from <= g.From && to >= g.To)
            {
                g.Closed = true;
            }
            else if (from <= g.From)
            {
                g.From = to + 1;
            }
            else if (to >= g.To)
            {
                g.To = from - 1;
            }
            else
            {
                _gaps.Add(new SeqGap { From = to + 1, To = g.To, FirstSeen = g.FirstSeen, Changed = true });
                g.To = from - 1;
            }
        }
    }
}
