using EdgeGateway.Core.Monitoring;

namespace EdgeGateway.Acquisition.Internal;

/// <summary>A part with a loop of its own (a bus scheduler, an INA219), which a reload can stop alone.</summary>
internal sealed class Part<T>(string name, T value, TimeSpan maxSilence, Func<CancellationToken, Action?, Task> run)
    where T : class
{
    public string Name { get; } = name;
    public T Value { get; } = value;
    public TimeSpan MaxSilence { get; } = maxSilence;
    public CancellationTokenSource? Cancel { get; private set; }
    public Task? Loop { get; private set; }

    /// <summary>How long a stop request may take before the loop is cancelled outright.</summary>
    public TimeSpan StopGrace { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Starts the loop, ended by <paramref name="stopping"/> or by <see cref="CancelAsync"/>.</summary>
    public void Start(ILoopMonitor? loops, CancellationToken stopping)
    {
        Cancel = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        Loop = WatchedLoop.Run(loops, Name, MaxSilence, run, Cancel.Token);
    }

    /// <summary>Waits for a loop asked to stop; cancels it if it has not within <see cref="StopGrace"/>.</summary>
    public async Task StopAsync()
    {
        if (Loop is { } loop)
        {
            // Real time on purpose: a bounded wait for a transaction on the wire, not a schedule.
            if (await Task.WhenAny(loop, Task.Delay(StopGrace, TimeProvider.System)).ConfigureAwait(false) != loop)
            {
                await CancelAsync().ConfigureAwait(false);
            }

            await loop.ConfigureAwait(false);
        }

        Cancel?.Dispose();
    }

    public async Task CancelAsync()
    {
        if (Cancel is { } cancel)
        {
            await cancel.CancelAsync().ConfigureAwait(false);
        }

        if (Loop is { } loop)
        {
            await loop.ConfigureAwait(false);
        }
    }
}
