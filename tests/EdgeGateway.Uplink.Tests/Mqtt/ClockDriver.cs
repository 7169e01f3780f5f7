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
    private readonly Lock _waitsLock = new();
    private readonly List<(DateTimeOffset At, TaskCompletionSource Reached)> _waits = [];

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
                    Reached();
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

    /// <summary>Completes once simulated time has reached <paramref name="at"/> (after that second's <see cref="OnSecond"/>).</summary>
    public Task ReachedAsync(DateTimeOffset at)
    {
        lock (_waitsLock)
        {
            if (_time.GetUtcNow() >= at)
            {
                return Task.CompletedTask;
            }

            var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waits.Add((at, reached));
            return reached.Task.WaitAsync(TimeSpan.FromSeconds(60));
        }
    }

    private void Reached()
    {
        lock (_waitsLock)
        {
            var now = _time.GetUtcNow();
            foreach (var wait in _waits.Where(w => now >= w.At))
            {
                wait.Reached.TrySetResult();
            }

            _waits.RemoveAll(w => now >= w.At);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
