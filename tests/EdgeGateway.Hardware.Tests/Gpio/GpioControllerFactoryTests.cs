using System.Device.Gpio;
using EdgeGateway.Hardware.Gpio;
using Microsoft.Extensions.Time.Testing;

namespace EdgeGateway.Hardware.Tests.Gpio;

public sealed class GpioControllerFactoryTests
{
    [Fact]
    public void Create_Simulated_ControllerDrivesTheSimulatedChip()
    {
        using var setup = GpioControllerFactory.Create(new GpioHardwareOptions(Simulated: true), new FakeTimeProvider());

        Assert.NotNull(setup.SimulatedDriver);
        Assert.Null(setup.Fault);
        setup.Controller.OpenPin(17, PinMode.InputPullUp);
        setup.SimulatedDriver!.SetInput(17, PinValue.Low);
        Assert.Equal(PinValue.Low, setup.Controller.Read(17));
    }

    [Fact]
    public void Create_LibgpiodChipAbsent_FaultInsteadOfThrow()
    {
        // This machine has no /dev/gpiochip*: the real driver path fails and must not take the station down.
        Assert.False(File.Exists("/dev/gpiochip9"));
        using var setup = GpioControllerFactory.Create(new GpioHardwareOptions(false, "gpiochip9"), TimeProvider.System);

        Assert.NotNull(setup.Fault);
        Assert.Contains("gpiochip9", setup.Fault, StringComparison.Ordinal);
        Assert.Null(setup.SimulatedDriver);
        var ex = Assert.Throws<IOException>(() => setup.Controller.OpenPin(17, PinMode.Input));
        Assert.Equal(setup.Fault, ex.Message);
    }

    [Fact]
    public void Create_BadChipName_Fault()
    {
        using var setup = GpioControllerFactory.Create(new GpioHardwareOptions(false, "spi0"), TimeProvider.System);

        Assert.Contains("not a GPIO chip name", setup.Fault, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("gpiochip0", 0)]
    [InlineData("/dev/gpiochip4", 4)]
    [InlineData("2", 2)]
    public void TryParseChipNumber_ValidNames_Number(string name, int expected)
    {
        Assert.True(GpioControllerFactory.TryParseChipNumber(name, out var n));
        Assert.Equal(expected, n);
    }

    [Theory]
    [InlineData("gpiochip")]
    [InlineData("gpiochip-1")]
    [InlineData("i2c-1")]
    public void TryParseChipNumber_Invalid_False(string name) =>
        Assert.False(GpioControllerFactory.TryParseChipNumber(name, out _));

    [Theory]
    [InlineData(null, true, true)]
    [InlineData(null, false, false)]
    [InlineData("v1", true, false)]
    [InlineData("V2", false, true)]
    public void ChooseV2_OverrideOrInstalledLibrary_PicksApi(string? env, bool so3Present, bool expectedV2)
    {
        Assert.Equal(expectedV2, GpioControllerFactory.ChooseV2(env, name => so3Present && name == "libgpiod.so.3"));
    }
}
