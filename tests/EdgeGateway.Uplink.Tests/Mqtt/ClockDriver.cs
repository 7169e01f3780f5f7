using Microsoft.Extensions.Time.Testing;

namespace EdgeGateway.Uplink.Tests.Mqtt;

/// <summary>
/// Runs a FakeTimeProvider fast: one simulated second per few real milliseconds, calling
/// <see cref="OnSecond"/> after each step (a sensor reading per second, say). Pausable, so a test can hold
/// simulated time still while it arranges the real world (a broker restart).
/// </summary>
internal sealed class ClockDriver : IAsyncDisposable
{
    private readonly FakeTimeProvider _time;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private volatile bool _paused;
    private TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ClockDriver(FakeTimeProvider time, TimeSpan realStep)
    {
        _time = time;
        _loop = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                if (!_paused)
                {
                    _time.Advance(TimeSpan.FromSeconds(1));
                    OnSecond?.Invoke(_time.GetUtcNow());
                }
                else
                {
                    _stopped.TrySetResult();
                }

                try
                {
                    await Task.Delay(realStep, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                }
            }
        });
    }

    public Action<DateTimeOffset>? OnSecond { get; set; }

    /// <summary>Stops simulated time; returns once no step is in progress.</summary>
    public Task PauseAsync()
    {
        _stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _paused = true;
        return _stopped.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    public void Resume() => _paused = false;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
