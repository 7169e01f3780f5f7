using System.Globalization;
using EdgeGateway.Demo;

namespace EdgeGateway.Tests.Demo;

public sealed class TyphoonScenarioTests
{
    private static readonly DateTimeOffset Start = new(2026, 7, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TyphoonScenario Storm = TyphoonScenario.Create(Start);

    private static IEnumerable<TimeSpan> EveryMinute()
    {
        for (var t = TimeSpan.Zero; t <= Storm.Duration; t += TimeSpan.FromMinutes(1))
        {
            yield return t;
        }
    }

    [Fact]
    public void Create_SameSeed_SameStorm()
    {
        var again = TyphoonScenario.Create(Start);

        Assert.Equal(Storm.Tips, again.Tips);
        Assert.All(EveryMinute(), t => Assert.Equal(Storm.RiverLevel(t), again.RiverLevel(t)));
        Assert.All(EveryMinute(), t => Assert.Equal(Storm.RainCounterRaw(t), again.RainCounterRaw(t)));
    }

    [Fact]
    public void Tips_OneHourSum_CrossesEveryRainThresholdThenReturnsToZero()
    {
        var sums = EveryMinute().Select(t => Storm.BucketRain(t, TimeSpan.FromHours(1))).ToList();

        Assert.InRange(sums.Max(), 50.5, 70);
        Assert.Equal(0, Storm.BucketRain(TimeSpan.FromHours(6), TimeSpan.FromHours(1)));
        // Watch (20) comes before prepare (30), which comes before evacuate (50).
        var watch = sums.FindIndex(s => s >= 20);
        var prepare = sums.FindIndex(s => s >= 30);
        var evacuate = sums.FindIndex(s => s >= 50);
        Assert.True(watch > 60 && watch < prepare && prepare < evacuate, $"{watch} {prepare} {evacuate}");
    }

    [Fact]
    public void Tips_ThreeHourSum_PassesEvacuateAndFallsBelowPrepareByMidStormTail()
    {
        var window = TimeSpan.FromHours(3);

        Assert.True(EveryMinute().Max(t => Storm.BucketRain(t, window)) >= 80);
        Assert.True(Storm.BucketRain(TimeSpan.FromHours(6), window) < 50);
    }

    [Fact]
    public void Tips_AreOrderedAndHalfMillimetreEach()
    {
        var total = Storm.Tips.Count * TyphoonScenario.MmPerTip;

        Assert.InRange(total, 100, 130);
        Assert.Equal(Storm.Tips.Order(), Storm.Tips);
    }

    [Fact]
    public void RiverLevel_RisesThroughEveryLevelThenFallsBelowWatchClearance()
    {
        var levels = EveryMinute().Select(Storm.RiverLevel).ToList();
        var peakAt = levels.IndexOf(levels.Max());

        Assert.InRange(levels[0], 1.55, 1.65);
        Assert.InRange(levels.Max(), 3.95, 4.3);
        Assert.InRange(peakAt, 180, 240);
        // Below watch - hysteresis (2.75) two and a half hours before the end, and stays there.
        Assert.All(levels.Skip(330), v => Assert.True(v < 2.75, v.ToString(CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void RiverLevel_RisesMoreThanHalfAMetreInAnHourOnTheWayUp()
    {
        var maxRise = EveryMinute().Skip(60).Max(t => Storm.RiverLevel(t) - Storm.RiverLevel(t - TimeSpan.FromHours(1)));

        Assert.True(maxRise > 1.0, maxRise.ToString(CultureInfo.InvariantCulture));
    }

    [Fact]
    public void RainCounterRaw_NeverDecreasesAndItsHourlyRainPassesLoggerEvacuate()
    {
        var counts = EveryMinute().Select(Storm.RainCounterRaw).ToList();
        var hourly = EveryMinute().Skip(60)
            .Select(t => (Storm.RainCounterRaw(t) - (double)Storm.RainCounterRaw(t - TimeSpan.FromHours(1))) * TyphoonScenario.CounterScale)
            .ToList();

        Assert.Equal(TyphoonScenario.CounterStart, counts[0]);
        Assert.Equal(counts.Order(), counts);
        Assert.InRange(hourly.Max(), 50.5, 75);
    }

    [Fact]
    public void WriteReplayCsv_HasHeaderAndOneRowPerPollAndTip()
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture);

        Storm.WriteReplayCsv(writer, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10));

        var lines = writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("time,sensor,value", lines[0]);
        Assert.Equal(5761, lines.Count(l => l.Contains(",river-level,", StringComparison.Ordinal)));
        Assert.Equal(2881, lines.Count(l => l.Contains(",rain-counter,", StringComparison.Ordinal)));
        Assert.Equal(Storm.Tips.Count, lines.Count(l => l.EndsWith(",rain-gauge,0.5", StringComparison.Ordinal)));
        Assert.Equal("2026-07-01T00:00:00Z,river-level," + Storm.RiverLevel(TimeSpan.Zero).ToString("R", CultureInfo.InvariantCulture), lines[1]);
        var times = lines.Skip(1).Select(l => DateTimeOffset.Parse(l.Split(',')[0], CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(times.Order(), times);
    }
}

public sealed class TyphoonModbusScenarioTests
{
    [Fact]
    public void WriteModbusScenario_RowsOnlyWhenValuesChange_TimesDividedBySpeed()
    {
        var storm = TyphoonScenario.Create(new DateTimeOffset(2026, 7, 1, 0, 0, 0, TimeSpan.Zero));
        using var writer = new StringWriter(CultureInfo.InvariantCulture);

        storm.WriteModbusScenario(writer, TimeSpan.FromSeconds(10), speed: 100);

        var lines = writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("time,slave,table,address,type,order,value", lines[0]);
        Assert.StartsWith("#", lines[1]);
        var rows = lines.Skip(2).Select(l => l.Split(',')).ToList();
        Assert.All(rows, r => Assert.Equal(7, r.Length));
        Assert.Equal(["0ms", "1", "holding", "0", "float32", "ABCD"], rows[0][..6]);
        Assert.Equal(["0ms", "2", "input", "10", "uint32", "CDAB", TyphoonScenario.CounterStart.ToString(CultureInfo.InvariantCulture)], rows[1]);
        // 8 h at 100x is 288 s; the last change is no later than that.
        var last = rows.Max(r => long.Parse(r[0].TrimEnd('m', 's'), CultureInfo.InvariantCulture));
        Assert.InRange(last, 250_000, 288_000);
        var counters = rows.Where(r => r[1] == "2").Select(r => uint.Parse(r[6], CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(counters.Distinct().Count(), counters.Count);
        Assert.Equal(counters.Order(), counters);
    }
}
