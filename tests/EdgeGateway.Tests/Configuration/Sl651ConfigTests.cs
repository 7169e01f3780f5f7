using EdgeGateway.Configuration;
using EdgeGateway.Hosting;
using EdgeGateway.Hosting.Reload;
using Microsoft.Extensions.DependencyInjection;
using EdgeGateway.Sl651;
using EdgeGateway.Tests.TestSupport;
using EdgeGateway.Uplink.Sl651;

namespace EdgeGateway.Tests.Configuration;

/// <summary>
/// <c>uplink.sl651</c> in the shipped example (its commented block switched on): it loads and maps as written,
/// and each planted mistake is one error at the line of the field, with its path.
/// </summary>
public sealed class Sl651ConfigTests
{
    private const string File = "station.yaml";

    // The example's commented sl651 block, switched on.
    private static readonly string Base = string.Join('\n', ExampleConfig.Text.Split('\n').Select(
        l => l.StartsWith("  # sl651:", StringComparison.Ordinal) || l.StartsWith("  #   ", StringComparison.Ordinal) ? "  " + l[4..] : l));

    [Fact]
    public void ExampleBlock_LoadsAndMapsOntoTheStationOptions()
    {
        var result = StationConfigLoader.Parse(Base, File);

        Assert.Empty(result.Errors);
        var options = Sl651Mapping.FromConfig(result.Config!)!;
        Assert.Equal(new Sl651CentreAddress("centre.example.org", 5001), Assert.Single(options.Centres));
        Assert.Equal(("0012345678", (ushort)0x04D2, Sl651StationType.River, (byte)1), (options.Station, options.Password, options.StationType, options.Centre));
        Assert.Equal((TimeSpan.FromHours(1), TimeSpan.FromSeconds(40)), (options.Timed, options.KeepAlive));
        Assert.Equal("Asia/Shanghai", options.TimeZone.Id);
        Assert.Equal(
            [("river-level", (ushort)0x39, Sl651Source.Value), ("rain-gauge", 0x26, Sl651Source.RainTotal), ("rain-gauge", 0x1A, Sl651Source.RainLastHour), ("battery", 0x38, Sl651Source.Value)],
            options.Elements.Select(e => (e.Sensor, e.Element, e.Source)));
    }

    [Fact]
    public void CentreTimedAndKeepAliveLeftOut_RecordedAsNotGivenAndMappedToTheOptionsDefaults()
    {
        var text = Base
            .Replace("    centre: 1 ", "    # centre: 1 ", StringComparison.Ordinal)
            .Replace("    timed: 1h ", "    # timed: 1h ", StringComparison.Ordinal)
            .Replace("    keepAlive: 40s ", "    # keepAlive: 40s ", StringComparison.Ordinal);
        var result = StationConfigLoader.Parse(text, File);
        Assert.Empty(result.Errors);
        var s = result.Config!.Uplink!.Sl651!;
        Assert.Equal((null, null, null), (s.Centre, s.Timed, s.KeepAlive));

        var options = Sl651Mapping.FromConfig(result.Config)!;

        Assert.Equal(((byte)1, TimeSpan.FromHours(1), TimeSpan.FromSeconds(40)), (options.Centre, options.Timed, options.KeepAlive));
    }

    [Fact]
    public void Sl651WithoutMqtt_IsAStationOfItsOwn()
    {
        var text = Base.Replace("  mqtt:\n    host: hub.example.org\n    port: 8883\n    tls: { ca: /etc/edge-gateway/hub-ca.crt }\n    username: wz-oh-lilong-01\n    passwordFile: /etc/edge-gateway/mqtt.password\n    prefix: ews\n", "", StringComparison.Ordinal);
        Assert.NotEqual(Base, text);

        var result = StationConfigLoader.Parse(text, File);

        Assert.Empty(result.Errors);
        Assert.Null(UplinkMapping.FromConfig(result.Config!));
        Assert.NotNull(Sl651Mapping.FromConfig(result.Config!));
    }

    [Fact]
    public void UplinkWithNeither_IsAnError()
    {
        var text = ExampleConfig.Text.Replace("  mqtt:\n    host: hub.example.org\n    port: 8883\n    tls: { ca: /etc/edge-gateway/hub-ca.crt }\n    username: wz-oh-lilong-01\n    passwordFile: /etc/edge-gateway/mqtt.password\n    prefix: ews\n", "", StringComparison.Ordinal);

        var error = Assert.Single(StationConfigLoader.Parse(text, File).Errors);

        Assert.Equal("uplink", error.Path);
        Assert.Contains("an uplink needs mqtt", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("station: \"0012345678\"", "station: \"12345678\"", "uplink.sl651.station", "'12345678' is not a station address: write its 10 digits")]
    [InlineData("station: \"0012345678\"", "station: \"00123456AB\"", "uplink.sl651.station", "is not a station address")]
    [InlineData("password: \"04D2\"", "password: \"04G2\"", "uplink.sl651.password", "'04G2' is not a password: write 4 hex digits")]
    [InlineData("password: \"04D2\"", "password: \"4D2\"", "uplink.sl651.password", "is not a password")]
    [InlineData("stationType: H", "stationType: X", "uplink.sl651.stationType", "unknown station type 'X': use one of P, H, K, Z, D, T, M, G, Q, I, O")]
    [InlineData("element: \"39\" }", "element: \"3G\" }", "uplink.sl651.elements[0].element", "'3G' is not an element identifier")]
    [InlineData("element: \"39\" }", "element: \"77\" }", "uplink.sl651.elements[0].element", "unknown element identifier '77'; supported: 1A, 1F, 26, 38, 39")]
    [InlineData("element: \"39\" }", "element: \"F5\" }", "uplink.sl651.elements[0].element", "element F5 (5-minute relative river levels) is not one this station fills")]
    [InlineData("sensor: river-level, element", "sensor: river-levl, element", "uplink.sl651.elements[0].sensor", "unknown sensor 'river-levl'; known sensors: river-level, rain-counter, rain-gauge, battery, flood-switch, alarm-button; did you mean 'river-level'?")]
    [InlineData("sensor: rain-gauge,  element: \"26\"", "sensor: battery,  element: \"26\"", "uplink.sl651.elements[1].sensor", "element 26 needs a rain sensor (rain-pulse or rain-total); sensor 'battery' is analog")]
    [InlineData("sensor: river-level, element", "sensor: rain-counter, element", "uplink.sl651.elements[0].sensor", "element 39 needs a water-level sensor (in m); sensor 'rain-counter' is rain-total")]
    [InlineData("element: \"1A\" }", "element: \"26\"  }", "uplink.sl651.elements[2].element", "element 26 of sensor 'rain-gauge' is already listed")]
    [InlineData("centre: 1  ", "centre: 256  ", "uplink.sl651.centre", "256 is not a centre address (1-255)")]
    [InlineData("port: 5001 }", "port: 70000 }", "uplink.sl651.centres[0].port", "70000 is not a TCP port")]
    [InlineData("timezone: Asia/Shanghai", "timezone: Asia/Shangai", "station.timezone", "unknown time zone 'Asia/Shangai'")]
    public void PlantedMistake_IsOneErrorAtItsLine(string find, string replace, string path, string message)
    {
        Assert.Contains(find, Base, StringComparison.Ordinal);
        var text = Base.Replace(find, replace, StringComparison.Ordinal);
        var line = text[..text.IndexOf(replace, StringComparison.Ordinal)].Count(c => c == '\n') + 1;

        var result = StationConfigLoader.Parse(text, File);

        var error = Assert.Single(result.Errors);
        Assert.Equal(path, error.Path);
        Assert.Equal(line, error.Mark.Line);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.StartsWith($"{File}:{line}:", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reload_ChangedSl651_WaitsForTheRestart_OtherUplinkChangesAreLeftToTheMqttUplink()
    {
        var running = StationConfigLoader.Parse(Base, File).Config!;
        var applier = Sl651Applier(running);

        var timed = StationConfigLoader.Parse(Base.Replace("timed: 1h", "timed: 5m", StringComparison.Ordinal), File).Config!;
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => applier.ApplyAsync(running, timed, CancellationToken.None));
        Assert.Contains("uplink.sl651 changes take effect at the next restart", error.Message, StringComparison.Ordinal);

        var telemetry = StationConfigLoader.Parse(Base.Replace("telemetry: 60s", "telemetry: 30s", StringComparison.Ordinal), File).Config!;
        await applier.ApplyAsync(running, telemetry, CancellationToken.None);
    }

    [Fact]
    public async Task Reload_UplinkChangedWithoutARunningMqttUplink_WaitsForTheRestart()
    {
        var running = ExampleConfig.Valid();
        running.Uplink!.Mqtt = null;
        var applier = Sl651Applier(running);

        var added = StationConfigLoader.Parse(ExampleConfig.Text, File).Config!;
        await Assert.ThrowsAsync<InvalidOperationException>(() => applier.ApplyAsync(running, added, CancellationToken.None));
    }

    private static IConfigApplier Sl651Applier(StationConfig config)
    {
        using var services = new ServiceCollection().AddSl651(config).BuildServiceProvider();
        return services.GetServices<IConfigApplier>().Single(a => a.Name == "sl651");
    }

    [Fact]
    public void MissingAddress_IsARequiredKey()
    {
        var text = Base.Replace("    station: \"0012345678\"", "", StringComparison.Ordinal);

        var error = Assert.Single(StationConfigLoader.Parse(text, File).Errors);

        Assert.Equal("uplink.sl651.station", error.Path);
        Assert.Contains("required key is missing", error.Message, StringComparison.Ordinal);
    }
}
