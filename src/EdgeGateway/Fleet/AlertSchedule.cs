namespace EdgeGateway.Fleet;

/// <summary>
/// When each simulated station raises its alerts, every <c>every</c>, the first after one whole period (by then the
/// fleet has connected: an alert raised while its station is still making its first connection times the start, not
/// the chain). Spread: station k (from 0) of N at k / N of the period after that, so the fleet raises a steady
/// trickle as independent stations would; together: every station at each whole period, one fleet-wide burst (the
/// worst case a storm approaches, when many stations cross their thresholds within seconds).
/// </summary>
public sealed class AlertSchedule
{
    private readonly DateTimeOffset[] _next;
    private readonly TimeSpan _every;

    public AlertSchedule(int stations, DateTimeOffset started, TimeSpan every, bool spread)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(stations, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(every, TimeSpan.Zero);
        _every = every;
        _next = new DateTimeOffset[stations];
        for (var k = 0; k < stations; k++)
        {
            _next[k] = started + every + (spread ? every * (k / (double)stations) : TimeSpan.Zero);
        }
    }

    /// <summary>The stations (indexes from 0, ascending) whose alert is due at <paramref name="now"/>; each is then due a period later.</summary>
    public IReadOnlyList<int> Due(DateTimeOffset now)
    {
        List<int>? due = null;
        for (var k = 0; k < _next.Length; k++)
        {
            if (now >= _next[k])
            {
                (due ??= []).Add(k);
                // A station late by more than a period (a stalled simulator) raises once, not a catch-up burst.
                while (_next[k] <= now)
                {
                    _next[k] += _every;
                }
            }
        }

        return due ?? (IReadOnlyList<int>)[];
    }
}
