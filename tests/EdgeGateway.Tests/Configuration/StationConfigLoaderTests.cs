using EdgeGateway.Configuration;
using EdgeGateway.Modbus;
using EdgeGateway.Tests.TestSupport;

namespace EdgeGateway.Tests.Configuration;

/// <summary>The shipped example, read into the model: every value as its comment says.</summary>
public sealed class StationConfigLoaderTests
{
    private static readonly StationConfig s_example = StationConfigLoader.Load(ExampleConfig.Path).Config!;

    [Fact]
    public void Load_Example_ReadsStationHardwareControlAndStorage()
    {
        Assert.Equal("wz-oh-lilong-01", s_example.Station.Id);
        Assert.Equal("丽龙村 flood warning station", s_example.Station.Name);
        Assert.Equal("Asia/Shanghai", s_example.Station.Timezone);
        Assert.Equal(GpioDriverKind.Libgpiod, s_example.Hardware.Gpio.Driver);
        Assert.Equal("gpiochip0", s_example.Hardware.Gpio.Chip);
        Assert.Equal("/run/edge-gateway/control.sock", s_example.Control.Socket);
        Assert.Equal("/var/lib/edge-gateway", s_example.Storage.Path);
        Assert.Equal(256L * 1024 * 1024, s_example.Storage.QueueLimit);
    }

    [Fact]
    public void Load_LoggingLevel_IsReadAndAMistakeNamesTheLevels()
    {
        var quiet = StationConfigLoader.Parse(ExampleConfig.Text.Replace("level: info", "level: warning", StringComparison.Ordinal), "station.yaml");
        var wrong = StationConfigLoader.Parse(ExampleConfig.Text.Replace("level: info", "level: wraning", StringComparison.Ordinal), "station.yaml");

        Assert.Equal(StationLogLevel.Info, s_example.Logging.Level);
        Assert.Equal(StationLogLevel.Warning, quiet.Config!.Logging.Level);
        var error = Assert.Single(wrong.Errors);
        Assert.Contains("unknown value 'wraning'; expected trace, debug, info, warning, error", error.Message, StringComparison.Ordinal);
        Assert.Contains("did you mean 'warning'?", error.Message, StringComparison.Ordinal);
        Assert.Equal(ExampleConfig.Text.Split('\n').ToList().FindIndex(l => l.Contains("level: info", StringComparison.Ordinal)) + 1, error.Mark.Line);
    }

    [Fact]
    public void Load_Example_ReadsBuses()
    {
        var rtu = s_example.Buses[0];
        Assert.Equal(("rs485", "/dev/ttyAMA0", 9600, Parity.None, 8, 1), (rtu.Id, rtu.ModbusRtu!.Port, rtu.ModbusRtu.Baud, rtu.ModbusRtu.Parity, rtu.ModbusRtu.DataBits, rtu.ModbusRtu.StopBits));
        Assert.Equal((TimeSpan.FromMilliseconds(300), 2), (rtu.Timeout, rtu.Retries));
        Assert.Null(rtu.ModbusTcp);
        var tcp = s_example.Buses[1];
        Assert.Equal(("plc", "127.0.0.1", 1502, TimeSpan.FromSeconds(1), 1), (tcp.Id, tcp.ModbusTcp!.Host, tcp.ModbusTcp.Port, tcp.Timeout, tcp.Retries));
    }

    [Fact]
    public void Load_Example_ReadsSensorsOfEveryKind()
    {
        var river = s_example.Sensors[0];
        Assert.Equal(SensorKind.WaterLevel, river.Kind);
        Assert.Equal(("rs485", 1, ModbusTable.Holding, 0, RegisterType.Float32, ByteOrder.ABCD),
            (river.Modbus!.Bus, river.Modbus.Slave, river.Modbus.Table, river.Modbus.Address, river.Modbus.Type, river.Modbus.Order));
        Assert.Equal((0d, 15d), (river.Valid!.Min, river.Valid.Max));
        Assert.Equal(TimeSpan.FromSeconds(5), river.Poll);

        var counter = s_example.Sensors[1];
        Assert.Equal((SensorKind.RainTotal, ModbusTable.Input, 10, RegisterType.UInt32, ByteOrder.CDAB, 0.1),
            (counter.Kind, counter.Modbus!.Table, counter.Modbus.Address, counter.Modbus.Type, counter.Modbus.Order, counter.Scale));

        var gauge = s_example.Sensors[2];
        Assert.Equal((SensorKind.RainPulse, 17, GpioEdge.Falling, GpioPull.Up, TimeSpan.FromMilliseconds(25), 0.5),
            (gauge.Kind, gauge.Gpio!.Pin, gauge.Gpio.Edge, gauge.Gpio.Pull, gauge.Gpio.Debounce, gauge.MmPerTip));

        var battery = s_example.Sensors[3];
        Assert.Equal((SensorKind.Analog, 1, 0x40, TimeSpan.FromSeconds(60)), (battery.Kind, battery.Ina219!.Bus, battery.Ina219.Address, battery.Poll));

        var button = s_example.Sensors[5];
        Assert.Equal((SensorKind.Digital, 22, true, TimeSpan.FromMilliseconds(50)), (button.Kind, button.Gpio!.Pin, button.Gpio.ActiveLow, button.Gpio.Debounce));
    }

    [Fact]
    public void Load_Example_ReadsLevelsInOrderAndRulesWithTheirMeasures()
    {
        var a = s_example.Alerting;
        Assert.Equal(TimeSpan.FromMinutes(30), a.ClearAfter);
        Assert.Equal(["watch", "prepare", "evacuate"], a.Levels.Select(l => l.Id));
        Assert.Equal([CapSeverity.Moderate, CapSeverity.Severe, CapSeverity.Extreme], a.Levels.Select(l => l.Severity));
        Assert.Null(a.Levels[0].Broadcast);
        Assert.Equal(("evacuate", 5), (a.Levels[2].Broadcast!.Message, a.Levels[2].Broadcast!.Repeat));
        Assert.Equal(("all-clear", 2), (a.AllClear!.Message, a.AllClear.Repeat));

        var rain3h = a.Rules[1];
        Assert.Equal((MeasureKind.Sum, TimeSpan.FromHours(3)), (rain3h.Measure!.Kind, rain3h.Measure.Window));
        Assert.Equal([new("prepare", 50), new KeyValuePair<string, double>("evacuate", 80)], rain3h.Above!);

        var river = a.Rules[3];
        Assert.Equal(MeasureKind.Value, river.Measure!.Kind);
        Assert.Equal((0.05, TimeSpan.FromSeconds(30)), (river.Hysteresis, river.Hold));
        Assert.Equal(["watch", "prepare", "evacuate"], river.Above!.Select(t => t.Key));

        var rise = a.Rules[4];
        Assert.Equal((MeasureKind.Rise, TimeSpan.FromHours(1)), (rise.Measure!.Kind, rise.Measure.Window));

        var manual = a.Rules[6];
        Assert.Equal((DigitalCondition.Active, "evacuate", true, (MeasureConfig?)null), (manual.When, manual.Level, manual.Latch, manual.Measure));
        Assert.False(a.Rules[5].Latch);
    }

    [Fact]
    public void Load_Example_ReadsBroadcastAndUplink()
    {
        var b = s_example.Broadcast!;
        Assert.Equal((5, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1)), (b.Amplifier.Gpio, b.Amplifier.Warmup, b.Amplifier.Tail));
        Assert.Equal(("village", 6), (b.Zones.Single().Id, b.Zones.Single().Gpio));
        Assert.Equal((AudioSinkKind.Alsa, "default"), (b.Audio.Sink, b.Audio.Device));
        Assert.Equal(TimeSpan.FromSeconds(3), b.Gap);
        Assert.Equal(["prepare", "evacuate", "all-clear", "test"], b.Messages.Keys);
        Assert.Equal("/etc/edge-gateway/audio/prepare.wav", b.Messages["prepare"].File);
        Assert.Equal(("这是一次应急广播测试。", "cmn", (string?)null), (b.Messages["test"].Text, b.Messages["test"].Voice, b.Messages["test"].File));

        var u = s_example.Uplink!;
        Assert.Equal(("hub.example.org", 8883, "/etc/edge-gateway/hub-ca.crt", "wz-oh-lilong-01", "/etc/edge-gateway/mqtt.password", "ews"),
            (u.Mqtt!.Host, u.Mqtt.Port, u.Mqtt.Tls!.Ca, u.Mqtt.Username, u.Mqtt.PasswordFile, u.Mqtt.Prefix));
        Assert.Equal((TimeSpan.FromSeconds(60), "/etc/edge-gateway/hub-command.pub"), (u.Telemetry, u.CommandKey));
    }

    [Fact]
    public void Load_Example_RemembersWhereEachKeyIs()
    {
        var slave = s_example.Sensors[0].Modbus!;
        Assert.Equal(new SourceMark(35, 13), slave.Mark);
        Assert.Equal(new SourceMark(35, 34), slave.MarkOf("slave"));
        Assert.Equal(new SourceMark(86, 16), s_example.Alerting.Rules[3].MarkOf("above.watch"));
        Assert.Equal(new SourceMark(71, 7), s_example.Alerting.Rules[0].Mark);
    }

    [Fact]
    public void Parse_OptionalSectionsLeftOut_TakeTheDocumentedDefaults()
    {
        var result = StationConfigLoader.Parse(
            """
            station: { id: bench-01 }
            sensors:
              - { id: door, kind: digital, gpio: { pin: 4 } }
            alerting:
              levels: [ { id: alarm, severity: Severe } ]
              rules: [ { id: door, sensor: door, when: active, level: alarm } ]
            """,
            "bench.yaml");

        var c = Assert.IsType<StationConfig>(result.Config);
        Assert.Equal(GpioDriverKind.Libgpiod, c.Hardware.Gpio.Driver);
        Assert.Equal(ControlSection.DefaultSocket, c.Control.Socket);
        Assert.Equal(StorageSection.DefaultPath, c.Storage.Path);
        Assert.Null(c.Broadcast);
        Assert.Null(c.Uplink);
    }

    [Fact]
    public void Parse_AnchorsAndAliases_AreFollowed()
    {
        var result = StationConfigLoader.Parse(
            ExampleConfig.With(("gpio: { pin: 27, pull: up, activeLow: true, debounce: 200ms }", "gpio: &switch { pin: 27, pull: up, activeLow: true, debounce: 200ms }"),
                ("gpio: { pin: 22, pull: up, activeLow: true, debounce: 50ms }", "gpio: *switch")),
            "station.yaml");

        // Both sensors now read line 27: the alias is resolved, and the GPIO check sees the clash.
        var error = Assert.Single(result.Errors);
        Assert.Equal("sensors[5].gpio.pin", error.Path);
    }
}
