using System.Globalization;
using System.Net;
using System.Net.Sockets;
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
        using var dir = new TempDir();
        var config = dir.Write("station.yaml", BenchStation(dir, ClosedLoopbackPort()));
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
        await File.WriteAllTextAsync(config, BenchStation(dir, ClosedLoopbackPort()).Replace("pin: 27", "pin: -1", StringComparison.Ordinal));
        await edgegw.WaitForLineAsync("refused", Patience);
        status = await StatusJsonAsync(socket);
        Assert.Equal(hash, status["config"]!["hash"]!.GetValue<string>());
        var errors = status["config"]!["rejected"]!["errors"]!.AsArray().Select(e => e!.GetValue<string>()).ToList();
        Assert.Contains($"{config}:9:18: sensors[0].gpio.pin: -1 is not a GPIO line number", errors);
        var text = await EdgegwProcess.RunAsync("status", "--socket", socket);
        Assert.Equal(ExitCodes.Success, text.ExitCode);
        Assert.Contains("last reload REFUSED", text.Stdout, StringComparison.Ordinal);

        // systemctl reload: SIGHUP re-reads (still broken: no second event) and the service lives on.
        using (var kill = System.Diagnostics.Process.Start("kill", ["-HUP", edgegw.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        await edgegw.WaitForLineAsync("unchanged (SIGHUP)", Patience);
        await edgegw.TerminateAsync();
        Assert.Equal(ExitCodes.Success, await edgegw.WaitForExitAsync(Patience));
    }

    [Fact]
    public async Task Status_NoService_ExitsOne()
    {
        using var dir = new TempDir();

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

    // A station with nothing to touch on this machine: simulated GPIO, files under the test's own
    // directory, and an uplink aimed at a loopback port nobody listens on.
    private static string BenchStation(TempDir dir, int mqttPort) => $$"""
        station: { id: bench-01 }
        hardware:
          gpio: { driver: simulated }
        control: { socket: {{dir.File("control.sock")}} }
        storage: { path: {{dir.File("data")}}, queueLimit: 1MB }
        sensors:
          - id: flood-switch
            kind: digital
            gpio: { pin: 27, pull: up, activeLow: true }
        alerting:
          levels: [ { id: evacuate, severity: Extreme } ]
          rules:
            - { id: flood, sensor: flood-switch, when: active, level: evacuate }
        uplink:
          mqtt: { host: 127.0.0.1, port: {{mqttPort}}, prefix: ews }
          telemetry: 60s
        """;

    private static int ClosedLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
