using EdgeGateway.Configuration;
using EdgeGateway.Hosting.Reload;
using EdgeGateway.Uplink.Mqtt;

namespace EdgeGateway.Hosting;

/// <summary>
/// Puts a reloaded <c>uplink</c> section (and the sensors' units) into force in the running uplink
/// (<see cref="UplinkService.Reconfigure"/>): a moved broker or new credentials reconnect at once; the outbox and
/// its seq are kept, so nothing queued is lost or numbered again.
/// </summary>
internal sealed class UplinkApplier(UplinkService uplink) : IConfigApplier
{
    public string Name => "uplink";

    // Sensors too: a new sensor's unit goes into telemetry from the next batch; alerting: a level's
    // severity goes into the next CAP alert.
    public IReadOnlyCollection<string> Sections { get; } = ["uplink", "sensors", "alerting"];

    public Task ApplyAsync(StationConfig previous, StationConfig current, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(current);
        var next = UplinkMapping.FromConfig(current)
            ?? throw new InvalidOperationException("uplink.mqtt was removed: the uplink keeps its broker until the next restart");
        uplink.Reconfigure(next);
        return Task.CompletedTask;
    }
}
