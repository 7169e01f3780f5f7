using EdgeGateway.Hardware.Audio;

namespace EdgeGateway.Hardware.Tests.Testing;

/// <summary>Test audio made in-process: sine tones whose frequency identifies the clip in a rendered timeline.</summary>
internal static class Tones
{
    public static AudioClip Sine(double hz, TimeSpan duration, double amplitude = 0.5, string name = "tone")
    {
        var samples = new short[AudioClip.TimeToSamples(duration)];
        for (var i = 0; i < samples.Length; i++)
        {
            samples[i] = (short)Math.Round(Math.Sin(2 * Math.PI * hz * i / AudioClip.SampleRate) * amplitude * short.MaxValue);
        }

        return new AudioClip(name, samples);
    }

    public static string WriteSine(string path, double hz, TimeSpan duration)
    {
        WavFile.Write(path, Sine(hz, duration));
        return path;
    }
}
