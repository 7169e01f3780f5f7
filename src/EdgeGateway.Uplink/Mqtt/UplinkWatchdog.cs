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
