using System.Text.Json.Nodes;
using EdgeGateway.Cli;

namespace EdgeGateway.Tests.Cli;

/// <summary><c>edgegw relays off</c>, as the unit's ExecStopPost= runs it.</summary>
public sealed class RelaysCommandsTests
{
    private static string Config(TempDirectory dir, string driver) => $$"""
        station: { id: relay-01 }
        hardware:
          gpio: { driver: {{driver}}, chip: gpiochip99 }
        control: { socket: {{dir.File("control.sock")}} }
        storage: { path: {{dir.File("data")}} }
        sensors:
          - { id: flood-switch, kind: digital, gpio: { pin: 27 } }
        alerting:
          levels: [ { id: evacuate, severity: Extreme } ]
          rules:
            - { id: flood, sensor: flood-switch, when: active, level: evacuate }
        broadcast:
          amplifier: { gpio: 5 }
          zones: [ { id: north, gpio: 6 } ]
          audio: { sink: none }
        """;

    [Fact]
    public async Task Off_SimulatedDriver_NothingDrivenAndSaysSo()
    {
        using var dir = new TempDirectory();
        var config = dir.Write("station.yaml", Config(dir, "simulated"));

        var (exit, output, error) = await CliRunner.RunAsync("relays", "off", "--config", config, "--json");

        Assert.True(exit == ExitCodes.Success, error);
        var json = JsonNode.Parse(output)!;
        Assert.False(json["driven"]!.GetValue<bool>());
        Assert.Contains("simulated", json["driver"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(["amplifier", "zone north"], json["relays"]!.AsArray().Select(r => r!["name"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Off_ChipCannotBeOpened_ExitsOneNamingTheFault()
    {
        using var dir = new TempDirectory();
        var config = dir.Write("station.yaml", Config(dir, "libgpiod"));

        var (exit, _, error) = await CliRunner.RunAsync("relays", "off", "--config", config);

        Assert.Equal(ExitCodes.Failure, exit);
        Assert.Contains("gpiochip99", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Off_InvalidConfiguration_ExitsTwoRelaysUntouched()
    {
        using var dir = new TempDirectory();
        var config = dir.Write("station.yaml", "station: { id: x }\n");

        var (exit, _, error) = await CliRunner.RunAsync("relays", "off", "--config", config);

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains("the relays were not touched", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Off_RealProcessSimulatedDriver_ExitsZero()
    {
        using var dir = new TempDirectory();
        var config = dir.Write("station.yaml", Config(dir, "simulated"));

        var (exit, output, error) = await EdgegwProcess.RunAsync("relays", "off", "--config", config);

        Assert.True(exit == ExitCodes.Success, error);
        Assert.StartsWith("relays off: simulated GPIO driver", output, StringComparison.Ordinal);
    }
}
