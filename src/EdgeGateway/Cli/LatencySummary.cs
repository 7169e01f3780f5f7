namespace EdgeGateway.Cli;

/// <summary>
/// The answered reads' latencies for the <c>modbus read --repeat</c> summary (min, median, max), in memory that
/// does not grow with the number of reads once they are many.
/// <para>
/// The first <see cref="ExactReads"/> latencies are kept as measured, so a short run's median is exact. Past that
/// they go into a histogram of 1 µs steps up to 65.535 ms (a fixed 256 KiB, allocated once):
/// the median is then exact to the microsecond, the summary's precision (it prints milliseconds with two decimals,
/// three in JSON). A latency beyond the histogram (a slow line) is kept as measured. Min and max are always exact.
/// </para>
/// </summary>
internal sealed class LatencySummary
{
    /// <summary>How many latencies are kept as measured before the histogram takes over.</summary>
    internal const int ExactReads = 4096;

    private const int BucketsPerMs = 1000;

    /// <summary>The histogram's 1 µs steps: latencies up to 65.535 ms; longer ones are kept as measured.</summary>
    private const int Buckets = 65_536;

    private readonly List<double> _exact = [];
    private int[]? _buckets;
    private int _bucketed;

    public int Count => _exact.Count + _bucketed;

    public double? Min { get; private set; }

    public double? Max { get; private set; }

    public void Add(double ms)
    {
        Min = Min is { } min && min <= ms ? min : ms;
        Max = Max is { } max && max >= ms ? max : ms;
        var bucket = Math.Round(ms * BucketsPerMs);
        if (_exact.Count < ExactReads || bucket is < 0 or >= Buckets)
        {
            _exact.Add(ms);
            return;
        }

        _buckets ??= new int[Buckets];
        _buckets[(int)bucket]++;
        _bucketed++;
    }

    /// <summary>The median: the middle latency, or the mean of the two middle ones.</summary>
    public double? Median()
    {
        var n = Count;
        if (n == 0)
        {
            return null;
        }

        // In place: the summary is the last thing a run does.
        _exact.Sort();
        return n % 2 == 1 ? At(n / 2) : (At((n / 2) - 1) + At(n / 2)) / 2;
    }

    /// <summary>The k-th smallest latency (from 0), over the kept latencies and the histogram merged.</summary>
    private double At(int k)
    {
        if (_buckets is null)
        {
            return _exact[k];
        }

        // Kept latencies below, inside and above the histogram's range, in order: the kept ones are sorted.
        var e = 0;
        var bucket = 0;
        var inBucket = 0;
        for (var i = 0; ; i++)
        {
            while (bucket < _buckets.Length && inBucket >= _buckets[bucket])
            {
                bucket++;
                inBucket = 0;
            }

            var fromHistogram = bucket < _buckets.Length ? bucket / (double)BucketsPerMs : double.PositiveInfinity;
            double next;
            if (e < _exact.Count && _exact[e] <= fromHistogram)
            {
                next = _exact[e++];
            }
            else
            {
                next = fromHistogram;
                inBucket++;
            }

            if (i == k)
            {
                return next;
            }
        }
    }
}
