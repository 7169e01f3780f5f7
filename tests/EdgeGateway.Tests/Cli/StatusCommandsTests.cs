using System.Text.Json.Nodes;
using EdgeGateway.Cli;
using EdgeGateway.Hosting.Reload;
using EdgeGateway.Tests.TestSupport;

namespace EdgeGateway.Tests.Cli;

/// <summary><c>edgegw run</c> as systemd runs it, then <c>edgegw status</c>, SIGHUP and a broken reload.</summary>
public sealed class StatusCommandsTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Status_RunningStation_ShowsStateThenARefusedReloadWithTheOldConfigInForce()
    {
        using var dir = new TempDirectory();
        var config = dir.Write("station.yaml", QuietStation.Yaml(dir, QuietStation.ClosedLoopbackPort()));
        var socket = dir.File("control.sock");
        using var edgegw = EdgegwProcess.Start("run", "--config", config);
        await edgegw.WaitForLineAsync("Station bench-01 started", Patience);

        var status = await StatusJsonAsync(socket);

        Assert.Equal("bench-01", status["station"]!.GetValue<string>());
        Assert.Equal("none", status["stationLevel"]!.GetValue<string>());
        Assert.Equal(StationConfigMonitor.Hash(await File.ReadAllBytesAsync(config)), status["config"]!["hash"]!.GetValue<string>());
        Assert.Null(status["config"]!["rejected"]);
        Assert.Equal("flood", status["rules"]!.AsArray().Single()!["id"]!.GetValue<string>());
        Assert.NotNull(status["uplink"]!["queueDepth"]);
        Assert.True(status["health"]!["uptimeSeconds"]!.GetValue<long>() >= 0);
        Assert.True(status["health"]!["diskFreeBytes"]!.GetValue<long>() > 0);
        Assert.True(status["health"]!["memAvailableBytes"]!.GetValue<long>() > 0);

        // A broken save: refused, the old configuration stays, status says why.
        var hash = status["config"]!["hash"]!.GetValue<string>();
        await File.WriteAllTextAsync(config, QuietStation.Yaml(dir, QuietStation.ClosedLoopbackPort()).Replace("pin: 27", "pin: -1", StringComparison.Ordinal));
        await edgegw.WaitForLineAsync(" refused (", Patience);
        status = await StatusJsonAsync(socket);
        Assert.Equal(hash, status["config"]!["hash"]!.GetValue<string>());
        var errors = status["config"]!["rejected"]!["errors"]!.AsArray().Select(e => e!.GetValue<string>()).ToList();
        Assert.Contains($"{config}:9:18: sensors[0].gpio.pin: -1 is not a GPIO line number", errors);
        var text = await EdgegwProcess.RunAsync("status", "--socket", socket);
        Assert.Equal(ExitCodes.Success, text.ExitCode);
        Assert.Contains("last reload REFUSED", text.Stdout, StringComparison.Ordinal);

        // systemctl reload: SIGHUP re-reads (still broken: no second event) and the service lives on.
        await edgegw.SignalAsync("HUP");

        await edgegw.WaitForLineAsync("unchanged (SIGHUP)", Patience);
        await edgegw.TerminateAsync();
        Assert.Equal(ExitCodes.Success, await edgegw.WaitForExitAsync(Patience));
    }

    [Fact]
    public async Task Status_NoService_ExitsOne()
    {
        using var dir = new TempDirectory();

        var (code, _, stderr) = await EdgegwProcess.RunAsync("status", "--socket", dir.File("control.sock"));

        Assert.Equal(ExitCodes.Failure, code);
        Assert.NotEqual("", stderr);
    }

    private static async Task<JsonObject> StatusJsonAsync(string socket)
    {
        var (code, stdout, stderr) = await EdgegwProcess.RunAsync("status", "--socket", socket, "--json");
        Assert.True(code == ExitCodes.Success, $"exit {code}: {stderr}");
        return JsonNode.Parse(stdout)!.AsObject();
    }
}
