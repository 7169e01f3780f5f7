using System.Globalization;

namespace EdgeGateway.Core.Readings;

/// <summary>
/// Values at the precision of their source, and the one way every output writes them (status, telemetry,
/// alerts, CAP, replay): the shortest form that round-trips, invariant culture, lower-case exponent.
/// </summary>
/// <remarks>
/// Binary noise enters in three places, each fixed where it enters rather than by rounding at the output:
/// a float32 register widened to double (2.9f is 2.9000000953674316 as a double) and a scale or offset
/// applied in binary (29 * 0.1 is 2.9000000000000004), both in RegisterDecoder; and a difference of two
/// readings (3.1 - 3.755 is -0.6549999999999998), <see cref="Difference"/>. The decimal forms a technician
/// and a sensor mean are kept instead.
/// </remarks>
public static class ValueText
{
    /// <summary>Shortest round-trip form: 2.9, 31.5, -0.655, 1e-05. NaN and infinities (no value) print "-".</summary>
    public static string Format(double value) =>
        double.IsFinite(value) ? value.ToString("R", CultureInfo.InvariantCulture).Replace('E', 'e') : "-";

    /// <summary>As <see cref="Format(double)"/>, null (no value) printing "-".</summary>
    public static string Format(double? value) => value is { } v ? Format(v) : "-";

    /// <summary>
    /// <c>a - b</c> of two readings in decimal: 3.1 - 3.755 is -0.655. A double becomes a decimal of 15 significant
    /// digits, which is what drops the noise; operands 15 digits cannot hold keep the binary result.
    /// </summary>
    public static double Difference(double a, double b)
    {
        if (InDecimalRange(a) && InDecimalRange(b))
        {
            return (double)((decimal)a - (decimal)b);
        }

        return a - b;

        static bool InDecimalRange(double x) => x == 0 || (double.IsFinite(x) && Math.Abs(x) is < 1e15 and >= 1e-9);
    }
}
