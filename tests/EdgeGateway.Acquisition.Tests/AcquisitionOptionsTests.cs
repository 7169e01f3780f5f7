using EdgeGateway.Core.Options;

namespace EdgeGateway.Acquisition.Tests;

/// <summary>Each part's own value checks, each naming the station.yaml key it judges.</summary>
public sealed class AcquisitionOptionsTests
{
    [Fact]
    public void Validate_Defaults_NoProblem()
    {
        var options = new AcquisitionOptions
        {
            TippingBuckets = [new TippingBucketOptions { Id = "rain-gauge", Pin = 17 }],
            DigitalInputs = [new DigitalInputOptions { Id = "float", Pin = 22 }],
            Ina219Sensors = [new Ina219Options { Id = "battery" }],
            Buses = [new ModbusBusOptions { Id = "plc-a", Tcp = new TcpBusOptions("127.0.0.1") }],
            ModbusSensors = [new ModbusSensorOptions { Id = "level", Bus = "plc-a" }],
            History = new HistoryOptions { Path = "history.db" },
        };

        Assert.Empty(options.Validate());
    }

    [Fact]
    public void Validate_EveryPartsProblem_NamedByPartAndField()
    {
        var options = new AcquisitionOptions
        {
            TippingBuckets = [new TippingBucketOptions { Id = "rain-gauge", Pin = -1, MmPerTip = 0, Poll = TimeSpan.Zero }],
            Ina219Sensors = [new Ina219Options { Id = "battery", Bus = -1, Address = 0x50, Valid = new ValueRange(14, 10) }],
            Buses = [new ModbusBusOptions { Id = "plc-c", Retries = 11, Timeout = TimeSpan.Zero }],
            ModbusSensors = [new ModbusSensorOptions { Id = "rain-total", Bus = "plc-c", Kind = ModbusSensorKind.RainTotal, Scale = 0 }],
        };

        // A rain gauge is read on its edges: its poll is not judged.
        Assert.Equal(
            [
                "bus plc-c: has neither an RTU port nor a TCP host",
                "bus plc-c: timeout: must be longer than 0",
                "bus plc-c: retries: 11 retries: use 0 to 10",
                "sensor rain-gauge: pin: -1 is not a GPIO line number",
                "sensor rain-gauge: mmPerTip: must be more than 0",
                "sensor battery: valid: [14, 10]: min is above max",
                "sensor battery: bus: -1 is not an I2C bus number",
                "sensor battery: address: 0x50 is not an INA219 address (0x40-0x4F)",
                "sensor rain-total: scale: a scale of 0 makes every reading the offset",
            ],
            options.Validate());
    }

    [Fact]
    public void Validate_TransportValues_NamedUnderTheirSection()
    {
        var rtu = new ModbusBusOptions { Id = "rs485", Rtu = new RtuBusOptions("/dev/ttyAMA0", Baud: 0) };
        var tcp = new ModbusBusOptions { Id = "plc", Tcp = new TcpBusOptions("127.0.0.1", 70000) };

        Assert.Equal([new OptionProblem("modbus-rtu.baud", "0 is not a baud rate")], rtu.Validate());
        Assert.Equal([new OptionProblem("modbus-tcp.port", "70000 is not a TCP port (1-65535)")], tcp.Validate());
    }

    [Fact]
    public void Validate_ZeroPoll_RefusedForAPolledSensor()
    {
        var sensor = new ModbusSensorOptions { Id = "level", Bus = "plc-a", Poll = TimeSpan.Zero };

        Assert.Equal([new OptionProblem("poll", "must be longer than 0")], sensor.Validate());
    }
}
