using EdgeGateway.Configuration;
using EdgeGateway.Hosting;
using EdgeGateway.Tests.TestSupport;
using EdgeGateway.Uplink;

namespace EdgeGateway.Tests.Configuration;

/// <summary>uplink.mqtt.hosts: a cluster's brokers instead of host/port.</summary>
public sealed class MqttHostsConfigTests
{
    private const string Host = "    host: hub.example.org\n";
    private const string Port = "    port: 8883\n";

    [Fact]
    public void Parse_Hosts_MapsToUplinkEndpointsInOrder()
    {
        var config = ExampleConfig.Valid((Host, "    hosts: [\"10.0.0.5:1883\", \"hub-2.example.org:8883\", \"[fd00::7]:1884\"]\n"), (Port, ""));

        var options = UplinkMapping.FromConfig(config)!;

        Assert.Equal(
            [new MqttEndpoint("10.0.0.5", 1883), new MqttEndpoint("hub-2.example.org", 8883), new MqttEndpoint("fd00::7", 1884)],
            options.Mqtt.Endpoints());
    }

    [Fact]
    public void Parse_HostAndPort_AreTheOnlyEndpoint()
    {
        var options = UplinkMapping.FromConfig(ExampleConfig.Valid())!;

        Assert.Equal([new MqttEndpoint("hub.example.org", 8883)], options.Mqtt.Endpoints());
    }

    [Fact]
    public void Parse_HostsBesideHost_IsLocatedError()
    {
        var result = StationConfigLoader.Parse(ExampleConfig.With(("    port: 8883\n", "    port: 8883\n    hosts: [\"10.0.0.5:1883\"]\n")), "station.yaml");

        Assert.False(result.IsValid);
        Assert.Contains(result.Errors, e => e.Path == "uplink.mqtt.host" && e.Message.Contains("not both", StringComparison.Ordinal) && e.Mark.Line == 116);
        Assert.Contains(result.Errors, e => e.Path == "uplink.mqtt.port" && e.Message.Contains("not both", StringComparison.Ordinal) && e.Mark.Line == 117);
    }

    [Theory]
    [InlineData("10.0.0.5", "uplink.mqtt.hosts[0]")]
    [InlineData("10.0.0.5:0", "uplink.mqtt.hosts[0]")]
    [InlineData("10.0.0.5:http", "uplink.mqtt.hosts[0]")]
    [InlineData("fd00::7:1883", "uplink.mqtt.hosts[0]")]
    public void Parse_BadHostEntry_IsLocatedAtTheItem(string entry, string path)
    {
        var result = StationConfigLoader.Parse(ExampleConfig.With((Host, $"    hosts:\n      - \"{entry}\"\n"), (Port, "")), "station.yaml");

        var error = Assert.Single(result.Errors);
        Assert.Equal(path, error.Path);
        Assert.Equal(new SourceMark(117, 9), error.Mark);
        Assert.Contains("HOST:PORT", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_EmptyHosts_IsError()
    {
        var result = StationConfigLoader.Parse(ExampleConfig.With((Host, "    hosts: []\n"), (Port, "")), "station.yaml");

        var error = Assert.Single(result.Errors);
        Assert.Equal("uplink.mqtt.hosts", error.Path);
        Assert.Contains("at least one broker", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_NeitherHostNorHosts_SaysHostIsMissing()
    {
        var result = StationConfigLoader.Parse(ExampleConfig.With((Host, ""), (Port, "")), "station.yaml");

        var error = Assert.Single(result.Errors);
        Assert.Equal("uplink.mqtt.host", error.Path);
        Assert.Contains("missing", error.Message, StringComparison.Ordinal);
    }
}
