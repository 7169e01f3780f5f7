using System.Device.Gpio;
using EdgeGateway.Hardware.Gpio;
using Microsoft.Extensions.Time.Testing;

namespace EdgeGateway.Hardware.Tests.Gpio;

public sealed class SimulatedGpioDriverTests
{
    [Fact]
    public void OpenPin_PullUpInputNotDriven_ReadsHigh()
    {
        using var controller = new GpioController(new SimulatedGpioDriver(new FakeTimeProvider()));
        controller.OpenPin(17, PinMode.InputPullUp);
        controller.OpenPin(18, PinMode.InputPullDown);

        Assert.Equal(PinValue.High, controller.Read(17));
        Assert.Equal(PinValue.Low, controller.Read(18));
    }

    [Fact]
    public void SetInput_FallingEdge_RaisesOnlyFallingCallbacks()
    {
        var driver = new SimulatedGpioDriver(new FakeTimeProvider());
        using var controller = new GpioController(driver);
        controller.OpenPin(17, PinMode.InputPullUp);
        var falling = 0;
        var rising = 0;
        controller.RegisterCallbackForPinValueChangedEvent(17, PinEventTypes.Falling, (_, _) => falling++);
        controller.RegisterCallbackForPinValueChangedEvent(17, PinEventTypes.Rising, (_, _) => rising++);

        driver.SetInput(17, PinValue.Low);
        driver.SetInput(17, PinValue.Low); // no edge: the line is already low
        driver.SetInput(17, PinValue.High);
        driver.SetInput(17, PinValue.Low);

        Assert.Equal(2, falling);
        Assert.Equal(1, rising);
    }

    [Fact]
    public void Write_Outputs_RecordedWithInjectedTime()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 7, 1, 3, 0, 0, TimeSpan.Zero));
        var driver = new SimulatedGpioDriver(time);
        using var controller = new GpioController(driver);
        controller.OpenPin(5, PinMode.Output);

        controller.Write(5, PinValue.High);
        time.Advance(TimeSpan.FromSeconds(2));
        controller.Write(5, PinValue.Low);

        var history = driver.OutputHistory;
        Assert.Equal(2, history.Count);
        Assert.Equal(PinValue.High, history[0].Value);
        Assert.Equal(TimeSpan.FromSeconds(2), history[1].Time - history[0].Time);
        Assert.Equal(PinValue.Low, driver.Outputs()[5]);
    }

    [Fact]
    public void SetInput_OnOutputLine_Throws()
    {
        var driver = new SimulatedGpioDriver(new FakeTimeProvider());
        using var controller = new GpioController(driver);
        controller.OpenPin(5, PinMode.Output);

        Assert.Throws<InvalidOperationException>(() => driver.SetInput(5, PinValue.High));
    }

    [Fact]
    public async Task WaitForEventAsync_EdgeArrives_Completes()
    {
        var driver = new SimulatedGpioDriver(new FakeTimeProvider());
        using var controller = new GpioController(driver);
        controller.OpenPin(22, PinMode.InputPullUp);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));

        var wait = Task.Run(() => controller.WaitForEvent(22, PinEventTypes.Falling, cts.Token));
        // The waiter registers its callback asynchronously; drive edges until it sees one.
        while (!wait.IsCompleted)
        {
            driver.SetInput(22, PinValue.Low);
            driver.SetInput(22, PinValue.High);
            await Task.Yield();
        }

        var result = await wait;
        Assert.False(result.TimedOut);
        Assert.Equal(PinEventTypes.Falling, result.EventTypes);
    }
}
