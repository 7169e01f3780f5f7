namespace EdgeGateway.Uplink.Sl651;

/// <summary>The station's local clock as SL 651 frames carry it, and the timed report schedule on it.</summary>
public static class Sl651Clock
{
    /// <summary>
    /// The first instant after <paramref name="now"/> whose local time is a whole number of periods after local
    /// midnight: an hourly station reports at hh:00, a 5-minute one at hh:00, hh:05... A period that does not
    /// divide the day starts again at midnight.
    /// </summary>
    public static DateTimeOffset NextTimed(DateTimeOffset now, TimeSpan period, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(period, TimeSpan.Zero);
        var local = TimeZoneInfo.ConvertTime(now, zone);
        var midnight = local.Date;
        var done = (local.DateTime - midnight).Ticks / period.Ticks;
        var next = midnight + TimeSpan.FromTicks((done + 1) * period.Ticks);
        if (next > midnight.AddDays(1))
        {
            next = midnight.AddDays(1);
        }

        return ToInstant(next, zone);
    }

    /// <summary>Local time of <paramref name="instant"/>, to the second (a send time).</summary>
    public static DateTime LocalSecond(DateTimeOffset instant, TimeZoneInfo zone)
    {
        var local = TimeZoneInfo.ConvertTime(instant, zone).DateTime;
        return new DateTime(local.Ticks - (local.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Unspecified);
    }

    /// <summary>Local time of <paramref name="instant"/>, to the minute (an observation time).</summary>
    public static DateTime LocalMinute(DateTimeOffset instant, TimeZoneInfo zone)
    {
        var local = TimeZoneInfo.ConvertTime(instant, zone).DateTime;
        return new DateTime(local.Ticks - (local.Ticks % TimeSpan.TicksPerMinute), DateTimeKind.Unspecified);
    }

    /// <summary>The instant a local wall-clock time names (the later offset when a clock change makes it ambiguous).</summary>
    public static DateTimeOffset ToInstant(DateTime local, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        var unspecified = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        var offset = zone.IsInvalidTime(unspecified) ? zone.GetUtcOffset(unspecified.AddHours(1)) : zone.GetUtcOffset(unspecified);
        return new DateTimeOffset(unspecified, offset);
    }
}
