using System.Globalization;
using System.Reflection;

namespace EdgeGateway.Uplink.Internal;

/// <summary>When the sources were committed (embedded at build): the floor of a plausible clock.</summary>
internal static class BuildInfo
{
    public static DateTimeOffset BuildTime { get; } = Read();

    private static DateTimeOffset Read()
    {
        var value = typeof(BuildInfo).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "BuildTime")?.Value;
        if (long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var epoch))
        {
            return DateTimeOffset.FromUnixTimeSeconds(epoch);
        }

        return DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)
            ? t
            : DateTimeOffset.UnixEpoch;
    }
}
