using EdgeGateway.Cli;

namespace EdgeGateway.Tests.Cli;

/// <summary>The <c>modbus read --repeat</c> summary's latencies: exact when few, to the microsecond when many.</summary>
public sealed class LatencySummaryTests
{
    [Fact]
    public void No_latency_has_no_median()
    {
        var summary = new LatencySummary();

        Assert.Null(summary.Median());
        Assert.Null(summary.Min);
        Assert.Null(summary.Max);
    }

    [Fact]
    public void A_short_run_keeps_every_latency_exact()
    {
        var summary = new LatencySummary();
        double[] latencies = [0.41234, 0.05, 1.5, 0.0712, 0.0699];
        foreach (var ms in latencies)
        {
            summary.Add(ms);
        }

        Assert.Equal(0.0712, summary.Median());
        Assert.Equal(0.05, summary.Min);
        Assert.Equal(1.5, summary.Max);
        summary.Add(0.3);
        Assert.Equal((0.0712 + 0.3) / 2, summary.Median());
    }

    [Theory]
    [InlineData(LatencySummary.ExactReads + 1)]
    [InlineData(50_001)]
    [InlineData(50_000)]
    public void A_long_run_has_the_median_to_the_microsecond_and_min_and_max_exact(int reads)
    {
        var random = new Random(reads);
        var summary = new LatencySummary();
        var all = new double[reads];
        for (var i = 0; i < reads; i++)
        {
            // Mostly a fast line, a few slow answers beyond the histogram's 65 ms and one timeout-long one.
            all[i] = i % 997 == 0 ? 70 + (random.NextDouble() * 1000) : 0.03 + (random.NextDouble() * random.NextDouble() * 5);
            summary.Add(all[i]);
        }

        Array.Sort(all);
        var exact = reads % 2 == 1 ? all[reads / 2] : (all[(reads / 2) - 1] + all[reads / 2]) / 2;
        Assert.Equal(reads, summary.Count);
        Assert.InRange(summary.Median()!.Value, exact - 0.0005, exact + 0.0005);
        Assert.Equal(all[0], summary.Min);
        Assert.Equal(all[^1], summary.Max);
    }

    [Fact]
    public void Slow_answers_beyond_the_histogram_still_decide_the_median_when_they_are_the_middle()
    {
        var summary = new LatencySummary();
        for (var i = 0; i < LatencySummary.ExactReads; i++)
        {
            summary.Add(0.05);
        }

        // Past the kept ones: as many 100 ms answers again, and one more, so the middle is a slow one.
        for (var i = 0; i <= LatencySummary.ExactReads; i++)
        {
            summary.Add(100.25);
        }

        Assert.Equal(100.25, summary.Median());
    }

    [Fact]
    public void Memory_does_not_grow_with_the_reads_once_they_are_many()
    {
        var summary = new LatencySummary();
        for (var i = 0; i < 2 * LatencySummary.ExactReads; i++)
        {
            summary.Add(0.05 + (i % 100 / 1000.0));
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100_000; i++)
        {
            summary.Add(0.05 + (i % 100 / 1000.0));
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
