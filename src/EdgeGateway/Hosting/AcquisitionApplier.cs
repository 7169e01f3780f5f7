using EdgeGateway.Acquisition;
using EdgeGateway.Configuration;
using EdgeGateway.Hosting.Reload;

namespace EdgeGateway.Hosting;

/// <summary>
/// Puts a reloaded <c>sensors</c> and <c>buses</c> section into force in the running acquisition
/// (<see cref="AcquisitionService.ApplyAsync"/>): what did not change keeps running, alarm state, history and rain
/// totals are kept. The GPIO chip is opened once at start: a file that names another one cannot be applied live.
/// </summary>
internal sealed class AcquisitionApplier(AcquisitionService acquisition, GpioSection startedGpio) : IConfigApplier
{
    public string Name => "acquisition";

    public IReadOnlyCollection<string> Sections { get; } = ["sensors", "buses"];

    public async Task ApplyAsync(StationConfig previous, StationConfig current, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(current);
        var gpio = current.Hardware.Gpio;
        var (was, now) = (AcquisitionMapping.Gpio(startedGpio), AcquisitionMapping.Gpio(gpio));
        if (was != now)
        {
            throw new InvalidOperationException(
                $"hardware.gpio changed ({startedGpio.Driver} {was.Chip} -> {gpio.Driver} {now.Chip}): the GPIO chip is opened at start, "
                + "so sensors and buses wait for a restart; the previous sensors keep running");
        }

        await acquisition.ApplyAsync(AcquisitionMapping.FromConfig(current), cancellationToken).ConfigureAwait(false);
    }
}
