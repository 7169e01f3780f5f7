using System.Device.Gpio;
using EdgeGateway.Acquisition.Internal;
using Microsoft.Extensions.Logging;

namespace EdgeGateway.Acquisition.Gpio;

internal static class GpioLines
{
    /// <summary>
    /// Opens an input line with its bias. A driver that cannot set the bias (libgpiod before 1.5) gets a plain
    /// input and a warning; anything else that fails is thrown for the caller to report as the sensor's fault.
    /// </summary>
    public static void OpenInput(GpioController controller, int pin, PinMode mode, ILogger logger)
    {
        if (controller.IsPinOpen(pin))
        {
            throw new InvalidOperationException($"GPIO line {pin} is already in use by another input or relay");
        }

        if (mode != PinMode.Input && !controller.IsPinModeSupported(pin, mode))
        {
            Log.GpioBiasUnsupported(logger, pin, mode.ToString());
            mode = PinMode.Input;
        }

        controller.OpenPin(pin, mode);
    }

    public static void Close(GpioController controller, int pin, PinChangeEventHandler handler)
    {
        try
        {
            if (controller.IsPinOpen(pin))
            {
                controller.UnregisterCallbackForPinValueChangedEvent(pin, handler);
                controller.ClosePin(pin);
            }
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or ObjectDisposedException)
        {
            // Closing a line of a chip that went away: nothing left to release.
        }
    }
}
