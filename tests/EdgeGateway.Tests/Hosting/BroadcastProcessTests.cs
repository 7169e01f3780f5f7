using System.Text.Json.Nodes;
using EdgeGateway.Cli;
using EdgeGateway.Control;
using EdgeGateway.Hardware.Audio;
using EdgeGateway.Tests.TestSupport;

namespace EdgeGateway.Tests.Hosting;

/// <summary>
/// The real <c>edgegw run</c> process with simulated GPIO and a WAV timeline: broadcasts through the control
/// socket and the CLI, and SIGTERM in the middle of one. The simulated chip lives inside the service, so
/// the relay lines are checked through what the service reads back from its driver at shutdown (logged)
/// and through <c>broadcast.status</c> while it runs.
/// </summary>
public sealed class BroadcastProcessTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Run_SigtermMidBroadcast_AmplifierReadsLowAndBroadcastReportedAsShutdown()
    {
        using var dir = new TempDirectory();
        var socket = dir.File("control.sock");
        using var edgegw = EdgegwProcess.Start("run", "--config", WriteStation(dir));
        await edgegw.WaitForLineAsync("Control socket listening", Patience);

        var queued = await ControlClient.SendAsync(socket, "broadcast.play", new JsonObject { ["message"] = "long", ["actor"] = "test" }, Patience);
        Assert.Equal(true, queued?["accepted"]?.GetValue<bool>());
        var playing = await WaitForStatusAsync(socket, s => s["phase"]?.GetValue<string>() == "playing");
        Assert.Equal(true, playing["amplifier"]?.GetValue<bool>());
        Assert.Equal(true, playing["zones"]?["village"]?.GetValue<bool>());

        await edgegw.TerminateAsync();
        var code = await edgegw.WaitForExitAsync(Patience);

        var stdout = edgegw.StandardOutput;
        Assert.True(code == ExitCodes.Success, $"exit {code}\n{stdout}\n{edgegw.StandardError}");
        Assert.Contains("Broadcast relays at shutdown: amplifier GPIO 5 = Low, zone village GPIO 6 = Low", stdout, StringComparison.Ordinal);
        Assert.Contains("Broadcast long ended: shutdown", stdout, StringComparison.Ordinal);
        // The timeline holds what played before the signal: some of the 30 s clip, not all of it.
        var played = WavFile.Read(dir.File("timeline.wav"), "timeline").Duration;
        Assert.InRange(played, TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(29));
    }

    [Fact]
    public async Task Cli_PlayStopAndRefusals_ExitCodesAndAnswers()
    {
        using var dir = new TempDirectory();
        var socket = dir.File("control.sock");
        var config = WriteStation(dir);
        using var edgegw = EdgegwProcess.Start("run", "--config", config);
        await edgegw.WaitForLineAsync("Control socket listening", Patience);

        var play = await EdgegwProcess.RunAsync("broadcast", "play", "long", "--config", config, "--json");
        await WaitForStatusAsync(socket, s => s["amplifier"]?.GetValue<bool>() == true);
        // The simulated chip's write history shows the amplifier relay (line 5) closing.
        var writes = await ControlClient.SendAsync(socket, "sim.gpio.outputs", null, Patience);
        Assert.Contains(writes!["writes"]!.AsArray(), w => w!["line"]!.GetValue<int>() == 5 && w["level"]!.GetValue<string>() == "high");
        var stop = await EdgegwProcess.RunAsync("broadcast", "stop", "--socket", socket);
        var unknown = await EdgegwProcess.RunAsync("broadcast", "play", "tsunami", "--socket", socket);
        var usage = await EdgegwProcess.RunAsync("broadcast", "say", "测试", "--repeat", "0", "--socket", socket);
        var notRunning = await EdgegwProcess.RunAsync("broadcast", "test", "--silent", "--socket", dir.File("nobody.sock"));
        await WaitForStatusAsync(socket, s => s["phase"]?.GetValue<string>() == "idle" && s["amplifier"]?.GetValue<bool>() == false);
        await edgegw.TerminateAsync();
        await edgegw.WaitForExitAsync(Patience);

        Assert.True(play.ExitCode == ExitCodes.Success, play.Stderr);
        Assert.Equal(true, JsonNode.Parse(play.Stdout)?["accepted"]?.GetValue<bool>());
        Assert.Equal(ExitCodes.Success, stop.ExitCode);
        Assert.StartsWith("stopped long; 0 waiting broadcast(s) dropped", stop.Stdout, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Usage, unknown.ExitCode);
        Assert.Contains("no message named 'tsunami'; configured: all-clear, long, test", unknown.Stderr, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Usage, usage.ExitCode);
        Assert.Contains("--repeat must be 1-100", usage.Stderr, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Failure, notRunning.ExitCode);
        Assert.Contains("is edge-gateway running?", notRunning.Stderr, StringComparison.Ordinal);
        // Audited: each act is logged as an operator action.
        Assert.Contains("Operator action broadcast.play by cli:", edgegw.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("Operator action broadcast.stop by cli:", edgegw.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("ok=False no message named 'tsunami'", edgegw.StandardOutput, StringComparison.Ordinal);
    }

    private static async Task<JsonNode> WaitForStatusAsync(string socket, Func<JsonNode, bool> condition)
    {
        JsonNode? last = null;
        await Eventually.TrueAsync(
            async () =>
            {
                last = await ControlClient.SendAsync(socket, "broadcast.status", null, Patience, CancellationToken.None);
                return last is not null && condition(last);
            },
            Patience,
            () => Task.FromResult("broadcast status never matched; last: " + last?.ToJsonString()),
            TimeSpan.FromMilliseconds(50));
        return last!;
    }

    // Simulated GPIO, the timeline WAV and storage in the test's directory; a 30 s clip so SIGTERM lands mid-broadcast.
    private static string WriteStation(TempDirectory dir) =>
        BroadcastStation.Write(dir, "broadcast-01", "long", TimeSpan.FromSeconds(30), "gap: 1s");
}
