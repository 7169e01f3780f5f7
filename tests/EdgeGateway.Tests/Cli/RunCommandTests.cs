using EdgeGateway.Cli;
using EdgeGateway.Tests.TestSupport;

namespace EdgeGateway.Tests.Cli;

public sealed class RunCommandTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Run_ValidConfig_StartsAndExitsZeroOnSigterm()
    {
        var (stdout, stderr) = await RunUntilSigtermAsync(shell: null);

        Assert.Contains("Station bench-01 stopping", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("<6>", stdout, StringComparison.Ordinal);
        Assert.Equal("", stderr);
    }

    [Fact]
    public async Task Run_UnderSystemd_LogsInJournaldFormatAndExitsZeroOnSigterm()
    {
        // The host decides it runs under systemd when its parent process is named systemd.
        using var bin = new TempDirectory();
        var systemd = bin.File("systemd");
        File.Copy("/bin/bash", systemd);

        var (stdout, _) = await RunUntilSigtermAsync(systemd);

        // journald's syslog priority prefix (<6> = informational), no console timestamp: the journal keeps time;
        // the category is its short name.
        Assert.Contains("<6>StationLifecycleLog[1]: Station bench-01 started", stdout, StringComparison.Ordinal);
        Assert.Contains("<6>StationLifecycleLog[2]: Station bench-01 stopping", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("Content root path", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_InvalidConfig_PrintsLocatedErrorsAndExitsTwo()
    {
        using var dir = new TempDirectory();
        var config = dir.Write("station.yaml", QuietStation.Yaml(dir, QuietStation.ClosedLoopbackPort()).Replace("pin: 27", "pin: -1", StringComparison.Ordinal));

        var (code, stdout, stderr) = await EdgegwProcess.RunAsync("run", "--config", config);

        Assert.Equal(ExitCodes.Usage, code);
        Assert.StartsWith($"{config}:9:18: sensors[0].gpio.pin: -1 is not a GPIO line number\n", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("started", stdout, StringComparison.Ordinal);
    }

    /// <summary>Runs the bench station until it logs "started", sends SIGTERM and asserts exit code 0.</summary>
    private static async Task<(string Stdout, string Stderr)> RunUntilSigtermAsync(string? shell)
    {
        using var dir = new TempDirectory();
        var config = dir.Write("station.yaml", QuietStation.Yaml(dir, QuietStation.ClosedLoopbackPort()));
        using var edgegw = shell is null
            ? EdgegwProcess.Start("run", "--config", config)
            : EdgegwProcess.StartUnder(shell, "run", "--config", config);

        await edgegw.WaitForLineAsync("Station bench-01 started", Patience);
        await edgegw.TerminateAsync();
        var code = await edgegw.WaitForExitAsync(Patience);

        Assert.True(code == ExitCodes.Success, $"exit {code}\nstdout:\n{edgegw.StandardOutput}\nstderr:\n{edgegw.StandardError}");
        return (edgegw.StandardOutput, edgegw.StandardError);
    }
}
