using System.Threading.Channels;
using EdgeGateway.Modbus.Simulation;
using Microsoft.Extensions.Time.Testing;

namespace EdgeGateway.Modbus.Tests.Simulation;

public sealed class ModbusScenarioTests
{
    private const string Storm = """
        time,slave,table,address,type,order,value
        # river level rises
        0s,1,holding,0,float32,ABCD,1.25
        0s,2,input,10,uint32,CDAB,1200
        1m30s,1,holding,0,float32,ABCD,3.5
        2m,1,coil,3,,,1
        30s,1,holding,4,int16,,-5
        """;

    [Fact]
    public void Parse_ValidFile_ReturnsStepsInTimeOrder()
    {
        var scenario = ModbusScenario.Parse(Storm, "storm.csv", out var errors);
        Assert.Empty(errors);
        Assert.Equal([TimeSpan.Zero, TimeSpan.Zero, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(90), TimeSpan.FromMinutes(2)], scenario.Steps.Select(s => s.At));
        var counter = scenario.Steps[1];
        Assert.Equal((2, ModbusTable.Input, (ushort)10, RegisterType.UInt32, ByteOrder.CDAB, 1200.0), (counter.Slave, counter.Table, counter.Address, counter.Type, counter.Order, counter.Value));
        Assert.Equal(ByteOrder.ABCD, scenario.Steps[2].Order);
    }

    [Fact]
    public void Parse_BadLines_ReportsEachWithFileAndLine()
    {
        const string text = """
            time,slave,table,address,type,order,value
            soon,1,holding,0,float32,ABCD,1
            0s,300,holding,0,float32,ABCD,1
            0s,1,register,0,float32,ABCD,1
            0s,1,holding,0,float16,ABCD,1
            0s,1,holding,0,uint16,ABDC,1
            0s,1,holding,0,uint16,ABCD,70000
            0s,1,coil,0,,,2
            0s,1,holding,0
            0s,1,holding,65535,uint32,ABCD,1
            """;
        ModbusScenario.Parse(text, "bad.csv", out var errors);
        Assert.Equal(9, errors.Count);
        Assert.StartsWith("bad.csv:2: time 'soon'", errors[0], StringComparison.Ordinal);
        Assert.StartsWith("bad.csv:7: value '70000' does not fit uint16", errors[5], StringComparison.Ordinal);
        Assert.StartsWith("bad.csv:10: ", errors[8], StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_64BitIntegers_KeepEveryDigit()
    {
        var scenario = ModbusScenario.Parse("time,slave,table,address,type,order,value\n0s,1,holding,0,uint64,CDAB,17429726349691885448\n0s,1,holding,4,int64,,-9007199254740993\n", "big.csv", out var errors);
        Assert.Empty(errors);
        Assert.Equal(0xF1E2D3C4B5A69788, scenario.Steps[0].Bits);
        Assert.Equal(unchecked((ulong)-9007199254740993L), scenario.Steps[1].Bits);
        var map = new ModbusRegisterMap();
        scenario.Steps[0].Apply(map);
        Assert.Equal(0x9788, map.Slave(1).GetRegister(ModbusTable.Holding, 0));
    }

    [Fact]
    public void Parse_MissingHeader_IsAnError()
    {
        ModbusScenario.Parse("0s,1,holding,0,uint16,ABCD,1\n", "x.csv", out var errors);
        Assert.Equal("x.csv:1: the first line must be the header 'time,slave,table,address,type,order,value'", Assert.Single(errors));
    }

    [Fact]
    public async Task PlayAsync_AtDoubleSpeed_AppliesEachStepAtHalfItsTime()
    {
        var scenario = ModbusScenario.Parse(Storm, "storm.csv", out _);
        var map = new ModbusRegisterMap();
        var time = new FakeTimeProvider();
        var applied = Channel.CreateUnbounded<ScenarioStep>();
        var playing = ScenarioPlayer.PlayAsync(scenario, map, speed: 2, time, step => applied.Writer.TryWrite(step));

        // The two steps at 0s are applied before the first await.
        Assert.Equal(2, applied.Reader.Count);
        Assert.Equal(0x3FA0, map.Slave(1).GetRegister(ModbusTable.Holding, 0));
        time.Advance(TimeSpan.FromSeconds(14));
        Assert.Equal(2, applied.Reader.Count);
        time.Advance(TimeSpan.FromSeconds(1));
        var third = await NextAsync(applied.Reader, skip: 2);
        Assert.Equal(TimeSpan.FromSeconds(30), third.At);
        Assert.Equal(unchecked((ushort)-5), map.Slave(1).GetRegister(ModbusTable.Holding, 4));
        Assert.Equal(0x3FA0, map.Slave(1).GetRegister(ModbusTable.Holding, 0));
        time.Advance(TimeSpan.FromSeconds(45));
        await playing.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(0x4060, map.Slave(1).GetRegister(ModbusTable.Holding, 0));
        Assert.True(map.Slave(1).GetBit(ModbusTable.Coil, 3));
    }

    private static async Task<ScenarioStep> NextAsync(ChannelReader<ScenarioStep> reader, int skip)
    {
        for (var i = 0; i < skip; i++)
        {
            await reader.ReadAsync();
        }

        return await reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("1.5s", 1500)]
    [InlineData("2m", 120000)]
    [InlineData("1m30s", 90000)]
    [InlineData("00:01:30", 90000)]
    [InlineData("3", 3000)]
    public void DurationText_TryParse_ReadsTechnicianForms(string text, int milliseconds)
    {
        Assert.True(DurationText.TryParse(text, out var duration));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), duration);
    }

    [Theory]
    [InlineData("")]
    [InlineData("fast")]
    [InlineData("5 parsecs")]
    [InlineData("-1s")]
    [InlineData("1x")]
    public void DurationText_TryParse_RefusesNonsense(string text)
    {
        Assert.False(DurationText.TryParse(text, out _));
    }
}
