using EdgeGateway.Configuration;

namespace EdgeGateway.Hosting.Reload;

/// <summary>
/// A part of the station that takes a changed configuration while it runs. The reloader calls every
/// applier whose <see cref="Sections"/> changed, one after the other, after the new file has validated;
/// a changed section that no applier covers takes effect at the next restart and is reported as such
/// (the <c>config-applied</c> event's <c>restartNeeded</c>, and <c>edgegw status</c>).
/// </summary>
public interface IConfigApplier
{
    /// <summary>A short name for logs and events, e.g. <c>rules</c>.</summary>
    string Name { get; }

    /// <summary>The top-level station.yaml sections (<c>alerting</c>, <c>sensors</c>, ...) this applies live.</summary>
    IReadOnlyCollection<string> Sections { get; }

    /// <summary>
    /// Puts <paramref name="current"/> into force without losing alarm state or history. Throwing leaves
    /// this part on <paramref name="previous"/> (it must not be left half applied) and is reported as a
    /// failed apply; the other appliers still run.
    /// </summary>
    Task ApplyAsync(StationConfig previous, StationConfig current, CancellationToken cancellationToken);
}
