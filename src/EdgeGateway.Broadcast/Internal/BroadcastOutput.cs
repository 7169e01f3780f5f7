using EdgeGateway.Core.Monitoring;
using EdgeGateway.Hardware.Audio;
using EdgeGateway.Hardware.Relays;

namespace EdgeGateway.Broadcast.Internal;

/// <summary>
/// The relays and the audio sink as the broadcaster drives them: a relay that fails is logged and reported and
/// never stops the rest, and every wait (warm-up, a clip, a gap, the tail, loading a message) beats the
/// worker loop's heartbeat and counts as stuck only when it lasts well beyond its length.
/// </summary>
internal sealed class BroadcastOutput(RelayBank relays, IAudioSink sink, TimeSpan sirenDuration, BroadcastEvents events, TimeProvider time)
{
    private readonly Lazy<AudioClip> _siren = new(() => SirenTone.Generate(sirenDuration));

    public RelayBank Relays => relays;

    public IAudioSink Sink => sink;

    /// <summary>The fallback siren, generated when first needed.</summary>
    public AudioClip Siren => _siren.Value;

    /// <summary>The worker loop's heartbeat while it runs; none before (or without a watchdog).</summary>
    public ILoopHeartbeat? Heartbeat { get; set; }

    public bool TrySwitch(string relay, Action action, bool publish = true)
    {
        try
        {
            action();
            return true;
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or ArgumentException or UnauthorizedAccessException or NotSupportedException)
        {
            events.RelayFailed(relay, ex, "switched on", publish);
            return false;
        }
    }

    public void SwitchAllOff()
    {
        foreach (var (relay, error) in relays.AllOff())
        {
            events.RelayFailed(relay, error, "switched off");
        }
    }

    /// <summary>A wait of known length, with beats while it lasts no longer than it should.</summary>
    public Task Bounded(Task wait, TimeSpan expected) =>
        Heartbeat.WaitBeatingAsync(wait, expected + BroadcastController.WaitSlack, BroadcastController.BeatInterval, time);

    public Task Delay(TimeSpan delay, CancellationToken cancellationToken) =>
        Bounded(Task.Delay(delay, time, cancellationToken), delay);

    public Task<T> Loading<T>(Task<T> load) =>
        Heartbeat.WaitBeatingAsync(load, BroadcastController.LoadAllowance, BroadcastController.BeatInterval, time);
}
