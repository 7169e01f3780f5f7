namespace EdgeGateway.Hardware.Internal;

/// <summary>Conversions between float samples in [-1, 1] and signed 16-bit.</summary>
internal static class Pcm
{
    public static short ToInt16(float sample) => (short)Math.Clamp(MathF.Round(sample * 32768f), short.MinValue, short.MaxValue);
}
