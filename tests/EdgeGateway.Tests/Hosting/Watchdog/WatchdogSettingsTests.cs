using EdgeGateway.Hosting.Watchdog;

namespace EdgeGateway.Tests.Hosting.Watchdog;

public sealed class WatchdogSettingsTests
{
    [Theory]
    [InlineData("30000000", null, 30.0)]
    [InlineData("30000000", "4242", 30.0)]
    [InlineData("30000000", "1", null)]
    [InlineData("0", null, null)]
    [InlineData("-5", null, null)]
    [InlineData("soon", null, null)]
    [InlineData(null, "4242", null)]
    public void FromVariables_SystemdEnvironment_TimeoutForThisProcessOnly(string? usec, string? pid, double? expectedSeconds)
    {
        var variables = new Dictionary<string, string?> { ["WATCHDOG_USEC"] = usec, ["WATCHDOG_PID"] = pid };

        var settings = WatchdogSettings.FromVariables(name => variables.GetValueOrDefault(name), processId: 4242);

        Assert.Equal(expectedSeconds, settings.Timeout?.TotalSeconds);
        Assert.Equal(expectedSeconds is not null, settings.Enabled);
        if (expectedSeconds is { } seconds)
        {
            Assert.Equal(TimeSpan.FromSeconds(seconds / 2), settings.PingInterval);
        }
    }
}
