using EdgeGateway.Hub.Storage;

namespace EdgeGateway.Hub.Tests.Storage;

public sealed class SeqGapsTests
{
    private static readonly DateTimeOffset Now = new(2026, 7, 1, 3, 0, 0, TimeSpan.Zero);

    private static (long, long)[] Open(SeqGaps g) => g.Gaps.Where(x => !x.Closed).Select(x => (x.From, x.To)).Order().ToArray();

    [Fact]
    public void Received_JumpAboveLast_OpensGapBelow()
    {
        var gaps = new SeqGaps(3, [], Now);

        gaps.Received(7);

        Assert.Equal([(4L, 6L)], Open(gaps));
        Assert.Equal(7, gaps.LastSeq);
    }

    [Fact]
    public void Received_InsideGap_SplitsShrinksThenCloses()
    {
        var gaps = new SeqGaps(3, [], Now);
        gaps.Received(8);

        gaps.Received(6);
        Assert.Equal([(4L, 5L), (7L, 7L)], Open(gaps));
        gaps.Received(4);
        gaps.Received(7);
        Assert.Equal([(5L, 5L)], Open(gaps));
        gaps.Received(5);

        Assert.Empty(Open(gaps));
        Assert.Equal(8, gaps.LastSeq);
    }

    [Fact]
    public void Fill_SkippedRange_ClosesWhatItCovers()
    {
        var gaps = new SeqGaps(0, [new SeqGap { RowId = 1, From = 10, To = 20, FirstSeen = Now }], Now);

        gaps.Fill(5, 15);

        var g = Assert.Single(gaps.Gaps);
        Assert.Equal((16L, 20L, true), (g.From, g.To, g.Changed));
    }
}
