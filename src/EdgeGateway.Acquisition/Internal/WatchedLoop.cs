using EdgeGateway.Core.Monitoring;

namespace EdgeGateway.Acquisition.Internal;

/// <summary>Runs a loop on the thread pool under the host's watchdog bookkeeping.</summary>
internal static class WatchedLoop
{
    /// <param name="loops">The host's watchdog bookkeeping; null runs the loop unwatched.</param>
    /// <param name="loop">The loop; it calls the given heartbeat (null when unwatched) while it is healthy.</param>
    public static Task Run(
        ILoopMonitor? loops,
        string name,
        TimeSpan maxSilence,
        Func<CancellationToken, Action?, Task> loop,
        CancellationToken cancellationToken) => Task.Run(
        async () =>
        {
            // Registered when the loop starts, disposed when it ends (a bus stopped by a reload signs off).
            using var heartbeat = loops?.Register(name, maxSilence);
            await loop(cancellationToken, heartbeat is null ? null : heartbeat.Beat).ConfigureAwait(false);
        },
        CancellationToken.None);
}
