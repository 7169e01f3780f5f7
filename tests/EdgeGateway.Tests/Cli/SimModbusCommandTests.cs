using System.Text.RegularExpressions;
using EdgeGateway.Modbus;

namespace EdgeGateway.Tests.Cli;

public sealed partial class SimModbusCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("edgegw-sim-").FullName;

    [Fact]
    public async Task SimModbus_Tcp_ServesTheScenarioUntilStopped()
    {
        var scenario = Path.Combine(_dir, "storm.csv");
        await File.WriteAllTextAsync(scenario, "time,slave,table,address,type,order,value\n0s,3,holding,0,float32,ABCD,2.5\n");
        using var stop = new CancellationTokenSource();
        using var output = new SignallingWriter(ListeningOn());
        var parse = EdgeGateway.Cli.CliRoot.Build().Parse(["sim", "modbus", "--tcp", "127.0.0.1:0", "--scenario", scenario]);
        var running = parse.InvokeAsync(new System.CommandLine.InvocationConfiguration { Output = output, Error = output }, stop.Token);

        var port = int.Parse((await output.Matched.WaitAsync(TimeSpan.FromSeconds(30))).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        await using (var client = ModbusClient.CreateTcp("127.0.0.1", port, new ModbusClientOptions { Timeout = TimeSpan.FromSeconds(10) }))
        {
            Assert.Equal(new ushort[] { 0x4020, 0 }, await client.ReadHoldingRegistersAsync(3, 0, 2));
        }

        await stop.CancelAsync();
        Assert.Equal(0, await running.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("stopped after 1 requests", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SimModbus_BadScenario_ReportsFileLineAndExits2()
    {
        var scenario = Path.Combine(_dir, "bad.csv");
        await File.WriteAllTextAsync(scenario, "time,slave,table,address,type,order,value\n0s,1,holding,0,float32,ABCD,high\n");
        var (exit, _, error) = await CliRunner.RunAsync("sim", "modbus", "--tcp", "127.0.0.1:0", "--scenario", scenario);
        Assert.Equal(2, exit);
        Assert.Contains($"{scenario}:2: value 'high' is not a number", error, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [GeneratedRegex(@"Modbus TCP on 127\.0\.0\.1:(\d+)")]
    private static partial Regex ListeningOn();

    /// <summary>A StringWriter that completes a task when a line matching a pattern is written.</summary>
    private sealed class SignallingWriter(Regex pattern) : StringWriter
    {
        private readonly TaskCompletionSource<Match> _matched = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<Match> Matched => _matched.Task;

        public override void WriteLine(string? value)
        {
            lock (this)
            {
                base.WriteLine(value);
            }

            if (value is not null && pattern.Match(value) is { Success: true } match)
            {
                _matched.TrySetResult(match);
            }
        }

        public override string ToString()
        {
            lock (this)
            {
                return base.ToString();
            }
        }
    }
}
