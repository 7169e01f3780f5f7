using EdgeGateway.Configuration;
using EdgeGateway.Hosting;
using EdgeGateway.Tests.TestSupport;
using EdgeGateway.Uplink;

namespace EdgeGateway.Tests.Hosting;

public sealed class UplinkMappingTests
{
    [Fact]
    public void FromConfig_MqttKeysLeftOut_RecordedAsNotGivenAndMappedToTheOptionsDefaults()
    {
        var config = ExampleConfig.Valid(("    port: 8883\n", ""), ("    prefix: ews\n", ""), ("  telemetry: 60s ", "  # telemetry: 60s "));
        var mqtt = config.Uplink!.Mqtt!;
        Assert.Null(mqtt.Port);
        Assert.Null(mqtt.Prefix);
        Assert.Null(mqtt.Protocol);
        Assert.Null(mqtt.KeepAlive);
        Assert.Null(config.Uplink.Telemetry);

        var o = UplinkMapping.FromConfig(config)!;

        Assert.Equal((8883, "ews", MqttProtocol.V5, TimeSpan.FromSeconds(30)), (o.Mqtt.Port, o.Mqtt.Prefix, o.Mqtt.Protocol, o.Mqtt.KeepAlive));
        Assert.Equal(TimeSpan.FromSeconds(60), o.TelemetryPeriod);
    }

    [Fact]
    public void FromConfig_QueueLimitAndLanguageLeftOut_MappedToTheOptionsDefaults()
    {
        var config = ExampleConfig.Valid(("  queueLimit: 256MB ", "  # queueLimit: 256MB "));
        Assert.Equal((null, null), (config.Storage.QueueLimit, config.Station.Language));

        var o = UplinkMapping.FromConfig(config)!;

        Assert.Equal((256L * 1024 * 1024, "en-US"), (o.QueueLimit, o.Language));
    }

    [Fact]
    public void FromConfig_ContractExample_MapsEveryUplinkField()
    {
        var config = new StationConfig
        {
            Station = new StationSection { Id = "wz-oh-lilong-01", Name = "Lilong" },
            Storage = new StorageSection { Path = "/var/lib/edge-gateway", QueueLimit = 256L << 20 },
            Sensors = [new SensorConfig { Id = "river-level", Unit = "m" }, new SensorConfig { Id = "flood-switch" }],
            Alerting = new AlertingSection { Levels = [new LevelConfig { Id = "prepare", Severity = CapSeverity.Severe }] },
            Uplink = new UplinkSection
            {
                Telemetry = TimeSpan.FromSeconds(60),
                CommandKey = "/etc/edge-gateway/hub-command.pub",
                Mqtt = new MqttSection
                {
                    Host = "hub.example.org",
                    Port = 8883,
                    Prefix = "ews",
                    Protocol = "3.1.1",
                    Username = "wz-oh-lilong-01",
                    PasswordFile = "/etc/edge-gateway/mqtt.password",
                    Tls = new TlsConfig { Ca = "/etc/edge-gateway/hub-ca.crt" },
                },
            },
        };

        var o = UplinkMapping.FromConfig(config)!;
        Assert.Equal("wz-oh-lilong-01", o.StationId);
        Assert.Equal(256L << 20, o.QueueLimit);
        Assert.Equal(MqttProtocol.V311, o.Mqtt.Protocol);
        Assert.Equal("/etc/edge-gateway/hub-ca.crt", o.Mqtt.Tls!.CaFile);
        Assert.Equal("/etc/edge-gateway/mqtt.password", o.Mqtt.PasswordFile);
        Assert.Equal("m", o.SensorUnits["river-level"]);
        Assert.False(o.SensorUnits.ContainsKey("flood-switch"));
        Assert.Equal("Severe", Assert.Single(o.Levels.Configured).Severity);
        Assert.Equal("/etc/edge-gateway/hub-command.pub", o.CommandKeyFile);
    }

    [Fact]
    public void FromConfig_NoUplinkSection_IsNull()
    {
        Assert.Null(UplinkMapping.FromConfig(new StationConfig()));
    }
}
