using EdgeGateway.Fleet;

namespace EdgeGateway.Tests.Fleet;

public sealed class AlertScheduleTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 2, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Due_Spread_EachStationOnceAPeriodAtItsOwnPhaseFromTheSecondPeriod()
    {
        var schedule = new AlertSchedule(stations: 4, Start, TimeSpan.FromSeconds(60), spread: true);

        // One-second ticks over three periods: station k first at 60 + k * 15 s, then every 60 s.
        var raised = new List<(int Second, int Station)>();
        for (var second = 1; second <= 180; second++)
        {
            raised.AddRange(schedule.Due(Start.AddSeconds(second)).Select(k => (second, k)));
        }

        Assert.Equal(
            [(60, 0), (75, 1), (90, 2), (105, 3), (120, 0), (135, 1), (150, 2), (165, 3), (180, 0)],
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

        // Station 0 due at 10, 20, 30 ...; station 1 at 15, 25, 35 ...
        Assert.Equal([0, 1], schedule.Due(Start.AddSeconds(37)));
        Assert.Empty(schedule.Due(Start.AddSeconds(39)));
        Assert.Equal([0], schedule.Due(Start.AddSeconds(40)));
        Assert.Equal([1], schedule.Due(Start.AddSeconds(45)));
    }
}
