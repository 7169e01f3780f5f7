namespace EdgeGateway.Hardware.Audio;

/// <summary><c>audio: { sink: none }</c>: relays still switch, and each clip takes its real time, but no audio goes anywhere.</summary>
public sealed class NullAudioSink(TimeProvider time) : IAudioSink
{
    public string Description => "none";

    public Task PlayAsync(AudioClip clip, bool muted, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(clip);
        return Task.Delay(clip.Duration, time, cancellationToken);
    }

    public Task PauseAsync(TimeSpan duration, CancellationToken cancellationToken) => Task.Delay(duration, time, cancellationToken);
}
