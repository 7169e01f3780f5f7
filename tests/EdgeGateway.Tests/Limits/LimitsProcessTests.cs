using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using EdgeGateway.Cli;
using EdgeGateway.Control;
using EdgeGateway.Tests.TestSupport;

namespace EdgeGateway.Tests.Limits;

/// <summary>
/// Hostile input to a running <c>edgegw</c> (a flood of control connections, a WAV that claims an hour at
/// 1 Hz, a YAML alias bomb) neither stops it nor grows it past 150 MB.
/// </summary>
[Trait("Category", "Faults")]
public sealed class LimitsProcessTests
{
    private const double PeakLimitMiB = 150;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task ControlSocket_200IdleConnections_17thOnRefusedStatusStillAnswersMemoryAndLogBounded()
    {
        using var dir = new TempDirectory();
        var config = dir.Write("station.yaml", QuietStation.Yaml(dir, QuietStation.ClosedLoopbackPort()));
        await using var edgegw = EdgegwProcess.Start("run", "--config", config);
        await edgegw.WaitForLineAsync("Station bench-01 started", Patience);

        using var flood = await IdleClients.ConnectAsync(dir, 200);

        // The first 16 are being served (waiting for their request line); every later one is told and closed.
        var answers = await Task.WhenAll(flood.Sockets.Select(s => ReadAllAsync(s, TimeSpan.FromSeconds(30))));
        var refused = answers.Count(a => a.Contains("too many clients", StringComparison.Ordinal));
        Assert.Equal(200 - ControlServer.MaxClients, refused);

        // The idle ones lose their places after the request-line timeout: the CLI gets through.
        var status = await StatusWhenServedAsync(dir);
        Assert.Equal("bench-01", status["station"]!.GetValue<string>());
        Assert.True(PeakMemory.OfRunning(edgegw.Id) < PeakLimitMiB, $"peak RSS {PeakMemory.OfRunning(edgegw.Id):0} MiB");
        Assert.InRange(LinesWith(edgegw, "Control socket full"), 1, 2);
    }

    [Fact]
    public async Task ControlSocket_OutOfFileDescriptors_AcceptBacksOffOneLogLineStatusAnswersAfterwards()
    {
        using var dir = new TempDirectory();
        var config = dir.Write("station.yaml", QuietStation.Yaml(dir, QuietStation.ClosedLoopbackPort()));
        await using var edgegw = EdgegwProcess.Start("run", "--config", config);
        await edgegw.WaitForLineAsync("Station bench-01 started", Patience);
        // The uplink's first attempt at its (closed) broker loads what a connection needs; starved before
        // that, the runtime itself cannot load an assembly and aborts, which is not what this test is about.
        await edgegw.WaitForLineAsync("Uplink connection to", Patience);

        // Leave the process room for six more descriptors: the idle clients below take them, and every
        // accept after that fails with EMFILE.
        var open = Directory.GetFiles($"/proc/{edgegw.Id}/fd").Length;
        var original = File.ReadLines($"/proc/{edgegw.Id}/limits").Single(l => l.StartsWith("Max open files", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[3];
        await SetOpenFileLimitAsync(edgegw.Id, (open + 6).ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var flood = await IdleClients.ConnectAsync(dir, 8);
        await edgegw.WaitForLineAsync("Control socket accept failed", Patience);

        // Descriptors come back (the whole process was starved, not only the socket): it serves again.
        await SetOpenFileLimitAsync(edgegw.Id, original);
        var status = await StatusWhenServedAsync(dir);

        Assert.Equal("bench-01", status["station"]!.GetValue<string>());
        Assert.InRange(LinesWith(edgegw, "Control socket accept failed"), 1, 2);
    }

    [Fact]
    public async Task WavBomb_ConfiguredAsMessage_ValidateFlagsItsLineRunKeepsRunningMessageUnavailable()
    {
        using var dir = new TempDirectory();
        await File.WriteAllBytesAsync(dir.File("bomb.wav"), WavBomb());
        var config = dir.Write("station.yaml", BroadcastStation(dir, dir.File("bomb.wav")));
        var fileLine = File.ReadAllLines(config).ToList().FindIndex(l => l.Contains("bomb.wav", StringComparison.Ordinal)) + 1;

        var validate = await PeakMemory.RunAsync(Patience, "config", "validate", config);
        Assert.Equal(ExitCodes.Usage, validate.ExitCode);
        Assert.Contains($"{config}:{fileLine}:", validate.Stderr, StringComparison.Ordinal);
        Assert.Contains("sample rate 1 Hz", validate.Stderr, StringComparison.Ordinal);
        Assert.True(validate.PeakMiB < PeakLimitMiB, $"validate peak RSS {validate.PeakMiB:0} MiB");

        await using var edgegw = EdgegwProcess.Start("run", "--config", config);
        await edgegw.WaitForLineAsync("Station bench-04 started", Patience);
        await edgegw.WaitForLineAsync("sample rate 1 Hz", Patience);

        var status = await StatusWhenServedAsync(dir);
        var problems = status["broadcast"]!["problems"]!.AsArray().Select(p => p!.GetValue<string>()).ToList();
        Assert.Contains(problems, p => p.StartsWith("message prepare:", StringComparison.Ordinal) && p.Contains("1 Hz", StringComparison.Ordinal));
        Assert.True(PeakMemory.OfRunning(edgegw.Id) < PeakLimitMiB, $"run peak RSS {PeakMemory.OfRunning(edgegw.Id):0} MiB");
        Assert.Equal(ExitCodes.Success, await edgegw.TerminateAsync(Patience));
    }

    [Fact]
    public async Task YamlBomb_Validate_RefusedFastBoundedErrorsSmallPeak()
    {
        using var dir = new TempDirectory();
        var bomb = dir.Write("bomb.yaml", BillionLaughs());
        Assert.InRange(new FileInfo(bomb).Length, 30_000, 40_000);

        var result = await PeakMemory.RunAsync(Patience, "config", "validate", bomb);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("aliases may not multiply the file", result.Stderr, StringComparison.Ordinal);
        Assert.InRange(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length, 1, ConfigurationLimits.MaxPrinted + 1);
        Assert.True(result.PeakMiB < PeakLimitMiB, $"peak RSS {result.PeakMiB:0} MiB");
        Assert.True(result.Elapsed < TimeSpan.FromSeconds(20), $"took {result.Elapsed}");
    }

    [Fact]
    public async Task YamlBomb_WrittenWhileRunning_ReloadRefusesItStationKeepsItsConfiguration()
    {
        using var dir = new TempDirectory();
        var config = dir.Write("station.yaml", QuietStation.Yaml(dir, QuietStation.ClosedLoopbackPort()));
        await using var edgegw = EdgegwProcess.Start("run", "--config", config);
        await edgegw.WaitForLineAsync("Station bench-01 started", Patience);
        var before = await StatusWhenServedAsync(dir);

        await File.WriteAllTextAsync(config, BillionLaughs());
        await edgegw.WaitForLineAsync(" refused (", Patience);

        var after = await StatusWhenServedAsync(dir);
        Assert.Equal(before["config"]!["hash"]!.GetValue<string>(), after["config"]!["hash"]!.GetValue<string>());
        var errors = after["config"]!["rejected"]!["errors"]!.AsArray();
        Assert.InRange(errors.Count, 1, ConfigurationLimits.MaxPrinted + 1);
        Assert.Contains(errors, e => e!.GetValue<string>().Contains("aliases may not multiply the file", StringComparison.Ordinal));
        Assert.Equal("bench-01", after["station"]!.GetValue<string>());
        Assert.True(PeakMemory.OfRunning(edgegw.Id) < PeakLimitMiB, $"peak RSS {PeakMemory.OfRunning(edgegw.Id):0} MiB");
    }

    private static int LinesWith(TestProcess edgegw, string text) =>
        edgegw.StandardOutput.Split('\n').Count(l => l.Contains(text, StringComparison.Ordinal));

    // The soft limit only: the hard one may not be raised again without CAP_SYS_RESOURCE.
    private static async Task SetOpenFileLimitAsync(int pid, string limit)
    {
        var (code, _, stderr) = await Packaging.ScriptRunner.RunAsync(
            "prlimit", ["--pid", pid.ToString(System.Globalization.CultureInfo.InvariantCulture), $"--nofile={limit}:"], Patience);
        Assert.True(code == 0, stderr);
    }

    /// <summary>A 4 KB WAV whose header claims 1 Hz mono 16-bit and a data chunk of 4 GB.</summary>
    internal static byte[] WavBomb()
    {
        var wav = new byte[4096];
        "RIFF"u8.CopyTo(wav);
        BinaryPrimitives.WriteUInt32LittleEndian(wav.AsSpan(4), uint.MaxValue);
        "WAVEfmt "u8.CopyTo(wav.AsSpan(8));
        BinaryPrimitives.WriteUInt32LittleEndian(wav.AsSpan(16), 16);
        BinaryPrimitives.WriteUInt16LittleEndian(wav.AsSpan(20), 1);   // PCM
        BinaryPrimitives.WriteUInt16LittleEndian(wav.AsSpan(22), 1);   // mono
        BinaryPrimitives.WriteUInt32LittleEndian(wav.AsSpan(24), 1);   // 1 Hz
        BinaryPrimitives.WriteUInt32LittleEndian(wav.AsSpan(28), 2);
        BinaryPrimitives.WriteUInt16LittleEndian(wav.AsSpan(32), 2);
        BinaryPrimitives.WriteUInt16LittleEndian(wav.AsSpan(34), 16);
        "data"u8.CopyTo(wav.AsSpan(36));
        BinaryPrimitives.WriteUInt32LittleEndian(wav.AsSpan(40), uint.MaxValue - 64);
        return wav;
    }

    /// <summary>
    /// About 33 KB of station.yaml whose sensors list, through nine levels of ten aliases each, stands for
    /// a billion invalid sensors.
    /// </summary>
    internal static string BillionLaughs()
    {
        var yaml = new StringBuilder("station: { id: bomb-01 }\n");
        yaml.Append("l0: &l0 [");
        yaml.AppendJoin(", ", Enumerable.Range(0, 10).Select(i => $"{{ id: s{i}, kind: no-such-kind, extra: {new string('x', 3000)} }}"));
        yaml.Append("]\n");
        for (var level = 1; level <= 9; level++)
        {
            yaml.Append($"l{level}: &l{level} [");
            yaml.AppendJoin(", ", Enumerable.Repeat($"*l{level - 1}", 10));
            yaml.Append("]\n");
        }

        yaml.Append("sensors: *l9\nalerting: { levels: [ { id: evacuate } ], rules: [] }\n");
        return yaml.ToString();
    }

    private static string BroadcastStation(TempDirectory dir, string clip) => new StationYaml("bench-04", dir)
        .DigitalSensor("flood-switch", 27)
        .Alerting("{ id: prepare, severity: Severe, broadcast: { message: prepare, repeat: 1 } }",
            "{ id: flood, sensor: flood-switch, when: active, level: prepare }")
        .Broadcast(dir.File("broadcast.wav"), $"messages:\n  prepare:\n    file: {clip}")
        .ToString();

    // By socket, not --config: the file may be the bomb the station refused.
    private static async Task<JsonObject> StatusWhenServedAsync(TempDirectory dir)
    {
        var deadline = DateTimeOffset.UtcNow + Patience;
        while (true)
        {
            var (code, stdout, stderr) = await EdgegwProcess.RunAsync("status", "--json", "--socket", dir.File("control.sock"));
            if (code == ExitCodes.Success)
            {
                return JsonNode.Parse(stdout)!.AsObject();
            }

            // Only "the socket is full" is worth another try; anything else is the answer.
            Assert.True(stderr.Contains("too many clients", StringComparison.Ordinal) && DateTimeOffset.UtcNow < deadline, stderr);
        }
    }

    private static async Task<string> ReadAllAsync(Socket socket, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var buffer = new byte[512];
        var text = new StringBuilder();
        try
        {
            int n;
            while ((n = await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token)) > 0)
            {
                text.Append(Encoding.UTF8.GetString(buffer, 0, n));
            }
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
        }

        return text.ToString();
    }

    private static class ConfigurationLimits
    {
        /// <summary>Problems printed at most, plus the "... and N more" line.</summary>
        public const int MaxPrinted = EdgeGateway.Configuration.ConfigLoadResult.MaxErrorsKept;
    }

    /// <summary>Connections to the control socket that never send a request.</summary>
    private sealed class IdleClients : IDisposable
    {
        public List<Socket> Sockets { get; } = [];

        public static async Task<IdleClients> ConnectAsync(TempDirectory dir, int count)
        {
            var clients = new IdleClients();
            for (var i = 0; i < count; i++)
            {
                var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                clients.Sockets.Add(s);
                // Blocking: with the listen backlog full the kernel holds the connect until the server has
                // accepted (or turned away) the ones before it.
                await Task.Run(() => s.Connect(new UnixDomainSocketEndPoint(dir.File("control.sock"))));
            }

            return clients;
        }

        public void Dispose()
        {
            foreach (var s in Sockets)
            {
                s.Dispose();
            }
        }
    }
}
