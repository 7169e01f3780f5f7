using EdgeGateway.Hub.Configuration;

namespace EdgeGateway.Hub.Tests.Configuration;

public sealed class HubConfigLoaderTests
{
    private const string Contract = """
        hub:
          amqp:
            hosts: ["127.0.0.1:5672", "127.0.0.1:5673"]
            username: guest
            passwordFile: /etc/edge-hub/amqp.password
            queue: edge-hub
          prefix: ews
          postgres: "Host=127.0.0.1;Port=5432;Username=hub;Database=hub"
        """;

    [Fact]
    public void Parse_TheContractsExample_MapsEveryKey()
    {
        var (options, errors) = HubConfigLoader.Parse(Contract, "hub.yaml");

        Assert.Empty(errors);
        Assert.Equal([("127.0.0.1", 5672), ("127.0.0.1", 5673)], options!.Amqp!.Hosts);
        Assert.Equal(("guest", "/etc/edge-hub/amqp.password", "edge-hub"), (options.Amqp.Username, options.Amqp.PasswordFile, options.Amqp.Queue));
        Assert.Equal(("ews", "Host=127.0.0.1;Port=5432;Username=hub;Database=hub"), (options.Prefix, options.Postgres));
    }

    [Theory]
    [InlineData("    queue: edge-hub", "    queu: edge-hub", "hub.yaml:6:5: hub.amqp.queu: unknown key")]
    [InlineData("\"127.0.0.1:5673\"", "\"127.0.0.1\"", "hub.yaml:3:31: hub.amqp.hosts[1]: '127.0.0.1' is not HOST:PORT")]
    [InlineData("  prefix: ews", "  prefix: ews/#", "hub.yaml:7:11: hub.prefix: 'ews/#' is not a topic prefix")]
    [InlineData("    passwordFile: /etc/edge-hub/amqp.password", "    passwordFile: /etc/edge-hub/amqp.password\n    password: guest", "hub.yaml:6:15: hub.amqp.password: give password or passwordFile, not both")]
    [InlineData("  postgres: \"Host=127.0.0.1;Port=5432;Username=hub;Database=hub\"", "", "hub.yaml:2:3: hub: 'postgres' is missing")]
    public void Parse_Mistake_IsLocated(string find, string replace, string expected)
    {
        var (options, errors) = HubConfigLoader.Parse(Contract.Replace(find, replace, StringComparison.Ordinal), "hub.yaml");

        Assert.Null(options);
        Assert.Contains(errors, e => e.StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_BothAmqpAndMqtt_IsAnError()
    {
        var (_, errors) = HubConfigLoader.Parse(Contract.Replace("  prefix: ews", "  mqtt: { host: 127.0.0.1, port: 1883 }\n  prefix: ews", StringComparison.Ordinal), "hub.yaml");

        Assert.Contains(errors, e => e.Contains("exactly one of amqp (RabbitMQ) or mqtt", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_Mqtt_MapsEveryKey()
    {
        var (options, errors) = HubConfigLoader.Parse("""
            hub:
              mqtt:
                host: hub.example.org
                port: 8883
                username: edge-hub
                passwordFile: /etc/edge-hub/mqtt.password
                clientId: edge-hub-a
                tls: { ca: /etc/edge-hub/ca.crt }
              postgres: "Host=127.0.0.1"
            """, "hub.yaml");

        Assert.Empty(errors);
        var m = options!.Mqtt!;
        Assert.Equal(("hub.example.org", 8883, "edge-hub", "/etc/edge-hub/mqtt.password"), (m.Host, m.Port, m.Username, m.PasswordFile));
        Assert.Equal(("edge-hub-a", "/etc/edge-hub/ca.crt"), (m.ResolveClientId(), m.TlsCa));
        Assert.Null(options.Amqp);
    }

    [Fact]
    public void Parse_MqttPasswordAndPasswordFile_IsAnError()
    {
        var (options, errors) = HubConfigLoader.Parse("hub:\n  mqtt: { host: 127.0.0.1, port: 1883, password: x, passwordFile: /p }\n  postgres: \"Host=127.0.0.1\"", "hub.yaml");

        Assert.Null(options);
        Assert.Contains(errors, e => e.Contains("hub.mqtt.password: give password or passwordFile, not both", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_MqttWithoutClientId_UsesOneFixedPerHost()
    {
        var (options, errors) = HubConfigLoader.Parse("hub:\n  mqtt: { host: 127.0.0.1, port: 1883 }\n  postgres: \"Host=127.0.0.1\"", "hub.yaml");

        Assert.Empty(errors);
        Assert.Equal("edge-hub-" + Environment.MachineName.ToLowerInvariant(), options!.Mqtt!.ResolveClientId());
    }
}
