namespace EdgeGateway.Hardware.Audio;

/// <summary>
/// Where broadcast audio goes: the amplifier's input (<see cref="AlsaAudioSink"/>), a WAV timeline on a
/// bench (<see cref="FileAudioSink"/>) or nowhere (<see cref="NullAudioSink"/>). Each call returns when the
/// audio has been played out (or, for a muted call, would have been), and stops at once when cancelled.
/// </summary>
public interface IAudioSink
{
    /// <summary>For status and logs: "alsa:default", "file:/path", "none".</summary>
    string Description { get; }

    /// <summary>
    /// Plays <paramref name="clip"/>. <paramref name="muted"/> sends it through the same path at zero gain
    /// (the silent self-test): the device is opened and fed, nothing audible comes out.
    /// </summary>
    /// <exception cref="AudioDeviceException">The device refused or failed.</exception>
    Task PlayAsync(AudioClip clip, bool muted, CancellationToken cancellationToken);

    /// <summary>Silence on a live speaker line, e.g. the gap between repeats; returns after <paramref name="duration"/>.</summary>
    Task PauseAsync(TimeSpan duration, CancellationToken cancellationToken);
}

/// <summary>The audio device failed (could not be opened, or the player exited with an error).</summary>
public sealed class AudioDeviceException : Exception
{
    public AudioDeviceException()
    {
    }

    public AudioDeviceException(string message)
        : base(message)
    {
    }

    public AudioDeviceException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
