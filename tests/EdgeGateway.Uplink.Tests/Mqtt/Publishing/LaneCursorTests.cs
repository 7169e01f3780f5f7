using EdgeGateway.Uplink.Mqtt.Publishing;
using EdgeGateway.Uplink.Outbox;

namespace EdgeGateway.Uplink.Tests.Mqtt.Publishing;

public sealed class LaneCursorTests
{
    [Fact]
    public void TakeDeletable_AckedOutOfOrder_OnlyUpToTheFirstUnacknowledged()
    {
        var cursor = new LaneCursor(Lane.Telemetry);
        foreach (var seq in new long[] { 1, 2, 3, 4 })
        {
            cursor.OnSent(seq);
        }

        cursor.OnAcked(1);
        cursor.OnAcked(3);
        cursor.OnAcked(4);

        // 2 is still awaiting its PUBACK: 3 and 4 must stay stored.
        Assert.Equal(1, cursor.TakeDeletable());
        Assert.Equal(0, cursor.TakeDeletable());

        cursor.OnAcked(2);
        Assert.Equal(4, cursor.TakeDeletable());
        Assert.Equal(0, cursor.AckedSinceDelete);
        Assert.Equal(4, cursor.Deleted);
    }

    [Fact]
    public void Rewind_AfterALostConnection_ResendsFromTheWatermarkAndDeletesNothingTwice()
    {
        var cursor = new LaneCursor(Lane.Urgent);
        foreach (var seq in new long[] { 1, 2, 3 })
        {
            cursor.OnSent(seq);
        }

        cursor.OnAcked(1);
        cursor.OnAcked(3);
        cursor.Rewind();

        Assert.Equal(1, cursor.Sent);
        Assert.Equal(0, cursor.InFlight);
        Assert.Equal(1, cursor.TakeDeletable());
        Assert.Equal(0, cursor.TakeDeletable());
    }
}
