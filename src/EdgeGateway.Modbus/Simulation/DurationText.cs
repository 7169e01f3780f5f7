using System.Globalization;

namespace EdgeGateway.Modbus.Simulation;

/// <summary>
/// Durations as technicians write them: <c>500ms</c>, <c>1.5s</c>, <c>2m</c>, <c>1h</c>, combined as <c>1m30s</c>,
/// or <c>hh:mm:ss</c>. A bare number is seconds.
/// </summary>
public static class DurationText
{
    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var s = text.Trim();
        if (s.Contains(':', StringComparison.Ordinal))
        {
            return TimeSpan.TryParseExact(s, [@"h\:mm\:ss", @"h\:mm\:ss\.FFF", @"mm\:ss", @"mm\:ss\.FFF"], CultureInfo.InvariantCulture, out duration)
                && duration >= TimeSpan.Zero;
        }

        if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var bare))
        {
            return FromSeconds(bare, out duration);
        }

        var total = 0.0;
        var i = 0;
        while (i < s.Length)
        {
            var start = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
            {
                i++;
            }

            if (start == i || !double.TryParse(s.AsSpan(start, i - start), NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
            {
                return false;
            }

            var unitStart = i;
            while (i < s.Length && char.IsAsciiLetter(s[i]))
            {
                i++;
            }

            var scale = s[unitStart..i] switch
            {
                "ms" => 0.001,
                "s" => 1,
                "m" or "min" => 60,
                "h" => 3600,
                _ => double.NaN,
            };
            if (double.IsNaN(scale))
            {
                return false;
            }

            total += number * scale;
        }

        return FromSeconds(total, out duration);
    }

    public static string Format(TimeSpan duration) =>
        duration.TotalSeconds >= 1 || duration == TimeSpan.Zero
            ? duration.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + "s"
            : duration.TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture) + "ms";

    private static bool FromSeconds(double seconds, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (!double.IsFinite(seconds) || seconds < 0 || seconds > TimeSpan.MaxValue.TotalSeconds / 2)
        {
            return false;
        }

        duration = TimeSpan.FromSeconds(seconds);
        return true;
    }
}
