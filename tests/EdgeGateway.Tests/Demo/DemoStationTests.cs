using EdgeGateway.Configuration;
using EdgeGateway.Demo;

namespace EdgeGateway.Tests.Demo;

public sealed class DemoStationTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("edgegw-demo-test-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Create_WritesAConfigurationThatValidates()
    {
        var station = DemoStation.Create(_dir, 15020, 18830, 240);

        var result = StationConfigLoader.Load(station.ConfigPath);

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var config = result.Config!;
        Assert.Equal(DemoStation.StationId, config.Station.Id);
        Assert.Equal(GpioDriverKind.Simulated, config.Hardware.Gpio.Driver);
        Assert.Equal(station.SocketPath, config.Control.Socket);
        Assert.Equal(station.DataPath, config.Storage.Path);
        Assert.All(config.Buses, b => Assert.Equal(("127.0.0.1", 15020), (b.ModbusTcp!.Host, b.ModbusTcp.Port)));
        Assert.All(config.Buses, b => Assert.Equal(TimeSpan.FromMinutes(2), b.Timeout));
        Assert.Equal(("127.0.0.1", 18830), (config.Uplink!.Mqtt!.Host, config.Uplink.Mqtt.Port));
        Assert.Null(config.Uplink.Mqtt.Tls);
        Assert.Equal(AudioSinkKind.File, config.Broadcast!.Audio.Sink);
        Assert.Equal(station.WavPath, config.Broadcast.Audio.Path);
        Assert.All(config.Broadcast.Messages.Values.Where(m => m.File is not null), m => Assert.True(File.Exists(m.File)));
    }

    [Fact]
    public void Create_CommandKeyPair_PublicPemAndPrivateReadableByOwnerOnly()
    {
        var station = DemoStation.Create(_dir, 1, 2, 1);

        Assert.StartsWith("-----BEGIN PUBLIC KEY-----", File.ReadAllText(station.CommandPublicKeyPath));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(station.CommandPrivateKeyPath));
        Assert.Contains("1s", File.ReadAllText(station.ConfigPath));
    }

    [Fact]
    public void WriteMessages_PcmWavOfExpectedLength()
    {
        var files = DemoAudio.WriteMessages(_dir);

        var evacuate = File.ReadAllBytes(files["evacuate"]);
        Assert.Equal("RIFF", System.Text.Encoding.ASCII.GetString(evacuate, 0, 4));
        Assert.Equal("WAVE", System.Text.Encoding.ASCII.GetString(evacuate, 8, 4));
        Assert.Equal(44 + (3 * DemoAudio.SampleRate * 2), evacuate.Length);
        Assert.Equal(44 + (4 * (int)(0.35 * DemoAudio.SampleRate) * 2), new FileInfo(files["prepare"]).Length);
        // Not silence: the siren reaches at least half of full scale.
        var peak = Enumerable.Range(0, (evacuate.Length - 44) / 2).Max(i => Math.Abs((int)BitConverter.ToInt16(evacuate, 44 + (2 * i))));
        Assert.True(peak > short.MaxValue / 2, peak.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData(120, "2m")]
    [InlineData(3600, "1h")]
    [InlineData(45, "45s")]
    public void Duration_WholeUnits_ShortestNotation(int seconds, string expected)
    {
        Assert.Equal(expected, DemoStation.Duration(TimeSpan.FromSeconds(seconds)));
    }
}

public sealed class DemoStationCompressionTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("edgegw-demo-test-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Create_Compressed_WindowsHoldsAndTimingsDividedPollsFloored()
    {
        var station = DemoStation.Create(_dir, 15020, 18830, 1, compression: 480);

        var result = StationConfigLoader.Load(station.ConfigPath);

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var config = result.Config!;
        Assert.Equal(TimeSpan.FromMilliseconds(3750), config.Alerting.ClearAfter);
        var river = config.Alerting.Rules.Single(r => r.Id == "river");
        Assert.Equal(TimeSpan.FromMilliseconds(62), river.Hold);
        Assert.Equal(TimeSpan.FromMilliseconds(7500), config.Alerting.Rules.Single(r => r.Id == "rain-1h").Measure!.Window);
        Assert.All(config.Sensors.Where(s => s.Poll is not null), s => Assert.Equal(TimeSpan.FromMilliseconds(250), s.Poll));
        Assert.Equal(TimeSpan.FromMilliseconds(125), config.Uplink!.Telemetry);
    }
}
