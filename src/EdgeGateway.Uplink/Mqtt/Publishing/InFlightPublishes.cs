namespace EdgeGateway.Uplink.Mqtt.Publishing;

/// <summary>The publishes handed to the client and not yet answered, with when each started.</summary>
internal sealed class InFlightPublishes(TimeProvider time)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<long, long> _started = [];

    public void Begin(long seq)
    {
        lock (_gate)
        {
            _started[seq] = time.GetTimestamp();
        }
    }

    public void End(long seq)
    {
        lock (_gate)
        {
            _started.Remove(seq);
        }
    }

    /// <summary>True when a publish has been waiting for longer than <paramref name="allowance"/>.</summary>
    public bool OlderThan(TimeSpan allowance)
    {
        lock (_gate)
        {
            foreach (var started in _started.Values)
            {
                if (time.GetElapsedTime(started) > allowance)
                {
                    return true;
                }
            }
        }

        return false;
    }
}
