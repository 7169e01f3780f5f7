using EdgeGateway.Core.Monitoring;
using Microsoft.Extensions.Time.Testing;

namespace EdgeGateway.Core.Tests.Monitoring;

public sealed class StorageHealthTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 7, 1, 3, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Failed_RepeatedThenSucceeded_OneChangeAtEachEndWithHowLongItLasted()
    {
        var health = new StorageHealth(_time);
        var changes = new List<StorageChange>();
        health.Changed += changes.Add;

        health.Succeeded("outbox");
        health.Failed("outbox", "disk full");
        _time.Advance(TimeSpan.FromSeconds(40));
        health.Failed("outbox", "disk I/O error");
        var fault = Assert.Single(health.Faults);
        Assert.Equal(("outbox", "disk I/O error", _time.GetUtcNow().AddSeconds(-40)), (fault.Store, fault.Error, fault.Since));

        health.Succeeded("outbox");
        health.Succeeded("outbox");
        Assert.Empty(health.Faults);
        Assert.Equal(2, changes.Count);
        Assert.Equal("disk full", changes[0].Fault!.Error);
        Assert.Null(changes[1].Fault);
        Assert.Equal(TimeSpan.FromSeconds(40), changes[1].Lasted);
    }

    [Fact]
    public void Failed_TwoStores_EachTrackedAndListenerFailureContained()
    {
        var health = new StorageHealth(_time);
        health.Changed += _ => throw new InvalidOperationException("listener broke");
        health.Failed("history", "disk full");
        health.Failed("alert-state", "disk full");
        Assert.Equal(["alert-state", "history"], health.Faults.Select(f => f.Store));
        health.Succeeded("history");
        Assert.Equal("alert-state", Assert.Single(health.Faults).Store);
    }
}
