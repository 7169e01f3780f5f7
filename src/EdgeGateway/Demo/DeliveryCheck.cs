namespace EdgeGateway.Demo;

/// <summary>
/// What a hub checks on what it received from one station (the uplink contract): every message id once,
/// each kind in seq order, and no seq missing among the messages that carry one.
/// </summary>
public static class DeliveryCheck
{
    /// <summary>Ids that arrived more than once.</summary>
    public static IReadOnlyList<string> DuplicateIds(IEnumerable<HubMessage> messages) =>
        [.. messages.Where(m => m.Id is not null).GroupBy(m => m.Id!).Where(g => g.Count() > 1).Select(g => g.Key)];

    /// <summary>Pairs of consecutive arrivals (in the given order) whose seq did not increase.</summary>
    public static IReadOnlyList<(long Before, long After)> OutOfOrder(IEnumerable<HubMessage> messages)
    {
        var problems = new List<(long, long)>();
        long? previous = null;
        foreach (var seq in messages.Select(m => m.Seq).OfType<long>())
        {
            if (previous is { } p && seq <= p)
            {
                problems.Add((p, seq));
            }

            previous = seq;
        }

        return problems;
    }

    /// <summary>Seqs between the lowest and highest received that never arrived, on any topic.</summary>
    public static IReadOnlyList<long> MissingSeqs(IEnumerable<HubMessage> messages)
    {
        var seqs = messages.Select(m => m.Seq).OfType<long>().ToHashSet();
        if (seqs.Count == 0)
        {
            return [];
        }

        var missing = new List<long>();
        for (var s = seqs.Min(); s <= seqs.Max(); s++)
        {
            if (!seqs.Contains(s))
            {
                missing.Add(s);
            }
        }

        return missing;
    }
}
