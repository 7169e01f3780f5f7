using System.CommandLine;
using EdgeGateway.Cli;
using EdgeGateway.Demo;
using EdgeGateway.Tests.TestSupport;

namespace EdgeGateway.Tests.Cli;

/// <summary>
/// The built <c>edgegw</c> as a technician meets it over SSH: help, mistakes on the command line, a station
/// whose file was just saved broken, and the error texts that must point the right way.
/// </summary>
public sealed class TechnicianCliTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Edgegw_NoArguments_PrintsHelpOnStdoutAndExitsZero()
    {
        var (code, stdout, stderr) = await EdgegwProcess.RunAsync();

        Assert.Equal(ExitCodes.Success, code);
        Assert.Equal("", stderr);
        Assert.Contains("Usage:", stdout, StringComparison.Ordinal);
        Assert.Contains("  status ", stdout, StringComparison.Ordinal);
        Assert.Contains("Examples:", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Edgegw_MistypedVerb_SuggestsTheVerbAndNamesTheHelp()
    {
        var (code, stdout, stderr) = await EdgegwProcess.RunAsync("stauts");

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Equal("", stdout);
        Assert.Equal(
            ["edgegw: 'stauts' is not a command of 'edgegw'; did you mean 'status'?", "See 'edgegw --help'."],
            Lines(stderr));
    }

    [Fact]
    public async Task UsageErrors_NameTheVerbsOwnHelp()
    {
        var option = await EdgegwProcess.RunAsync("status", "--jsno");
        var subverb = await EdgegwProcess.RunAsync("broadcast", "plya", "evacuate");
        var value = await EdgegwProcess.RunAsync("sim", "gpio", "27", "pulse", "--interval", "soon");

        Assert.Equal(ExitCodes.Usage, option.ExitCode);
        Assert.Contains("edgegw: '--jsno': did you mean '--json'?", option.Stderr, StringComparison.Ordinal);
        Assert.EndsWith("See 'edgegw status --help'.", option.Stderr.TrimEnd(), StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Usage, subverb.ExitCode);
        Assert.Equal(
            ["edgegw: 'plya' is not a command of 'edgegw broadcast'; did you mean 'play'?", "See 'edgegw broadcast --help'."],
            Lines(subverb.Stderr));
        Assert.Equal(ExitCodes.Usage, value.ExitCode);
        Assert.Equal(
            ["edgegw: --interval 'soon' is not a duration (" + EdgeGateway.Configuration.ConfigValueText.DurationHint + ")", "See 'edgegw sim gpio --help'."],
            Lines(value.Stderr));
    }

    [Fact]
    public async Task EveryVerbsHelp_EndsWithItsExamples_AndStatesEachDefaultOnce()
    {
        var verbs = Leaves(CliRoot.Build()).ToList();

        var helps = await Task.WhenAll(verbs.Select(v => EdgegwProcess.RunAsync([.. v, "--help"], Patience)));

        Assert.True(verbs.Count >= 15, $"only {verbs.Count} verbs found");
        foreach (var (verb, (code, stdout, _)) in verbs.Zip(helps))
        {
            var name = "edgegw " + string.Join(' ', verb);
            var lines = Lines(stdout);
            Assert.True(code == ExitCodes.Success, $"{name} --help: exit {code}");
            var examples = lines.LastIndexOf("Examples:");
            Assert.True(examples > 0, $"{name} --help has no examples");
            var shown = lines.Skip(examples + 1).ToList();
            Assert.InRange(shown.Count, 1, 2);
            Assert.All(shown, e => Assert.True(e == "  " + name || e.StartsWith("  " + name + " ", StringComparison.Ordinal), $"{name} --help shows another verb's example: {e}"));
            Assert.DoesNotContain(lines, l => l.Contains("[default:", StringComparison.Ordinal) && l.Contains("(default", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task ClientVerbs_ConfigSavedBroken_WarnAndStillReachTheService()
    {
        using var dir = new TempDirectory();
        var config = BroadcastStation.Write(dir, "tech-01", "evacuate", TimeSpan.FromSeconds(1), "selfTest: 0s");
        await using var edgegw = EdgegwProcess.Start("run", "--config", config);
        await edgegw.WaitForLineAsync("Control socket listening", Patience);
        await File.WriteAllTextAsync(config, (await File.ReadAllTextAsync(config)).Replace("pin: 27", "pin: -1", StringComparison.Ordinal));
        await edgegw.WaitForLineAsync(" refused (", Patience);

        var status = await EdgegwProcess.RunAsync("status", "--config", config);
        var stop = await EdgegwProcess.RunAsync("broadcast", "stop", "--config", config);
        var clear = await EdgegwProcess.RunAsync("alert", "clear", "flod", "--config", config);
        var gpio = await EdgegwProcess.RunAsync("sim", "gpio", "99", "high", "--config", config);

        var warning = $"edgegw: warning: {config} is not valid (1 problem, the first {config}:";
        Assert.True(status.ExitCode == ExitCodes.Success, status.Stderr);
        Assert.StartsWith(warning, status.Stderr, StringComparison.Ordinal);
        Assert.Contains($"'edgegw config validate {config}' lists them); using its control.socket {dir.File("control.sock")}", status.Stderr, StringComparison.Ordinal);
        Assert.Contains("last reload REFUSED", status.Stdout, StringComparison.Ordinal);
        Assert.True(stop.ExitCode == ExitCodes.Success, stop.Stderr);
        Assert.Contains("nothing was playing", stop.Stdout, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Usage, clear.ExitCode);
        Assert.Equal(
            [
                Lines(status.Stderr)[0],
                "edgegw: refused (unknown-rule): unknown rule 'flod'; did you mean 'flood'? The station's rules: flood",
                "See 'edgegw alert clear --help'.",
            ],
            Lines(clear.Stderr));
        Assert.Equal(ExitCodes.Failure, gpio.ExitCode);
        Assert.Equal(
            [Lines(status.Stderr)[0], "edgegw: refused: there is no line 99: the simulated chip has lines 0-63; the station's inputs are on 27"],
            Lines(gpio.Stderr));
    }

    [Fact]
    public async Task ClientVerbs_NoService_SayWhichSocketAndWhy()
    {
        using var dir = new TempDirectory();
        var missing = dir.File("control.sock");
        var stale = dir.File("stale.sock");
        // What a killed service leaves behind: a file at the socket's path with nobody listening (connect(2)
        // answers ECONNREFUSED for it as for a dead socket; .NET unlinks a socket it bound when disposed).
        await File.WriteAllTextAsync(stale, "");

        var none = await EdgegwProcess.RunAsync("status", "--socket", missing);
        var dead = await EdgegwProcess.RunAsync("broadcast", "stop", "--socket", stale);

        Assert.Equal(ExitCodes.Failure, none.ExitCode);
        Assert.StartsWith($"edgegw: no such socket {missing} (is edge-gateway running?", none.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Cannot assign requested address", none.Stderr, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Failure, dead.ExitCode);
        Assert.StartsWith($"edgegw: nothing is listening on {stale}: the service is not running", dead.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ModbusRead_MissingRtuDevice_SaysNoSuchDevice()
    {
        using var dir = new TempDirectory();
        var device = dir.File("ttyNOPE");

        var (code, stdout, stderr) = await EdgegwProcess.RunAsync("modbus", "read", "--rtu", device, "--slave", "1", "--table", "holding", "--address", "0");

        Assert.Equal(ExitCodes.Failure, code);
        Assert.Equal("", stdout);
        Assert.Equal([$"edgegw: modbus read: cannot open {device}: no such device (adapter unplugged, or another name?)"], Lines(stderr));
    }

    [Fact]
    public async Task ModbusRead_PortTheUserMayNotOpen_SaysPermissionDenied_AndAFileIsNotASerialPort()
    {
        using var dir = new TempDirectory();
        var port = dir.Write("ttyLOCKED", "");
        File.SetUnixFileMode(dir.Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        File.SetUnixFileMode(port, UnixFileMode.None);
        string[] read = ["modbus", "read", "--slave", "1", "--table", "holding", "--address", "0", "--rtu"];

        // root opens any file, so the refusal is shown to an unprivileged user, as a technician not in dialout.
        var denied = Environment.UserName == "root" ? await RunAsNobodyAsync([.. read, port]) : await EdgegwProcess.RunAsync([.. read, port]);
        File.SetUnixFileMode(port, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var plain = await EdgegwProcess.RunAsync([.. read, port]);

        Assert.Equal(ExitCodes.Failure, denied.ExitCode);
        Assert.Equal([$"edgegw: modbus read: cannot open {port}: permission denied (the user needs the dialout group)"], Lines(denied.Stderr));
        Assert.Equal(ExitCodes.Failure, plain.ExitCode);
        Assert.Equal([$"edgegw: modbus read: cannot open {port}: not a serial port"], Lines(plain.Stderr));
    }

    [Fact]
    public async Task Station_MissingRtuDevice_UplinksASensorFaultThatSaysNoSuchDevice()
    {
        using var dir = new TempDirectory();
        await using var broker = await MosquittoBroker.StartAsync(Patience);
        var device = dir.File("ttyNOPE");
        var config = new StationYaml("tech-02", dir)
            .Buses($$"""
                - id: rs485
                  modbus-rtu: { port: {{device}}, baud: 9600 }
                  timeout: 300ms
                  retries: 0
                """)
            .RiverLevel("rs485")
            .Alerting("{ id: evacuate, severity: Extreme }", "{ id: river, sensor: river-level, measure: value, above: { evacuate: 3 } }")
            .Uplink(broker.Port)
            .Write();
        await using var hub = await HubMonitor.ConnectAsync("127.0.0.1", broker.Port, "ews", "tech-02", null, CancellationToken.None);
        await using var edgegw = EdgegwProcess.Start("run", "--config", config);

        await hub.WaitUntilAsync(m => m.Any(IsSensorFault), Patience, CancellationToken.None);

        var fault = hub.Messages.First(IsSensorFault).Payload;
        Assert.Contains($"cannot open {device}: no such device", fault, StringComparison.Ordinal);
        Assert.DoesNotContain("denied", fault, StringComparison.OrdinalIgnoreCase);
    }

    private static Task<ProcessResult> RunAsNobodyAsync(string[] args) =>
        TestProcess.RunAsync("runuser",
            ["-u", "nobody", "--", Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet", Path.Combine(AppContext.BaseDirectory, "edgegw.dll"), .. args],
            Patience,
            new Dictionary<string, string?> { ["HOME"] = Path.GetTempPath(), ["DOTNET_CLI_HOME"] = Path.GetTempPath() });

    private static bool IsSensorFault(HubMessage m) =>
        m.Kind == HubMessageKind.Event && m.Json?["type"]?.GetValue<string>() == "sensor-fault";

    private static List<string> Lines(string text) =>
        [.. text.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0)];

    // Every command a technician can run (a verb with an action), as the words that reach it.
    private static IEnumerable<string[]> Leaves(Command command, string[]? path = null)
    {
        path ??= [];
        foreach (var sub in command.Subcommands.Where(c => !c.Hidden))
        {
            string[] here = [.. path, sub.Name];
            if (sub.Action is not null)
            {
                yield return here;
            }

            foreach (var deeper in Leaves(sub, here))
            {
                yield return deeper;
            }
        }
    }
}
