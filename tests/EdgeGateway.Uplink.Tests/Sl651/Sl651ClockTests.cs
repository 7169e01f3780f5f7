using EdgeGateway.Uplink.Sl651;

namespace EdgeGateway.Uplink.Tests.Sl651;

public sealed class Sl651ClockTests
{
    private static readonly TimeZoneInfo Beijing = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    [Theory]
    // 02:17:30 UTC is 10:17:30 in Beijing: an hourly station reports next at 11:00 local (03:00 UTC).
    [InlineData("2026-07-01T02:17:30Z", 60, "2026-07-01T03:00:00Z")]
    // Exactly on the hour: the next one, not this one (it has just been made).
    [InlineData("2026-07-01T03:00:00Z", 60, "2026-07-01T04:00:00Z")]
    [InlineData("2026-07-01T02:17:30Z", 5, "2026-07-01T02:20:00Z")]
    // A period that does not divide the day starts again at local midnight (16:00 UTC).
    [InlineData("2026-07-01T15:30:00Z", 420, "2026-07-01T16:00:00Z")]
    public void NextTimed_AlignsToTheLocalClock(string now, int minutes, string expected)
    {
        var next = Sl651Clock.NextTimed(DateTimeOffset.Parse(now, System.Globalization.CultureInfo.InvariantCulture), TimeSpan.FromMinutes(minutes), Beijing);

        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), next);
    }

    [Fact]
    public void LocalMinute_IsTheStationsWallClockToTheMinute()
    {
        var local = Sl651Clock.LocalMinute(new DateTimeOffset(2026, 7, 1, 2, 17, 59, TimeSpan.Zero), Beijing);

        Assert.Equal(new DateTime(2026, 7, 1, 10, 17, 0), local);
    }
}
