using System.CommandLine;
using System.Globalization;
using System.Net;
using EdgeGateway.Modbus;
using EdgeGateway.Modbus.Simulation;

namespace EdgeGateway.Cli;

/// <summary>
/// <c>edgegw sim modbus</c>: a bench Modbus slave that plays a scenario file (TCP or RTU), for trying a station
/// or a wiring harness without the real gauges. Runs until interrupted.
/// </summary>
internal static class SimModbusCommand
{
    public static Command Build()
    {
        var line = new LineOptions();
        var scenario = new Option<string>("--scenario") { Description = "CSV scenario: time,slave,table,address,type,order,value", Required = true };
        var speed = new Option<double>("--speed") { Description = "Play the scenario X times faster", DefaultValueFactory = _ => 1 };
        var command = new Command("modbus", "Simulate Modbus slaves (TCP or RTU) whose registers follow a scenario file");
        line.AddTo(command);
        command.Options.Add(scenario);
        command.Options.Add(speed);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var problems = new List<string>();
            var settings = line.Read(parse, problems);
            var path = parse.GetValue(scenario)!;
            var factor = parse.GetValue(speed);
            if (!double.IsFinite(factor) || factor <= 0)
            {
                problems.Add($"--speed {factor.ToString(CultureInfo.InvariantCulture)} must be a positive number");
            }

            IPEndPoint? endpoint = null;
            if (settings.Host is { } host && !TryEndpoint(host, settings.Port, out endpoint))
            {
                problems.Add($"--tcp '{settings.TcpText}': the simulator listens on an IP address (e.g. 127.0.0.1:1502)");
            }

            ModbusScenario? plan = null;
            if (problems.Count == 0)
            {
                string text;
                try
                {
                    text = await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    await error.WriteLineAsync($"edgegw: sim modbus: cannot read {path}: {e.Message}").ConfigureAwait(false);
                    return ExitCodes.Usage;
                }

                plan = ModbusScenario.Parse(text, path, out var errors);
                problems.AddRange(errors);
            }

            if (problems.Count > 0)
            {
                foreach (var problem in problems)
                {
                    await error.WriteLineAsync(problem.StartsWith(path + ":", StringComparison.Ordinal) ? problem : $"edgegw: sim modbus: {problem}").ConfigureAwait(false);
                }

                return await CliUsage.FailAsync(parse, null).ConfigureAwait(false);
            }

            using var stop = new StopSignals(cancellationToken);
            return await RunAsync(plan!, path, factor, endpoint, settings, output, error, stop.Token).ConfigureAwait(false);
        });
        return command.WithExamples(
            "edgegw sim modbus --tcp 127.0.0.1:1502 --scenario typhoon-modbus.csv",
            "edgegw sim modbus --rtu /dev/pts/3 --scenario typhoon-modbus.csv --speed 60");
    }

    private static async Task<int> RunAsync(ModbusScenario scenario, string path, double speed, IPEndPoint? endpoint, LineSettings line,
        TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var map = new ModbusRegisterMap();
        // The slaves the scenario names exist (and answer) from the start, with their time-0 values.
        foreach (var step in scenario.Steps)
        {
            map.Slave(step.Slave);
        }

        var report = new Lock();
        void Say(string text)
        {
            lock (report)
            {
                output.WriteLine(text);
                output.Flush();
            }
        }

        await using var simulator = new ModbusSlaveSimulator(map);
        var playing = ScenarioPlayer.PlayAsync(scenario, map, speed, TimeProvider.System, step => Say(step.ToString()), cancellationToken);
        try
        {
            var where = endpoint is not null
                ? "Modbus TCP on " + simulator.StartTcp(endpoint)
                : StartRtu(simulator, line);
            var slaves = string.Join(", ", map.Slaves.Select(s => s.Address));
            Say(FormattableString.Invariant($"simulating slaves {slaves} over {where}; scenario {path}: {scenario.Steps.Count} steps at speed {speed}"));
        }
        catch (Exception e) when (e is ModbusConnectionException or System.Net.Sockets.SocketException)
        {
            await error.WriteLineAsync($"edgegw: sim modbus: {e.Message}").ConfigureAwait(false);
            return ExitCodes.Failure;
        }

        try
        {
            await playing.ConfigureAwait(false);
            Say("scenario finished; serving the last values until stopped (Ctrl+C)");
            await Task.Delay(Timeout.InfiniteTimeSpan, TimeProvider.System, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped by the technician.
        }

        Say(FormattableString.Invariant($"stopped after {simulator.RequestCount} requests"));
        return ExitCodes.Success;
    }

    private static string StartRtu(ModbusSlaveSimulator simulator, LineSettings line)
    {
        var serial = line.Serial!;
        simulator.StartRtu(serial);
        return FormattableString.Invariant($"Modbus RTU on {serial.Device} at {serial.BaudRate} baud");
    }

    private static bool TryEndpoint(string host, int port, out IPEndPoint? endpoint)
    {
        endpoint = null;
        var address = host == "localhost" ? IPAddress.Loopback : IPAddress.TryParse(host, out var parsed) ? parsed : null;
        if (address is null)
        {
            return false;
        }

        endpoint = new IPEndPoint(address, port);
        return true;
    }
}
