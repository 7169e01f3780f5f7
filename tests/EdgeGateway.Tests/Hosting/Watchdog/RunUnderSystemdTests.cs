using System.Diagnostics;

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
        var config = dir.Write("station.yaml", $$"""
            station: { id: bench-02 }
            hardware:
              gpio: { driver: simulated }
            control: { socket: {{dir.File("control.sock")}} }
            storage: { path: {{dir.File("data")}} }
            sensors:
              - id: flood-switch
                kind: digital
                gpio: { pin: 27, pull: up, activeLow: true }
            alerting:
              levels: [ { id: evacuate, severity: Extreme } ]
              rules:
                - { id: flood, sensor: flood-switch, when: active, level: evacuate }
            """);
        var psi = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "edgegw.dll"));
        psi.ArgumentList.Add("run");
        psi.ArgumentList.Add("--config");
        psi.ArgumentList.Add(config);
        psi.Environment["NOTIFY_SOCKET"] = notify.SocketPath;
        // 2 s: a ping every second. No WATCHDOG_PID: systemd sets it only when the PID is not the main one's.
        psi.Environment["WATCHDOG_USEC"] = "2000000";
        psi.Environment.Remove("WATCHDOG_PID");
        psi.Environment.Remove("INVOCATION_ID");
        using var process = Process.Start(psi)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await notify.WaitForAsync("READY=1", Patience);
            await notify.WaitForAsync("WATCHDOG=1", Patience);
            await notify.WaitForAsync("WATCHDOG=1", Patience);

            using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!)
            {
                await kill.WaitForExitAsync();
            }

            await notify.WaitForAsync("STOPPING=1", Patience);
            await process.WaitForExitAsync().WaitAsync(Patience);
            Assert.Equal(0, process.ExitCode);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }
}
