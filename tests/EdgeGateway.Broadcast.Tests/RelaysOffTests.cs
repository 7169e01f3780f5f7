using System.Device.Gpio;
using EdgeGateway.Hardware.Gpio;
using Microsoft.Extensions.Time.Testing;

namespace EdgeGateway.Broadcast.Tests;

/// <summary>The off level the unit's ExecStopPost= drives the relays to after the service has ended.</summary>
public sealed class RelaysOffTests
{
    private static BroadcastOptions Options()
    {
        var options = new BroadcastOptions { AmplifierPin = 5 };
        options.Zones.Add(new ZoneOptions("north", 6));
        options.Zones.Add(new ZoneOptions("south", 13));
        return options;
    }

    [Fact]
    public void Drive_LinesLeftHigh_AllDrivenLowAsOutputs()
    {
        var driver = new SimulatedGpioDriver(new FakeTimeProvider());
        using var gpio = new GpioController(driver);
        foreach (var pin in new[] { 5, 6, 13 })
        {
            gpio.OpenPin(pin, PinMode.Output, PinValue.High);
        }

        var failures = RelaysOff.Drive(gpio, Options());

        Assert.Empty(failures);
        Assert.All(new[] { 5, 6, 13 }, pin => Assert.Equal(PinValue.Low, driver.Peek(pin)));
        Assert.All(new[] { 5, 6, 13 }, pin => Assert.Equal(PinMode.Output, gpio.GetPinMode(pin)));
    }

    [Fact]
    public void Drive_ChipUnavailable_EveryLineTriedAndReported()
    {
        using var setup = GpioControllerFactory.Create(new GpioHardwareOptions(Simulated: false, Chip: "no-such-chip"), new FakeTimeProvider());

        var failures = RelaysOff.Drive(setup.Controller, Options());

        Assert.Equal(["amplifier", "zone north", "zone south"], failures.Select(f => f.Line.Name));
        Assert.Equal([5, 6, 13], failures.Select(f => f.Line.Pin));
    }

    [Fact]
    public void Lines_AmplifierThenZones()
    {
        Assert.Equal(
            [new RelayLine("amplifier", 5), new RelayLine("zone north", 6), new RelayLine("zone south", 13)],
            RelaysOff.Lines(Options()));
    }
}
