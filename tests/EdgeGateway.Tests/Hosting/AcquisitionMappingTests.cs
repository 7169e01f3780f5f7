using System.Device.Gpio;
using System.Text.Json.Nodes;
using EdgeGateway.Acquisition;
using EdgeGateway.Configuration;
using EdgeGateway.Control;
using EdgeGateway.Hardware.Gpio;
using EdgeGateway.Hosting;
using EdgeGateway.Modbus;
using EdgeGateway.Tests.TestSupport;

namespace EdgeGateway.Tests.Hosting;

public sealed class AcquisitionMappingTests
{
    [Fact]
    public void FromConfig_GpioAndIna219KeysLeftOut_RecordedAsNotGivenAndMappedToTheOptionsDefaults()
    {
        var config = ExampleConfig.Valid(
            ("gpio: { pin: 17, edge: falling, pull: up, debounce: 25ms }", "gpio: { pin: 17 }"),
            ("gpio: { pin: 27, pull: up, activeLow: true, debounce: 200ms }", "gpio: { pin: 27, activeLow: true }"),
            ("ina219: { bus: 1, address: 0x40 }", "ina219: { bus: 2 }"));
        var gauge = config.Sensors.Single(s => s.Id == "rain-gauge").Gpio!;
        Assert.Null(gauge.Edge);
        Assert.Null(gauge.Pull);
        Assert.Null(gauge.Debounce);

        var o = AcquisitionMapping.FromConfig(config);

        // The defaults a station has always run with: no bias, 25 ms, falling edge.
        var bucket = Assert.Single(o.TippingBuckets);
        Assert.Equal((PinEventTypes.Falling, PinMode.Input, TimeSpan.FromMilliseconds(25)), (bucket.Edge, bucket.Mode, bucket.Debounce));
        var flood = o.DigitalInputs.Single(d => d.Id == "flood-switch");
        Assert.Equal((PinMode.Input, TimeSpan.FromMilliseconds(25), true), (flood.Mode, flood.Debounce, flood.ActiveLow));
        var battery = Assert.Single(o.Ina219Sensors);
        Assert.Equal((2, 0x40), (battery.Bus, battery.Address));
    }

    [Fact]
    public void FromConfig_BusPointAndStorageKeysLeftOut_RecordedAsNotGivenAndMappedToTheOptionsDefaults()
    {
        var config = ExampleConfig.Valid(
            ("gpio: { driver: libgpiod, chip: gpiochip0 }", "gpio: { driver: libgpiod }"),
            ("modbus-rtu: { port: /dev/ttyAMA0, baud: 9600, parity: none, dataBits: 8, stopBits: 1 }", "modbus-rtu: { port: /dev/ttyAMA0 }"),
            ("    timeout: 300ms                 # per request\n    retries: 2\n", ""),
            ("modbus-tcp: { host: 127.0.0.1, port: 1502 }", "modbus-tcp: { host: 127.0.0.1 }"),
            ("modbus: { bus: rs485, slave: 1, table: holding, address: 0, type: float32, order: ABCD }", "modbus: { bus: rs485, slave: 1, address: 0 }"),
            ("    scale: 1.0 ", "    # scale: 1.0 "),
            ("    offset: 0.0", "    # offset: 0.0"));
        var rtu = config.Buses[0];
        Assert.Equal((null, null, null), (rtu.Timeout, rtu.Retries, rtu.Gap));
        Assert.Equal((null, null, null, null), (rtu.ModbusRtu!.Baud, rtu.ModbusRtu.Parity, rtu.ModbusRtu.DataBits, rtu.ModbusRtu.StopBits));
        Assert.Null(config.Buses[1].ModbusTcp!.Port);
        var river = config.Sensors.Single(s => s.Id == "river-level");
        Assert.Equal((null, null, null), (river.Modbus!.Table, river.Modbus.Type, river.Modbus.Order));
        Assert.Equal((null, null), (river.Scale, river.Offset));
        Assert.Equal((null, null), (config.Storage.History, config.Hardware.Gpio.Chip));

        var o = AcquisitionMapping.FromConfig(config);

        // The defaults a station has always run with: 9600 8N1, 1 s and one retry, port 502, one holding register as is.
        var bus = o.Buses[0];
        Assert.Equal(new RtuBusOptions("/dev/ttyAMA0", 9600, System.IO.Ports.Parity.None, System.IO.Ports.StopBits.One), bus.Rtu);
        Assert.Equal((TimeSpan.FromSeconds(1), 1, TimeSpan.Zero), (bus.Timeout, bus.Retries, bus.Gap));
        Assert.Equal(new TcpBusOptions("127.0.0.1", 502), o.Buses[1].Tcp);
        var level = o.ModbusSensors.Single(s => s.Id == "river-level");
        Assert.Equal((ModbusTable.Holding, RegisterType.UInt16, ByteOrder.ABCD, 1.0, 0.0), (level.Table, level.Type, level.Order, level.Scale, level.Offset));
        Assert.Equal(TimeSpan.FromDays(8), o.History!.Retention);
        Assert.Equal("gpiochip0", AcquisitionMapping.Gpio(config.Hardware.Gpio).Chip);
    }

    [Fact]
    public void FromConfig_ContractExample_EverySensorOnItsSource()
    {
        var loaded = StationConfigLoader.Load(ExampleConfig.Path);
        Assert.True(loaded.IsValid, string.Join("\n", loaded.Errors));

        var o = AcquisitionMapping.FromConfig(loaded.Config!);

        var gauge = Assert.Single(o.TippingBuckets);
        Assert.Equal(("rain-gauge", 17, PinEventTypes.Falling, PinMode.InputPullUp, 0.5), (gauge.Id, gauge.Pin, gauge.Edge, gauge.Mode, gauge.MmPerTip));
        Assert.Equal(TimeSpan.FromMilliseconds(25), gauge.Debounce);
        Assert.Equal(["flood-switch", "alarm-button"], o.DigitalInputs.Select(d => d.Id));
        Assert.All(o.DigitalInputs, d => Assert.True(d.ActiveLow));
        Assert.Equal(TimeSpan.FromMilliseconds(200), o.DigitalInputs[0].Debounce);
        var battery = Assert.Single(o.Ina219Sensors);
        Assert.Equal((1, 0x40, TimeSpan.FromSeconds(60)), (battery.Bus, battery.Address, battery.Poll));

        var river = o.ModbusSensors.Single(s => s.Id == "river-level");
        Assert.Equal(("rs485", (byte)1, ModbusTable.Holding, RegisterType.Float32, ModbusSensorKind.Value), (river.Bus, river.Slave, river.Table, river.Type, river.Kind));
        Assert.Equal(new ValueRange(0, 15), river.Valid);
        var counter = o.ModbusSensors.Single(s => s.Id == "rain-counter");
        Assert.Equal((ModbusSensorKind.RainTotal, ByteOrder.CDAB, 0.1, (ushort)10), (counter.Kind, counter.Order, counter.Scale, counter.Address));

        var rtu = o.Buses.Single(b => b.Id == "rs485");
        Assert.Equal(new RtuBusOptions("/dev/ttyAMA0", 9600), rtu.Rtu);
        Assert.Equal((TimeSpan.FromMilliseconds(300), 2), (rtu.Timeout, rtu.Retries));
        Assert.Equal(new TcpBusOptions("127.0.0.1", 1502), o.Buses.Single(b => b.Id == "plc").Tcp);
        Assert.Equal(Path.Combine("/var/lib/edge-gateway", "history.db"), o.History!.Path);
    }

    [Fact]
    public async Task SimGpioVerb_RealChip_Refused()
    {
        using var gpio = GpioControllerFactory.Create(new GpioHardwareOptions(false, "gpiochip0"), TimeProvider.System);
        var verb = new SimGpioVerb(gpio, TimeProvider.System);

        var ex = await Assert.ThrowsAsync<ControlRequestException>(() => verb.HandleAsync(new JsonObject { ["line"] = 17, ["action"] = "low" }, CancellationToken.None));

        Assert.Contains("driver: simulated", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SimGpioVerb_Pulse_CountFallingEdgesAndBackAtRest()
    {
        using var gpio = GpioControllerFactory.Create(new GpioHardwareOptions(true), TimeProvider.System);
        gpio.Controller.OpenPin(17, PinMode.InputPullUp);
        var falls = 0;
        gpio.Controller.RegisterCallbackForPinValueChangedEvent(17, PinEventTypes.Falling, (_, _) => Interlocked.Increment(ref falls));
        var verb = new SimGpioVerb(gpio, TimeProvider.System);

        var result = await verb.HandleAsync(new JsonObject { ["line"] = 17, ["action"] = "pulse", ["count"] = 3, ["intervalMs"] = 20 }, CancellationToken.None);

        Assert.Equal(3, falls);
        Assert.Equal(PinValue.High, gpio.Controller.Read(17));
        Assert.Equal("high", result!["level"]!.GetValue<string>());
        Assert.Equal(3, result["pulses"]!.GetValue<int>());
    }

    [Fact]
    public async Task SimGpioVerb_OutputLine_Refused()
    {
        using var gpio = GpioControllerFactory.Create(new GpioHardwareOptions(true), TimeProvider.System);
        gpio.Controller.OpenPin(5, PinMode.Output);
        var verb = new SimGpioVerb(gpio, TimeProvider.System);

        var ex = await Assert.ThrowsAsync<ControlRequestException>(() => verb.HandleAsync(new JsonObject { ["line"] = 5, ["action"] = "high" }, CancellationToken.None));

        Assert.Contains("output", ex.Message, StringComparison.Ordinal);
    }
}
