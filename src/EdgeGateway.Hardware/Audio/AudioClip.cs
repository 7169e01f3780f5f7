namespace EdgeGateway.Hardware.Audio;

/// <summary>
/// A piece of audio in the one format the broadcast path works in: <see cref="SampleRate"/> Hz, mono,
/// signed 16-bit. Every source (WAV files of any rate and channel count, speech, the siren) is converted
/// to it on load, so sinks never negotiate formats and a rendered timeline is one continuous stream.
/// </summary>
public sealed class AudioClip
{
    /// <summary>Samples per second of every clip (speech-band audio for horn loudspeakers).</summary>
    public const int SampleRate = 16_000;

    public AudioClip(string name, short[] samples)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(samples);
        Name = name;
        Samples = samples;
    }

    /// <summary>What the clip is (a message id, "siren", "say:...") for logs and events.</summary>
    public string Name { get; }

    public ReadOnlyMemory<short> Samples { get; }

    public TimeSpan Duration => SamplesToTime(Samples.Length);

    public static AudioClip Silence(TimeSpan duration, string name = "silence") => new(name, new short[TimeToSamples(duration)]);

    /// <summary>The number of samples covering <paramref name="duration"/> (rounded to the nearest sample).</summary>
    public static int TimeToSamples(TimeSpan duration) =>
        duration <= TimeSpan.Zero ? 0 : checked((int)Math.Round(duration.Ticks * (double)SampleRate / TimeSpan.TicksPerSecond));

    public static TimeSpan SamplesToTime(int samples) => TimeSpan.FromTicks((long)Math.Round(samples * (double)TimeSpan.TicksPerSecond / SampleRate));

    /// <summary>The first <paramref name="duration"/> of the clip (all of it when longer), e.g. what was heard before a preemption.</summary>
    public ReadOnlyMemory<short> Head(TimeSpan duration) => Samples[..Math.Min(Samples.Length, TimeToSamples(duration))];
}
