namespace EdgeGateway.Core.Monitoring;

/// <summary>
/// Where the station's long-running loops (bus schedulers, INA219 polls, the history writer, the broadcaster,
/// the uplink) prove that they still turn: the host feeds its systemd watchdog only while none has been silent
/// for longer than it may.
/// </summary>
public interface ILoopMonitor
{
    /// <summary>Registers a loop as having made progress now; dispose the heartbeat when the loop ends on purpose.</summary>
    ILoopHeartbeat Register(string name, TimeSpan maxSilence);
}

/// <summary>One loop's proof of life: <see cref="Beat"/> once per turn, including turns with nothing to do.</summary>
public interface ILoopHeartbeat : IDisposable
{
    void Beat();
}
