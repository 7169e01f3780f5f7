namespace EdgeGateway.Tests.Hosting.Watchdog;

/// <summary>
/// <c>edgegw run</c> started the way systemd starts it for Type=notify with WatchdogSec: a notify
/// socket (here a datagram socket of the test's) and WATCHDOG_USEC/WATCHDOG_PID in the environment.
/// </summary>
public sealed class RunUnderSystemdTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Run_NotifySocketAndWatchdogUsec_ReadyThenPingsThenStopping()
    {
        using var dir = new TempDirectory();
        using var notify = new FakeNotifySocket();
        var config = new StationYaml("bench-02", dir)
            .DigitalSensor("flood-switch", 27)
            .Alerting("{ id: evacuate, severity: Extreme }", "{ id: flood, sensor: flood-switch, when: active, level: evacuate }")
            .Write();
        // 2 s: a ping every second. No WATCHDOG_PID: systemd sets it only when the PID is not the main one's.
        await using var process = EdgegwProcess.Start(
            ["run", "--config", config],
            new Dictionary<string, string> { ["NOTIFY_SOCKET"] = notify.SocketPath, ["WATCHDOG_USEC"] = "2000000" });
        await notify.WaitForAsync("READY=1", Patience);
        await notify.WaitForAsync("WATCHDOG=1", Patience);
        await notify.WaitForAsync("WATCHDOG=1", Patience);

        await process.TerminateAsync();

        await notify.WaitForAsync("STOPPING=1", Patience);
        Assert.Equal(0, await process.WaitForExitAsync(Patience));
    }
}
