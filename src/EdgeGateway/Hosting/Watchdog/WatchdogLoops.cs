using EdgeGateway.Core.Monitoring;

namespace EdgeGateway.Hosting.Watchdog;

/// <summary>
/// The subsystems' loops (acquisition's bus:ID, ina219:ID and history, the broadcaster, the uplink) as heartbeats
/// of the station's watchdog: the libraries see only <see cref="ILoopMonitor"/>, the host's <see cref="ProgressMonitor"/>.
/// </summary>
internal sealed class WatchdogLoops(ProgressMonitor monitor) : ILoopMonitor
{
    public ILoopHeartbeat Register(string name, TimeSpan maxSilence) => new Heartbeat(monitor.Register(name, maxSilence));

    private sealed class Heartbeat(LoopHeartbeat inner) : ILoopHeartbeat
    {
        public void Beat() => inner.Beat();

        public void Dispose() => inner.Dispose();
    }
}
