using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using EdgeGateway.Modbus;
using EdgeGateway.Modbus.Simulation;

namespace EdgeGateway.Tests.Cli;

/// <summary><c>edgegw modbus read</c> against the Modbus slave simulator on 127.0.0.1.</summary>
public sealed partial class ModbusCommandsTests : IAsyncDisposable
{
    private readonly ModbusRegisterMap _map = new();
    private readonly ModbusSlaveSimulator _simulator;
    private readonly string _tcp;

    public ModbusCommandsTests()
    {
        var river = _map.Slave(1);
        river.SetValue(ModbusTable.Holding, 0, RegisterType.Float32, ByteOrder.ABCD, 1.25);
        river.SetValue(ModbusTable.Holding, 2, RegisterType.Float32, ByteOrder.ABCD, 123.456);
        river.SetValueBits(ModbusTable.Holding, 10, 0xF1E2D3C4B5A69788, 4, ByteOrder.CDAB);
        river.SetValue(ModbusTable.Holding, 20, RegisterType.Int16, ByteOrder.BADC, -2);
        river.SetValue(ModbusTable.Holding, 30, RegisterType.Float32, ByteOrder.ABCD, double.NaN);
        river.SetValue(ModbusTable.Input, 10, RegisterType.UInt32, ByteOrder.CDAB, 1234);
        river.SetBit(ModbusTable.Coil, 2, true);
        river.SetSize(ModbusTable.Holding, 100);
        _map.Slave(5).Silent = true;
        _simulator = new ModbusSlaveSimulator(_map);
        _tcp = "127.0.0.1:" + _simulator.StartTcp(new IPEndPoint(IPAddress.Loopback, 0)).Port.ToString(CultureInfo.InvariantCulture);
    }

    public ValueTask DisposeAsync() => _simulator.DisposeAsync();

    [Fact]
    public async Task Read_Float32_PrintsShortestRoundTripValue()
    {
        var (exit, output, error) = await Read("--slave", "1", "--table", "holding", "--address", "0", "--count", "2", "--type", "float32");
        Assert.Equal(0, exit);
        Assert.Equal("1.25\n123.456\n", output);
        Assert.Empty(error);
    }

    [Fact]
    public async Task Read_Json_PrintsRawRegistersAndDecodedValues()
    {
        var (exit, output, _) = await Read("--slave", "1", "--table", "holding", "--address", "0", "--type", "float32", "--json");
        Assert.Equal(0, exit);
        using var json = JsonDocument.Parse(output);
        Assert.Equal(new[] { 0x3FA0, 0 }, json.RootElement.GetProperty("registers").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(1.25, json.RootElement.GetProperty("values")[0].GetDouble());
    }

    [Fact]
    public async Task Read_UInt64Cdab_PrintsEveryDigit()
    {
        var (exit, output, _) = await Read("--slave", "1", "--table", "holding", "--address", "10", "--type", "uint64", "--order", "CDAB", "--json");
        Assert.Equal(0, exit);
        Assert.Contains("\"values\":[17429726349691885448]", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Read_Int16ByteSwapped_HonoursTheSwap()
    {
        var (_, output, _) = await Read("--slave", "1", "--table", "holding", "--address", "20", "--type", "int16", "--order", "BADC");
        Assert.Equal("-2\n", output);
    }

    [Fact]
    public async Task Read_ScaleAndOffset_AppliedToTheRawValue()
    {
        var (_, output, _) = await Read("--slave", "1", "--table", "input", "--address", "10", "--type", "uint32", "--order", "CDAB", "--scale", "0.1", "--offset", "-3");
        Assert.Equal((1234 * 0.1 - 3).ToString("R", CultureInfo.InvariantCulture) + "\n", output);
    }

    [Fact]
    public async Task Read_NaNFloat_PrintsNaNAndJsonNull()
    {
        Assert.Equal("NaN\n", (await Read("--slave", "1", "--table", "holding", "--address", "30", "--type", "float32")).Out);
        Assert.Contains("\"values\":[null]", (await Read("--slave", "1", "--table", "holding", "--address", "30", "--type", "float32", "--json")).Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Read_Coils_PrintsBitsAsRegistersAndValues()
    {
        var (exit, output, _) = await Read("--slave", "1", "--table", "coil", "--address", "0", "--count", "4", "--json");
        Assert.Equal(0, exit);
        Assert.Equal("{\"registers\":[0,0,1,0],\"values\":[0,0,1,0]}\n", output);
    }

    [Fact]
    public async Task Read_Repeat_PrintsEveryReadAndTheSummaryLine()
    {
        var before = _simulator.RequestCount;
        var (exit, output, _) = await Read("--slave", "1", "--table", "holding", "--address", "0", "--type", "float32", "--repeat", "5");
        Assert.Equal(0, exit);
        var lines = output.TrimEnd('\n').Split('\n');
        Assert.Equal(6, lines.Length);
        Assert.All(lines[..5], l => Assert.Equal("1.25", l));
        Assert.Matches(SummaryPattern(), lines[5]);
        Assert.StartsWith("transactions=5 errors=0 timeouts=0 ", lines[5], StringComparison.Ordinal);
        Assert.Equal(5, _simulator.RequestCount - before);
    }

    [Fact]
    public async Task Read_RepeatAgainstASilentSlave_CountsTimeoutsAndFails()
    {
        var (exit, output, error) = await Read("--slave", "5", "--table", "holding", "--address", "0", "--timeout", "100ms", "--repeat", "3", "--interval", "10ms");
        Assert.Equal(1, exit);
        Assert.True(output.StartsWith("transactions=3 errors=3 timeouts=3 min=- median=- max=- rate=", StringComparison.Ordinal), output + error);
        Assert.Equal(3, Regex.Count(error, "timeout: no response from slave 5 within 100 ms"));
    }

    [Fact]
    public async Task Read_ExceptionResponse_PrintsCodeAndNameAndNoValue()
    {
        var (exit, output, error) = await Read("--slave", "1", "--table", "holding", "--address", "99", "--count", "2");
        Assert.Equal(1, exit);
        Assert.Empty(output);
        Assert.Contains("exception 2 (illegal data address)", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Read_RefusedConnection_SaysSoAndExits1()
    {
        var port = Loopback.FreePort();
        var (exit, output, error) = await CliRunner.RunAsync("modbus", "read", "--tcp", $"127.0.0.1:{port}", "--slave", "1", "--table", "holding", "--address", "0");
        Assert.Equal(1, exit);
        Assert.Empty(output);
        Assert.Contains("refused", error, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("--slave", "1", "--table", "holding", "--address", "0", "--count", "63", "--type", "float32")]
    [InlineData("--slave", "1", "--table", "coil", "--address", "0", "--type", "float32")]
    [InlineData("--slave", "1", "--table", "holding", "--address", "65535", "--type", "uint32")]
    [InlineData("--slave", "1", "--table", "holding", "--address", "0", "--timeout", "soon")]
    [InlineData("--slave", "1", "--table", "holding", "--address", "0", "--interval", "1s")]
    [InlineData("--slave", "1", "--table", "holding", "--address", "0", "--repeat", "0")]
    [InlineData("--slave", "300", "--table", "holding", "--address", "0")]
    [InlineData("--slave", "1", "--table", "register", "--address", "0")]
    [InlineData("--slave", "1", "--table", "holding")]
    public async Task Read_InvalidUsage_Exits2WithoutTouchingTheWire(params string[] args)
    {
        var before = _simulator.RequestCount;
        var (exit, output, error) = await Read(args);
        Assert.Equal(2, exit);
        Assert.Empty(output);
        Assert.NotEmpty(error);
        Assert.Equal(before, _simulator.RequestCount);
    }

    [Fact]
    public async Task Read_BothTcpAndRtu_IsAUsageError()
    {
        var (exit, _, error) = await CliRunner.RunAsync("modbus", "read", "--tcp", _tcp, "--rtu", "/dev/ttyUSB0", "--slave", "1", "--table", "holding", "--address", "0");
        Assert.Equal(2, exit);
        Assert.Contains("exactly one of --tcp", error, StringComparison.Ordinal);
    }

    /// <summary>Reads from the simulator; a generous timeout unless the test sets one (the test machine may be loaded).</summary>
    private Task<(int Exit, string Out, string Err)> Read(params string[] args) =>
        CliRunner.RunAsync(["modbus", "read", "--tcp", _tcp, .. (args.Contains("--timeout") ? args : [.. args, "--timeout", "5s"])]);

    [GeneratedRegex(@"^transactions=\d+ errors=\d+ timeouts=\d+ min=\d+\.\d\dms median=\d+\.\d\dms max=\d+\.\d\dms rate=\d+\.\d/s$")]
    private static partial Regex SummaryPattern();
}
