using EdgeGateway.Core.Events;
using EdgeGateway.Core.Readings;

namespace EdgeGateway.TestSupport;

/// <summary>Stands in for the station pipeline: keeps every reading and event in order, and lets a test wait for one.</summary>
public sealed class RecordingSinks : IReadingSink, IStationEventSink
{
    private readonly Lock _gate = new();
    private readonly List<Reading> _readings = [];
    private readonly List<StationEvent> _events = [];
    private readonly List<(Func<bool> Condition, TaskCompletionSource Done)> _waiters = [];

    public IReadOnlyList<Reading> Readings
    {
        get
        {
            lock (_gate)
            {
                return [.. _readings];
            }
        }
    }

    public IReadOnlyList<StationEvent> Events
    {
        get
        {
            lock (_gate)
            {
                return [.. _events];
            }
        }
    }

    public IReadOnlyList<Reading> Of(string sensor) => [.. Readings.Where(r => r.SensorId == sensor)];

    public IReadOnlyList<StationEvent> EventsOf(string type) => [.. Events.Where(e => e.Type == type)];

    public int Count(string type) => Events.Count(e => e.Type == type);

    public void Publish(Reading reading)
    {
        lock (_gate)
        {
            _readings.Add(reading);
        }

        Check();
    }

    public void Publish(StationEvent stationEvent)
    {
        lock (_gate)
        {
            _events.Add(stationEvent);
        }

        Check();
    }

    /// <summary>Completes when <paramref name="condition"/> holds (checked on every reading and event).</summary>
    public async Task WaitAsync(Func<bool> condition, TimeSpan? timeout = null)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            _waiters.Add((condition, done));
        }

        Check();
        try
        {
            await done.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"condition not met; {Readings.Count} readings, {Events.Count} events so far");
        }
    }

    private void Check()
    {
        List<(Func<bool> Condition, TaskCompletionSource Done)> waiters;
        lock (_gate)
        {
            waiters = [.. _waiters];
        }

        foreach (var w in waiters)
        {
            if (w.Condition())
            {
                w.Done.TrySetResult();
                lock (_gate)
                {
                    _waiters.Remove(w);
                }
            }
        }
    }
}
