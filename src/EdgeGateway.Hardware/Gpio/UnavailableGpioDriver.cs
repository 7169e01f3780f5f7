using System.Device.Gpio;

namespace EdgeGateway.Hardware.Gpio;

/// <summary>
/// Stands in for a GPIO chip that could not be opened: every line operation fails with the reason, so the
/// part that asked for the line reports a fault of its own instead of the station failing to start.
/// </summary>
internal sealed class UnavailableGpioDriver(string reason) : GpioDriver
{
    protected override int PinCount => 0;

    protected override void OpenPin(int pinNumber) => throw Fail();

    protected override void ClosePin(int pinNumber)
    {
    }

    protected override void SetPinMode(int pinNumber, PinMode mode) => throw Fail();

    protected override PinMode GetPinMode(int pinNumber) => throw Fail();

    protected override bool IsPinModeSupported(int pinNumber, PinMode mode) => false;

    protected override PinValue Read(int pinNumber) => throw Fail();

    protected override void Write(int pinNumber, PinValue value) => throw Fail();

    protected override WaitForEventResult WaitForEvent(int pinNumber, PinEventTypes eventTypes, CancellationToken cancellationToken) => throw Fail();

    protected override void AddCallbackForPinValueChangedEvent(int pinNumber, PinEventTypes eventTypes, PinChangeEventHandler callback) => throw Fail();

    protected override void RemoveCallbackForPinValueChangedEvent(int pinNumber, PinChangeEventHandler callback)
    {
    }

    private IOException Fail() => new(reason);
}
