using EdgeGateway.Acquisition;
using EdgeGateway.Acquisition.History;
using EdgeGateway.Cli;
using EdgeGateway.Core.Readings;

namespace EdgeGateway.Tests.Cli;

public sealed class SimGpioCommandTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task SimGpio_PulsesIntoRunningStation_TipsCountedAndKeptInHistory()
    {
        using var dir = new TempDirectory();
        Directory.CreateDirectory(dir.File("data"));
        var config = dir.Write("station.yaml", $$"""
            station: { id: bench-02 }
            hardware:
              gpio: { driver: simulated }
            control: { socket: {{dir.File("control.sock")}} }
            storage: { path: {{dir.File("data")}} }
            sensors:
              - id: rain-gauge
                kind: rain-pulse
                unit: mm
                gpio: { pin: 17, edge: falling, pull: up, debounce: 25ms }
                mmPerTip: 0.5
            alerting:
              levels: [ { id: watch, severity: Moderate } ]
              rules:
                - { id: rain-1h, sensor: rain-gauge, measure: { sum: 1h }, above: { watch: 20 } }
            """);
        using (var edgegw = EdgegwProcess.Start("run", "--config", config))
        {
            await edgegw.WaitForLineAsync("Station bench-02 started", Patience);

            var (code, stdout, stderr) = await EdgegwProcess.RunAsync("sim", "gpio", "17", "pulse", "--count", "6", "--interval", "100ms", "--config", config);
            Assert.True(code == ExitCodes.Success, stderr);
            Assert.Equal("line 17: 6 pulses sent, now high\n", stdout);

            var (badCode, _, badErr) = await EdgegwProcess.RunAsync("sim", "gpio", "17", "pulse", "--interval", "fast", "--config", config);
            Assert.Equal(ExitCodes.Usage, badCode);
            Assert.Contains("--interval 'fast' is not a duration", badErr, StringComparison.Ordinal);

            await edgegw.TerminateAsync();
            Assert.Equal(ExitCodes.Success, await edgegw.WaitForExitAsync(Patience));
        }

        // The tips went through acquisition into the history the next start rebuilds its windows from.
        using var history = new ReadingHistory(new HistoryOptions { Path = dir.File("data/history.db") }, TimeProvider.System);
        var tips = history.LoadRecent(TimeSpan.FromHours(1))["rain-gauge"];
        Assert.Equal(6, tips.Count);
        Assert.All(tips, t => Assert.Equal(new { Value = 0.5, Quality = Quality.Good }, new { t.Value, t.Quality }));
    }

    [Fact]
    public async Task SimGpio_ServiceNotRunning_ExitsOne()
    {
        using var dir = new TempDirectory();

        var (code, _, stderr) = await EdgegwProcess.RunAsync("sim", "gpio", "17", "low", "--socket", dir.File("absent.sock"));

        Assert.Equal(ExitCodes.Failure, code);
        Assert.Contains($"no such socket {dir.File("absent.sock")}", stderr, StringComparison.Ordinal);
    }
}
