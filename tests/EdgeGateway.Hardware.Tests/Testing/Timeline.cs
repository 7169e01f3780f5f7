using EdgeGateway.Hardware.Audio;

namespace EdgeGateway.Hardware.Tests.Testing;

/// <summary>A stretch of a rendered timeline: sound or silence, in samples at <see cref="AudioClip.SampleRate"/>.</summary>
internal sealed record Segment(bool Sound, int Start, int Length, double FrequencyHz, int Peak)
{
    public TimeSpan Duration => AudioClip.SamplesToTime(Length);
}

/// <summary>
/// Analyses a timeline WAV in-process: splits it into sound and silence (a silence is at least
/// <see cref="MinSilence"/> of samples within <see cref="Threshold"/>) and estimates each sound's
/// frequency from its zero crossings.
/// </summary>
internal static class Timeline
{
    public const int Threshold = 64;
    public static readonly int MinSilence = AudioClip.TimeToSamples(TimeSpan.FromMilliseconds(20));

    public static IReadOnlyList<Segment> Segments(string path) => Segments(WavFile.Read(path, "timeline").Samples.Span);

    public static IReadOnlyList<Segment> Segments(ReadOnlySpan<short> samples)
    {
        var result = new List<Segment>();
        var i = 0;
        while (i < samples.Length)
        {
            // Find the next silence of at least MinSilence samples starting at or after i.
            var quietStart = -1;
            var run = 0;
            for (var j = i; j < samples.Length; j++)
            {
                if (Math.Abs((int)samples[j]) <= Threshold)
                {
                    run++;
                    if (run >= MinSilence)
                    {
                        quietStart = j - run + 1;
                        break;
                    }
                }
                else
                {
                    run = 0;
                }
            }

            if (quietStart < 0)
            {
                quietStart = samples.Length;
            }

            if (quietStart > i)
            {
                result.Add(Sound(samples, i, quietStart - i));
            }

            if (quietStart >= samples.Length)
            {
                break;
            }

            var quietEnd = quietStart;
            while (quietEnd < samples.Length && Math.Abs((int)samples[quietEnd]) <= Threshold)
            {
                quietEnd++;
            }

            result.Add(new Segment(false, quietStart, quietEnd - quietStart, 0, 0));
            i = quietEnd;
        }

        return result;
    }

    /// <summary>The frequency of the samples in [start, start+length), from zero crossings.</summary>
    public static double FrequencyAt(ReadOnlySpan<short> samples, TimeSpan start, TimeSpan length) =>
        Sound(samples, AudioClip.TimeToSamples(start), AudioClip.TimeToSamples(length)).FrequencyHz;

    private static Segment Sound(ReadOnlySpan<short> samples, int start, int length)
    {
        var crossings = 0;
        var peak = 0;
        for (var k = start; k < start + length; k++)
        {
            peak = Math.Max(peak, Math.Abs((int)samples[k]));
            if (k > start && (samples[k - 1] < 0) != (samples[k] < 0))
            {
                crossings++;
            }
        }

        var seconds = (double)length / AudioClip.SampleRate;
        return new Segment(true, start, length, crossings / 2.0 / seconds, peak);
    }
}
