using EdgeGateway.Hosting.Watchdog;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace EdgeGateway.Tests.Hosting.Watchdog;

public sealed class SystemdWatchdogServiceTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan WatchdogSec = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan PingInterval = WatchdogSec / 2;

    [Fact]
    public async Task Pings_LoopHangs_StopAndNameTheLoopThenResumeWhenItRecovers()
    {
        using var notify = new FakeNotifySocket();
        var time = new FakeTimeProvider();
        var logs = new ListLoggerProvider();
        using var host = BuildHost(notify, time, logs, new WatchdogSettings(WatchdogSec));
        var monitor = host.Services.GetRequiredService<ProgressMonitor>();
        var watchdog = host.Services.GetRequiredService<SystemdWatchdogService>();
        using var bus = monitor.Register("bus:rs485", TimeSpan.FromSeconds(40));
        using var rules = monitor.Register("rules", TimeSpan.FromSeconds(40));

        var firstCheck = NextCheck(watchdog);
        await host.StartAsync();
        await firstCheck.WaitAsync(Wait);
        await notify.WaitForAsync("READY=1", Wait);
        await notify.WaitForAsync("WATCHDOG=1", Wait);

        // Healthy: both loops beat every turn, a ping goes out at every interval.
        for (var i = 0; i < 3; i++)
        {
            bus.Beat();
            rules.Beat();
            var stalled = await AdvanceOneIntervalAsync(time, watchdog);
            Assert.Empty(stalled);
            Assert.Contains("WATCHDOG=1", notify.Drain());
        }

        // The bus scheduler hangs after its last beat: 30 s of silence is within its 40 s allowance, 45 s is not.
        rules.Beat();
        Assert.Empty(await AdvanceOneIntervalAsync(time, watchdog));
        Assert.Equal(["WATCHDOG=1"], notify.Drain());
        rules.Beat();
        var hung = await AdvanceOneIntervalAsync(time, watchdog);
        Assert.Equal("bus:rs485", Assert.Single(hung).Name);
        var sent = notify.Drain();
        Assert.DoesNotContain("WATCHDOG=1", sent);
        Assert.Contains(sent, m => m.StartsWith("STATUS=", StringComparison.Ordinal) && m.Contains("bus:rs485", StringComparison.Ordinal));
        Assert.Contains(logs.Lines, l => l.StartsWith("Critical:", StringComparison.Ordinal) && l.Contains("bus:rs485", StringComparison.Ordinal));

        // No ping for as long as it stays hung: systemd's 30 s run out and it restarts the service.
        for (var i = 0; i < 3; i++)
        {
            rules.Beat();
            Assert.NotEmpty(await AdvanceOneIntervalAsync(time, watchdog));
            Assert.Empty(notify.Drain());
        }

        // Back to work (e.g. a blocked read finally timed out): pings resume.
        bus.Beat();
        rules.Beat();
        Assert.Empty(await AdvanceOneIntervalAsync(time, watchdog));
        Assert.Equal(["STATUS=running", "WATCHDOG=1"], notify.Drain());

        await host.StopAsync();
        Assert.Contains("STOPPING=1", notify.Drain());
    }

    [Fact]
    public async Task Pings_LoopEndsWithoutDisposingItsHeartbeat_Stop()
    {
        using var notify = new FakeNotifySocket();
        var time = new FakeTimeProvider();
        using var host = BuildHost(notify, time, new ListLoggerProvider(), new WatchdogSettings(WatchdogSec));
        var monitor = host.Services.GetRequiredService<ProgressMonitor>();
        var watchdog = host.Services.GetRequiredService<SystemdWatchdogService>();
        var broadcaster = monitor.Register("broadcaster", TimeSpan.FromSeconds(10));
        using var orderly = monitor.Register("uplink", TimeSpan.FromSeconds(10));
        orderly.Dispose(); // an orderly end: no longer watched

        var firstCheck = NextCheck(watchdog);
        await host.StartAsync();
        await firstCheck.WaitAsync(Wait);
        await notify.WaitForAsync("WATCHDOG=1", Wait);

        var stalled = await AdvanceOneIntervalAsync(time, watchdog);

        Assert.Equal(["broadcaster"], stalled.Select(s => s.Name));
        Assert.DoesNotContain("WATCHDOG=1", notify.Drain());
        broadcaster.Dispose();
        await host.StopAsync();
    }

    [Fact]
    public async Task ExecuteAsync_NoWatchdogRequested_SendsNoPing()
    {
        using var notify = new FakeNotifySocket();
        var time = new FakeTimeProvider();
        var logs = new ListLoggerProvider();
        using var host = BuildHost(notify, time, logs, WatchdogSettings.Disabled);
        var watchdog = host.Services.GetRequiredService<SystemdWatchdogService>();

        await host.StartAsync();
        await notify.WaitForAsync("READY=1", Wait);
        await watchdog.ExecuteTask!.WaitAsync(Wait);
        time.Advance(TimeSpan.FromMinutes(5));

        Assert.True(watchdog.ExecuteTask.IsCompletedSuccessfully);
        Assert.DoesNotContain("WATCHDOG=1", notify.Drain());
        Assert.Contains(logs.Lines, l => l.Contains("watchdog not requested", StringComparison.Ordinal));
        await host.StopAsync();
    }

    private static IHost BuildHost(FakeNotifySocket notify, FakeTimeProvider time, ListLoggerProvider logs, WatchdogSettings settings)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Logging.AddProvider(logs);
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Services.AddSingleton<ISystemdNotifier>(notify.CreateNotifier());
        builder.Services.AddSingleton(settings);
        // What AddSystemd() registers when systemd starts the process: READY=1 once started, STOPPING=1.
        builder.Services.AddSingleton<IHostLifetime, SystemdLifetime>();
        builder.Services.AddStationWatchdog();
        return builder.Build();
    }

    private static Task<IReadOnlyList<LoopProgress>> NextCheck(SystemdWatchdogService watchdog)
    {
        var checkedOnce = new TaskCompletionSource<IReadOnlyList<LoopProgress>>(TaskCreationOptions.RunContinuationsAsynchronously);
        void Handler(IReadOnlyList<LoopProgress> stalled)
        {
            watchdog.Checked -= Handler;
            checkedOnce.TrySetResult(stalled);
        }

        watchdog.Checked += Handler;
        return checkedOnce.Task;
    }

    private static async Task<IReadOnlyList<LoopProgress>> AdvanceOneIntervalAsync(FakeTimeProvider time, SystemdWatchdogService watchdog)
    {
        var next = NextCheck(watchdog);
        time.Advance(PingInterval);
        return await next.WaitAsync(Wait);
    }
}
