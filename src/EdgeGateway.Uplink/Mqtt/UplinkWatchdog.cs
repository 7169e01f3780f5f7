namespace EdgeGateway.Uplink.Mqtt;

/// <summary>
/// How the uplink's supervising loop (connect, back off, publish) proves progress to the station's watchdog.
/// Backing off while the broker is down and waiting for something to send are progress; a call to the broker
/// still unanswered after the client's own timeout (plus slack) is a hang: the client should have given up.
/// </summary>
public static class UplinkWatchdog
{
    /// <summary>How often the loop beats while it waits.</summary>
    public static readonly TimeSpan BeatInterval = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The loop's allowance between beats. It beats every <see cref="BeatInterval"/> through every wait; between
    /// beats it only reads the outbox (SQLite, milliseconds) and hands publishes to the client. Half a minute is
    /// six missed beats: a loaded Pi does not miss that many, a hang does.
    /// </summary>
    public static readonly TimeSpan MaxSilence = TimeSpan.FromSeconds(30);

    /// <summary>What a broker call may take beyond the client's timeout before it counts as stuck.</summary>
    public static readonly TimeSpan Slack = TimeSpan.FromSeconds(10);

    /// <summary>How long one broker call (connect, subscribe, a publish awaiting its PUBACK) may legitimately take.</summary>
    public static TimeSpan CallAllowance(MqttConnectionOptions mqtt) => mqtt.ConnectTimeout + Slack;
}

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
