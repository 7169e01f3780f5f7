using System.Device.Gpio;
using System.Device.Gpio.Drivers;
using System.Globalization;
using System.Runtime.InteropServices;

namespace EdgeGateway.Hardware.Gpio;

/// <summary>Which GPIO chip the station uses (<c>hardware.gpio</c>).</summary>
/// <param name="Simulated">True for <c>driver: simulated</c>: lines held in memory.</param>
/// <param name="Chip">For libgpiod: the chip's name (<c>gpiochip0</c>), its device (<c>/dev/gpiochip0</c>) or its number.</param>
public sealed record GpioHardwareOptions(bool Simulated, string Chip = GpioHardwareOptions.DefaultChip)
{
    /// <summary>Default <see cref="Chip"/>: the first chip, the Raspberry Pi's header.</summary>
    public const string DefaultChip = "gpiochip0";
}

/// <summary>
/// The one <see cref="GpioController"/> of the station, shared by the inputs (rain gauge, switches) and the
/// broadcast relays. When the chip cannot be opened (no libgpiod, no such chip, no permission) the controller
/// still exists but every line fails to open with <see cref="Fault"/> as its message, so each part that needs
/// GPIO reports its own fault and the rest of the station keeps running.
/// </summary>
public sealed class GpioSetup : IDisposable
{
    internal GpioSetup(GpioController controller, string description, SimulatedGpioDriver? simulated, string? fault)
    {
        Controller = controller;
        Description = description;
        SimulatedDriver = simulated;
        Fault = fault;
    }

    public GpioController Controller { get; }

    /// <summary>"simulated", "libgpiod v2 on gpiochip0", ...: for status and logs.</summary>
    public string Description { get; }

    /// <summary>The in-memory chip when <c>driver: simulated</c>, else null (and <c>sim gpio</c> is refused).</summary>
    public SimulatedGpioDriver? SimulatedDriver { get; }

    /// <summary>Why the chip could not be opened, or null when it was.</summary>
    public string? Fault { get; }

    public void Dispose() => Controller.Dispose();
}

/// <summary>Builds the station's <see cref="GpioSetup"/> from <c>hardware.gpio</c>.</summary>
public static class GpioControllerFactory
{
    /// <summary>
    /// Overrides the libgpiod API choice (<c>V1</c> or <c>V2</c>); the same variable later System.Device.Gpio
    /// releases read. Without it the driver follows the library installed: libgpiod.so.3 (libgpiod 2.x) → V2,
    /// else libgpiod.so.2 / .so.1 (libgpiod 1.x, Raspberry Pi OS up to Bookworm) → V1.
    /// </summary>
    public const string DriverVersionVariable = "DOTNET_IOT_LIBGPIOD_DRIVER_VERSION";

    public static GpioSetup Create(GpioHardwareOptions options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        if (options.Simulated)
        {
            var simulated = new SimulatedGpioDriver(timeProvider);
            return new GpioSetup(new GpioController(simulated), "simulated", simulated, null);
        }

        if (!TryParseChipNumber(options.Chip, out var chip))
        {
            return Unavailable(options.Chip, $"'{options.Chip}' is not a GPIO chip name (expected gpiochipN)");
        }

        var useV2 = ChooseV2(Environment.GetEnvironmentVariable(DriverVersionVariable), LibraryLoads);
        try
        {
            GpioDriver driver = useV2 ? new LibGpiodV2Driver(chip) : new LibGpiodDriver(chip);
            var description = string.Create(CultureInfo.InvariantCulture, $"libgpiod {(useV2 ? "v2" : "v1")} on gpiochip{chip}");
            return new GpioSetup(new GpioController(driver), description, null, null);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            var reason = ex is DllNotFoundException or PlatformNotSupportedException
                ? "libgpiod is not installed (apt install libgpiod2 or libgpiod3)"
                : ex.Message;
            return Unavailable(options.Chip, $"GPIO chip gpiochip{chip} cannot be opened: {reason}");
        }
    }

    /// <summary>Accepts <c>gpiochip0</c>, <c>/dev/gpiochip0</c> or <c>0</c>.</summary>
    public static bool TryParseChipNumber(string chip, out int number)
    {
        ArgumentNullException.ThrowIfNull(chip);
        var name = chip.StartsWith("/dev/", StringComparison.Ordinal) ? chip[5..] : chip;
        if (name.StartsWith("gpiochip", StringComparison.Ordinal))
        {
            name = name[8..];
        }

        return int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out number);
    }

    internal static bool ChooseV2(string? overrideValue, Func<string, bool> libraryLoads)
    {
        if (string.Equals(overrideValue, "V2", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (string.Equals(overrideValue, "V1", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        return libraryLoads("libgpiod.so.3");
    }

    private static bool LibraryLoads(string name)
    {
        if (!NativeLibrary.TryLoad(name, out var handle))
        {
            return false;
        }

        NativeLibrary.Free(handle);
        return true;
    }

    private static GpioSetup Unavailable(string chip, string fault) =>
        new(new GpioController(new UnavailableGpioDriver(fault)), $"unavailable ({chip})", null, fault);
}
