using EdgeGateway.Core.Options;
using EdgeGateway.Uplink.Sl651;

namespace EdgeGateway.Uplink.Tests;

/// <summary>The uplink options' own value checks, each naming the station.yaml key it judges.</summary>
public sealed class UplinkOptionsTests
{
    [Fact]
    public void Validate_Defaults_NoProblem()
    {
        Assert.Empty(new UplinkOptions().Validate());
        Assert.Empty(new Sl651Options().Validate());
    }

    [Fact]
    public void Validate_UplinkAndConnection_EveryProblemWithItsKey()
    {
        var options = new UplinkOptions { QueueLimit = 1024, TelemetryPeriod = TimeSpan.Zero };
        options.Mqtt.Port = 0;
        options.Mqtt.Prefix = "ews/";
        options.Mqtt.KeepAlive = TimeSpan.FromMilliseconds(500);

        Assert.Equal(
            [
                new OptionProblem("queueLimit", "the outbox needs at least 64KB"),
                new OptionProblem("telemetry", "must be longer than 0"),
                new OptionProblem("port", "0 is not a TCP port (1-65535)"),
                new OptionProblem("prefix", "'ews/' is not a topic prefix: no '+', '#' or spaces, and no '/' at either end"),
                new OptionProblem("keepAlive", "must be at least 1s"),
            ],
            options.Validate());
    }

    [Fact]
    public void Validate_Sl651_EveryProblemWithItsKey()
    {
        var options = new Sl651Options { Centre = 0, Timed = TimeSpan.Zero, KeepAlive = TimeSpan.FromMilliseconds(10) };
        options.Centres.Add(new Sl651CentreAddress("127.0.0.1", 5001));
        options.Centres.Add(new Sl651CentreAddress("127.0.0.1", 70000));

        Assert.Equal(
            [
                new OptionProblem("centres[1].port", "70000 is not a TCP port (1-65535)"),
                new OptionProblem("centre", "0 is not a centre address (1-255)"),
                new OptionProblem("timed", "must be at least 1s"),
                new OptionProblem("keepAlive", "must be at least 1s"),
            ],
            options.Validate());
    }
}
