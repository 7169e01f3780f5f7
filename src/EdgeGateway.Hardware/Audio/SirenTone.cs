namespace EdgeGateway.Hardware.Audio;

/// <summary>
/// The fallback sound when a message cannot be played: a wail sweeping between <see cref="LowHz"/> and
/// <see cref="HighHz"/> and back every <see cref="CycleSeconds"/>, generated in-process so it needs no file,
/// no synthesiser and no disk. Phase is accumulated, so the sweep has no clicks.
/// </summary>
public static class SirenTone
{
    public const double LowHz = 600;
    public const double HighHz = 1200;
    public const double CycleSeconds = 4;

    /// <summary>Peak amplitude as a fraction of full scale (headroom for the amplifier's input stage).</summary>
    public const double Amplitude = 0.8;

    public static AudioClip Generate(TimeSpan duration)
    {
        var samples = new short[AudioClip.TimeToSamples(duration)];
        var phase = 0.0;
        for (var i = 0; i < samples.Length; i++)
        {
            var t = (double)i / AudioClip.SampleRate;
            // Triangle sweep: up for half a cycle, down for the other half.
            var position = t % CycleSeconds / CycleSeconds;
            var sweep = position < 0.5 ? position * 2 : 2 - (position * 2);
            var frequency = LowHz + ((HighHz - LowHz) * sweep);
            phase += 2 * Math.PI * frequency / AudioClip.SampleRate;
            samples[i] = (short)Math.Round(Math.Sin(phase) * Amplitude * short.MaxValue);
        }

        return new AudioClip("siren", samples);
    }
}
