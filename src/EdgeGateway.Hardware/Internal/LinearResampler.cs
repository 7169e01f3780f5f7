namespace EdgeGateway.Hardware.Internal;

/// <summary>
/// Sample-rate conversion by linear interpolation. Good enough for speech into horn loudspeakers; it does
/// not low-pass before decimating, so content above the target Nyquist frequency folds back (speech
/// clips carry little energy there).
/// </summary>
internal static class LinearResampler
{
    public static float[] Resample(float[] input, int fromRate, int toRate)
    {
        if (fromRate == toRate || input.Length == 0)
        {
            return input;
        }

        var outLength = (int)((long)input.Length * toRate / fromRate);
        var output = new float[outLength];
        var step = (double)fromRate / toRate;
        for (var i = 0; i < outLength; i++)
        {
            var position = i * step;
            var index = (int)position;
            var fraction = (float)(position - index);
            var a = input[index];
            var b = index + 1 < input.Length ? input[index + 1] : a;
            output[i] = a + ((b - a) * fraction);
        }

        return output;
    }
}

/// <summary>Conversions between float samples in [-1, 1] and signed 16-bit.</summary>
internal static class Pcm
{
    public static short[] ToInt16(ReadOnlySpan<float> samples)
    {
        var result = new short[samples.Length];
        for (var i = 0; i < samples.Length; i++)
        {
            result[i] = (short)Math.Clamp(MathF.Round(samples[i] * 32768f), short.MinValue, short.MaxValue);
        }

        return result;
    }
}
