using EdgeGateway.Configuration;
using EdgeGateway.Demo;
using EdgeGateway.Hosting;

namespace EdgeGateway.Tests.Demo;

/// <summary>The demo's SL 651 path: the station's section pointing at the bench centre, and the verdict's count of confirmed reports.</summary>
public sealed class DemoSl651Tests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("edgegw-demo-sl651-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Create_WithACentrePort_ReportsToItHourlyWithLevelRainAndHourlyRain()
    {
        var station = DemoStation.Create(_dir, 15020, 18830, 240, sl651Port: 15001);

        var result = StationConfigLoader.Load(station.ConfigPath);

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var options = Sl651Mapping.FromConfig(result.Config!)!;
        Assert.Equal(("127.0.0.1", 15001), (options.Centres.Single().Host, options.Centres.Single().Port));
        Assert.Equal(DemoStation.Sl651Station, options.Station);
        Assert.Equal(TimeSpan.FromHours(1), options.Timed);
        Assert.Equal(["river-level/0039", "rain-gauge/0026", "rain-gauge/001A"], options.Elements.Select(e => $"{e.Sensor}/{e.Element:X4}"));
        // The MQTT path is still there beside it.
        Assert.Equal(18830, result.Config!.Uplink!.Mqtt!.Port);
    }

    [Fact]
    public void Create_WithoutACentrePort_HasNoSl651Section()
    {
        var station = DemoStation.Create(_dir, 15020, 18830, 240);

        Assert.Null(StationConfigLoader.Load(station.ConfigPath).Config!.Uplink!.Sl651);
    }

    [Theory]
    [InlineData(9, 19, 0, null)]
    [InlineData(0, 19, 0, "the SL 651 centre confirmed no timed report")]
    [InlineData(9, 0, 0, "the SL 651 centre confirmed no add report, though the levels changed")]
    [InlineData(9, 19, 2, "the SL 651 centre dropped 2 connection(s) for bytes that were not a frame")]
    public void Summarise_Sl651Confirmations_AreCountedAndJudged(int timed, int add, int garbage, string? failure)
    {
        var station = DemoStation.Create(_dir, 15020, 18830, 240, sl651Port: 15001);

        var summary = DemoRunner.Summarise([], station, DateTimeOffset.UnixEpoch, TimeSpan.FromHours(8), TimeSpan.FromMinutes(1), [],
            new Sl651Confirmations(timed, add, garbage));

        Assert.Equal(failure is not null, summary.Failures.Any(f => f.Contains("SL 651", StringComparison.Ordinal)));
        if (failure is not null)
        {
            Assert.Contains(failure, summary.Failures);
        }

        Assert.Contains($"Confirmed by the SL 651 centre: {timed} timed reports, {add} add reports\n", DemoRenderer.Summary(summary), StringComparison.Ordinal);
    }
}
