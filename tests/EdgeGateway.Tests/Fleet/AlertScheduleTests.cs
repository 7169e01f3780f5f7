using EdgeGateway.Fleet;

namespace EdgeGateway.Tests.Fleet;

public sealed class AlertScheduleTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 2, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Due_Spread_EachStationOnceAPeriodAtItsOwnPhase()
    {
        var schedule = new AlertSchedule(stations: 4, Start, TimeSpan.FromSeconds(60), spread: true);

        // One-second ticks over three periods: station k first at (k + 1) * 15 s, then every 60 s.
        var raised = new List<(int Second, int Station)>();
        for (var second = 1; second <= 180; second++)
        {
            raised.AddRange(schedule.Due(Start.AddSeconds(second)).Select(k => (second, k)));
        }

        Assert.Equal(
            [(15, 0), (30, 1), (45, 2), (60, 3), (75, 0), (90, 1), (105, 2), (120, 3), (135, 0), (150, 1), (165, 2), (180, 3)],
            raised);
    }

    [Fact]
    public void Due_Together_EveryStationAtEachWholePeriod()
    {
        var schedule = new AlertSchedule(stations: 3, Start, TimeSpan.FromSeconds(10), spread: false);

        Assert.Empty(schedule.Due(Start.AddSeconds(9.9)));
        Assert.Equal([0, 1, 2], schedule.Due(Start.AddSeconds(10)));
        Assert.Empty(schedule.Due(Start.AddSeconds(10.5)));
        Assert.Equal([0, 1, 2], schedule.Due(Start.AddSeconds(20)));
    }

    [Fact]
    public void Due_SimulatorStalledForPeriods_EachStationRaisesOnceThenKeepsItsPhase()
    {
        var schedule = new AlertSchedule(stations: 2, Start, TimeSpan.FromSeconds(10), spread: true);

        Assert.Equal([0, 1], schedule.Due(Start.AddSeconds(35)));
        Assert.Empty(schedule.Due(Start.AddSeconds(39)));
        Assert.Equal([1], schedule.Due(Start.AddSeconds(40)));
        Assert.Equal([0], schedule.Due(Start.AddSeconds(45)));
    }
}
