using EdgeGateway.Core.Alerting;
using EdgeGateway.Core.Readings;
using EdgeGateway.Sl651;
using EdgeGateway.Uplink.Sl651;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace EdgeGateway.Uplink.Tests.Sl651;

/// <summary>
/// What the station makes and when, on a fake clock with no centre listening: every report stays owed, so
/// the queue shows each one with its function, observation time and elements.
/// </summary>
public sealed class Sl651StationScheduleTests : IAsyncLifetime, IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private static readonly TimeZoneInfo Beijing = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    // 09:59:00 in Beijing.
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 7, 1, 1, 59, 0, TimeSpan.Zero));
    private readonly TempDirectory _dir = new();
    private readonly Sl651Station _station;
    private readonly List<(Sl651Function Function, ushort Serial)> _queued = [];
    private readonly SemaphoreSlim _made = new(0);

    public Sl651StationScheduleTests()
    {
        var options = new Sl651Options
        {
            Centre = 1,
            Station = "0012345678",
            Password = 0x04D2,
            StationType = Sl651StationType.River,
            Timed = TimeSpan.FromHours(1),
            TimeZone = Beijing,
            StoragePath = _dir.Path,
        };
        options.Centres.Add(new Sl651CentreAddress("127.0.0.1", Loopback.FreePort()));
        options.Elements.Add(new Sl651ElementSource("river-level", Sl651Elements.RiverLevel, Sl651Source.Value));
        options.Elements.Add(new Sl651ElementSource("rain", Sl651Elements.AccumulatedRainfall, Sl651Source.RainTotal));
        options.Elements.Add(new Sl651ElementSource("rain", Sl651Elements.HourRainfall, Sl651Source.RainLastHour));
        options.Elements.Add(new Sl651ElementSource("battery", Sl651Elements.SupplyVoltage, Sl651Source.Value));
        // The readings history of the run before this start: a tip at 09:40 counts in 1A, but was already in the
        // stored total (26); a river level from then is never sent as current.
        var before = _time.GetUtcNow().AddMinutes(-19);
        IEnumerable<Reading> History() => [new Reading("rain", before, 0.5, Quality.Good), new Reading("river-level", before, 9.9, Quality.Good)];
        _station = new Sl651Station(options, _time, NullLogger<Sl651Station>.Instance, History);
        _station.Queued += (f, s) =>
        {
            lock (_queued)
            {
                _queued.Add((f, s));
            }

            _made.Release();
        };
    }

    public async Task InitializeAsync()
    {
        await _station.StartAsync(CancellationToken.None);
        await _station.Scheduled.WaitAsync(Patience);
    }

    public async Task DisposeAsync() => await _station.StopAsync(CancellationToken.None);

    public void Dispose()
    {
        _station.Dispose();
        _made.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public async Task TimedReport_OnTheLocalHour_CarriesTheCurrentValues()
    {
        var now = _time.GetUtcNow();
        _station.OnReadings([
            new Reading("river-level", now, 2.4567, Quality.Good),
            new Reading("rain", now.AddMinutes(-70), 3.0, Quality.Good),   // before the hour: in the total only
            new Reading("rain", now.AddMinutes(-10), 0.5, Quality.Good),
            new Reading("rain", now, 0.5, Quality.Good),
            new Reading("battery", now, double.NaN, Quality.CommFault),
        ]);

        _time.Advance(TimeSpan.FromSeconds(59));   // 09:59:59: not yet
        Assert.False(await _made.WaitAsync(TimeSpan.FromMilliseconds(200)));
        _time.Advance(TimeSpan.FromSeconds(1));    // 10:00:00
        Assert.True(await _made.WaitAsync(Patience));

        var frame = Assert.Single(_station.Owed());
        Assert.Equal(Sl651Function.Timed, frame.Function);
        Assert.Equal(new DateTime(2026, 7, 1, 10, 0, 0), frame.Report!.ObservationTime);
        Assert.Equal(Sl651StationType.River, frame.Report.StationType);
        Assert.Equal(2.457m, frame.Elements[0].Value);                  // 39 at its 3 decimals
        Assert.Equal(4.0m, frame.Elements[1].Value);                    // 26: every good mm since the stored total
        Assert.Equal(1.5m, frame.Elements[2].Value);                    // 1A: the hour up to 10:00, before the start too
        Assert.Equal(Sl651ValueKind.NoData, frame.Elements[3].Kind);   // 38: a faulty sensor gives no data
    }

    [Fact]
    public async Task AddReport_OnARuleLevelChange_IsMadeAtOnceAndSentAheadOfAWaitingTimedReport()
    {
        _station.OnReadings([new Reading("river-level", _time.GetUtcNow(), 3.3, Quality.Good)]);
        _time.Advance(TimeSpan.FromMinutes(1));    // 10:00: a timed report, owed (no centre)
        Assert.True(await _made.WaitAsync(Patience));

        _time.Advance(TimeSpan.FromMinutes(7));
        _station.OnReadings([new Reading("river-level", _time.GetUtcNow(), double.NaN, Quality.Stale)]);
        _station.OnTransitions([new LevelTransition(_time.GetUtcNow(), TransitionScope.Rule, "river", TestLevels.Level("none"), TestLevels.Level("prepare"), 3.3, 3.2)]);
        Assert.True(await _made.WaitAsync(Patience));

        var owed = _station.Owed();
        Assert.Equal([Sl651Function.Add, Sl651Function.Timed], owed.Select(f => f.Function));
        Assert.Equal(new DateTime(2026, 7, 1, 10, 7, 0), owed[0].Report!.ObservationTime);
        Assert.Equal(Sl651ValueKind.NoData, owed[0].Elements[0].Kind);  // stale now: never the old 3.3
        Assert.Equal(3.3m, owed[1].Elements[0].Value);
        Assert.Equal(owed[1].Serial + 1, owed[0].Serial);
    }

    [Fact]
    public async Task StationTransitionAlone_MakesNoAddReport()
    {
        _station.OnTransitions([new LevelTransition(_time.GetUtcNow(), TransitionScope.Station, "station", TestLevels.Level("none"), TestLevels.Level("watch"))]);

        Assert.False(await _made.WaitAsync(TimeSpan.FromMilliseconds(200)));
        Assert.Empty(_station.Owed());
    }
}
