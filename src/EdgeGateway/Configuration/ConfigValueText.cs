using System.Globalization;

namespace EdgeGateway.Configuration;

/// <summary>
/// The duration and size notations of station.yaml and of the CLI options: durations are a whole
/// number and one unit (<c>250ms</c>, <c>30s</c>, <c>5m</c>, <c>1h</c>, <c>1d</c>), sizes a whole
/// number and a 1024-based unit (<c>64KB</c>, <c>256MB</c>, <c>1GB</c>, or plain bytes <c>B</c>).
/// </summary>
public static class ConfigValueText
{
    public const string DurationHint = "a whole number and a unit: 250ms, 30s, 5m, 1h or 1d";
    public const string SizeHint = "a whole number and a unit: 512B, 64KB, 256MB or 1GB";

    public static bool TryParseDuration(string text, out TimeSpan value)
    {
        value = default;
        ArgumentNullException.ThrowIfNull(text);
        var (digits, unit) = Split(text.Trim());
        if (digits.Length == 0 || !long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
        {
            return false;
        }

        long? factor = unit switch
        {
            "ms" => 1,
            "s" => 1000,
            "m" => 60_000,
            "h" => 3_600_000,
            "d" => 86_400_000,
            // A bare 0 needs no unit.
            "" when n == 0 => 1,
            _ => null,
        };

        // Nothing the station schedules is longer than a century.
        const long MaxMilliseconds = 100L * 365 * 86_400_000;
        if (factor is null || n > MaxMilliseconds / factor.Value)
        {
            return false;
        }

        value = TimeSpan.FromMilliseconds(n * factor.Value);
        return true;
    }

    public static string FormatDuration(TimeSpan value)
    {
        var ms = (long)value.TotalMilliseconds;
        return ms switch
        {
            0 => "0s",
            _ when ms % 86_400_000 == 0 => $"{ms / 86_400_000}d",
            _ when ms % 3_600_000 == 0 => $"{ms / 3_600_000}h",
            _ when ms % 60_000 == 0 => $"{ms / 60_000}m",
            _ when ms % 1000 == 0 => $"{ms / 1000}s",
            _ => $"{ms}ms",
        };
    }

    public static bool TryParseSize(string text, out long bytes)
    {
        bytes = 0;
        ArgumentNullException.ThrowIfNull(text);
        var (digits, unit) = Split(text.Trim());
        if (digits.Length == 0 || !long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
        {
            return false;
        }

        long? factor = unit.ToUpperInvariant() switch
        {
            "B" => 1,
            "KB" or "KIB" => 1L << 10,
            "MB" or "MIB" => 1L << 20,
            "GB" or "GIB" => 1L << 30,
            "TB" or "TIB" => 1L << 40,
            _ => null,
        };
        if (factor is null || n > long.MaxValue / factor.Value)
        {
            return false;
        }

        bytes = n * factor.Value;
        return true;
    }

    private static (string Digits, string Unit) Split(string text)
    {
        var i = 0;
        while (i < text.Length && char.IsAsciiDigit(text[i]))
        {
            i++;
        }

        return (text[..i], text[i..]);
    }
}
