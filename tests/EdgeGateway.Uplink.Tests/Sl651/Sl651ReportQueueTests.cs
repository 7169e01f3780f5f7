using EdgeGateway.Uplink.Sl651;
using EdgeGateway.Uplink.Tests.Outbox;

namespace EdgeGateway.Uplink.Tests.Sl651;

public sealed class Sl651ReportQueueTests : IDisposable
{
    private static readonly Dictionary<string, string> NoValues = [];

    private readonly TempDirectory _dir = new();

    private string File => _dir.File(Sl651ReportQueue.FileName);

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void NextSerial_CountsTo65535ThenWrapsToOne()
    {
        using var queue = new Sl651ReportQueue(File);
        ushort last = 0;
        for (var i = 0; i < 65535; i++)
        {
            last = queue.NextSerial();
        }

        Assert.Equal(65535, last);
        Assert.Equal(1, queue.NextSerial());
    }

    [Fact]
    public void Reopened_KeepsOwedReportsInSendingOrderAndContinuesTheSerials()
    {
        using (var queue = new Sl651ReportQueue(File))
        {
            queue.Add(queue.NextSerial(), 0x32, [1], NoValues);
            queue.Add(queue.NextSerial(), 0x33, [2], new Dictionary<string, string> { ["rain-total:g"] = "12.5" });
            queue.Add(queue.NextSerial(), 0x32, [3], NoValues);
            queue.Confirmed(queue.Next()!.Id);   // the add report went first
        }

        using var reopened = new Sl651ReportQueue(File);
        Assert.Equal([(1, (byte)0x32), (3, (byte)0x32)], reopened.InSendingOrder(10).Select(o => ((int)o.Serial, o.Function)));
        Assert.Equal(4, reopened.NextSerial());
        Assert.Equal("12.5", reopened.Get("rain-total:g"));
    }

    [Fact]
    public void DiskRefusingWrites_KeepsReportsInMemorySendableAndStoresThemWhenItWritesAgain()
    {
        using (var queue = new Sl651ReportQueue(File))
        {
            queue.Add(queue.NextSerial(), 0x32, [1], NoValues);
            FullDisk.Fill(queue.ExecForTests);

            // Larger than a page: it needs pages the full file cannot have.
            Assert.False(queue.Add(queue.NextSerial(), 0x33, new byte[4000], NoValues));
            Assert.NotNull(queue.Fault);
            Assert.Equal([2, 1], queue.InSendingOrder(10).Select(o => (int)o.Serial));
            Assert.Equal(2, queue.Count);

            FullDisk.Free(queue.ExecForTests);
            Assert.True(queue.Add(queue.NextSerial(), 0x32, [3], NoValues));
            Assert.Null(queue.Fault);
        }

        using var reopened = new Sl651ReportQueue(File);
        Assert.Equal([2, 1, 3], reopened.InSendingOrder(10).Select(o => (int)o.Serial));
    }
}
