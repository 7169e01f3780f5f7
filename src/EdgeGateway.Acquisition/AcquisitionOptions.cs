using System.Device.Gpio;
using System.IO.Ports;
using EdgeGateway.Acquisition.Buses;
using EdgeGateway.Modbus;

namespace EdgeGateway.Acquisition;

/// <summary>
/// Everything the acquisition side needs to know: which sensors to read, on which bus or line, how often, and
/// where the readings history lives. The host maps <c>station.yaml</c> onto this; tests build it directly.
/// </summary>
public sealed class AcquisitionOptions
{
    public List<TippingBucketOptions> TippingBuckets { get; init; } = [];
    public List<DigitalInputOptions> DigitalInputs { get; init; } = [];
    public List<Ina219Options> Ina219Sensors { get; init; } = [];
    public List<ModbusBusOptions> Buses { get; init; } = [];
    public List<ModbusSensorOptions> ModbusSensors { get; init; } = [];

    /// <summary>The readings history; null keeps no history (bench tools).</summary>
    public HistoryOptions? History { get; init; }
}

/// <summary>An inclusive range of plausible engineering values; outside it a reading is out-of-range.</summary>
public readonly record struct ValueRange(double Min, double Max)
{
    public bool Contains(double value) => value >= Min && value <= Max;
}

/// <summary>What every sensor has: its id, how often it is read, and its valid range.</summary>
public abstract record SensorOptions
{
    public required string Id { get; init; }

    /// <summary>
    /// How often the sensor is read (or, for a digital input, its state republished). A sensor with no good
    /// reading within three periods is reported stale.
    /// </summary>
    public TimeSpan Poll { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Readings outside this range are out-of-range (value NaN); null accepts everything.</summary>
    public ValueRange? Valid { get; init; }
}

/// <summary>A tipping-bucket rain gauge on a GPIO line: each debounced edge is one tip.</summary>
public sealed record TippingBucketOptions : SensorOptions
{
    /// <summary>Default <see cref="Debounce"/>: 25 ms (a reed switch's bounce train lasts a few ms).</summary>
    public static readonly TimeSpan DefaultDebounce = TimeSpan.FromMilliseconds(25);

    public int Pin { get; init; }

    /// <summary>The edge that is a tip (falling for a switch to ground with a pull-up).</summary>
    public PinEventTypes Edge { get; init; } = PinEventTypes.Falling;

    /// <summary>Input (the default: no bias, the gauge's own resistor holds the line), InputPullUp or InputPullDown.</summary>
    public PinMode Mode { get; init; } = PinMode.Input;

    /// <summary>Edges within this time after a counted tip are its bounce, not tips.</summary>
    public TimeSpan Debounce { get; init; } = DefaultDebounce;

    public double MmPerTip { get; init; } = 0.2;
}

/// <summary>A switch on a GPIO line (flood switch, manual alarm button): 1 when active, 0 when not.</summary>
public sealed record DigitalInputOptions : SensorOptions
{
    /// <summary>Default <see cref="Debounce"/>: 25 ms, as for a rain gauge.</summary>
    public static readonly TimeSpan DefaultDebounce = TippingBucketOptions.DefaultDebounce;

    public int Pin { get; init; }

    /// <summary>Input (the default: no bias, the switch's own resistor holds the line), InputPullUp or InputPullDown.</summary>
    public PinMode Mode { get; init; } = PinMode.Input;

    /// <summary>Active when the line is low (a switch to ground with a pull-up).</summary>
    public bool ActiveLow { get; init; }

    /// <summary>A new level counts once it has held this long.</summary>
    public TimeSpan Debounce { get; init; } = DefaultDebounce;
}

/// <summary>An INA219 power monitor on I2C; its bus voltage is the reading (battery or solar volts).</summary>
public sealed record Ina219Options : SensorOptions
{
    public int Bus { get; init; } = 1;
    public int Address { get; init; } = 0x40;

    /// <summary>Engineering value = volts * scale + offset (a divider ahead of the INA219, for instance).</summary>
    public double Scale { get; init; } = 1.0;
    public double Offset { get; init; }
}

/// <summary>One Modbus bus (a serial line or a TCP link): its transport and how patient to be with it.</summary>
public sealed record ModbusBusOptions
{
    public required string Id { get; init; }

    /// <summary>RTU over a serial port; exactly one of <see cref="Rtu"/> and <see cref="Tcp"/> is set.</summary>
    public RtuBusOptions? Rtu { get; init; }

    public TcpBusOptions? Tcp { get; init; }

    /// <summary>Per request.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(1);

    public int Retries { get; init; } = 1;

    /// <summary>Silence kept between two transactions, for slow devices.</summary>
    public TimeSpan Gap { get; init; } = TimeSpan.Zero;

    /// <summary>How long a dead slave or a lost transport is left alone between probes.</summary>
    public SchedulerTuning Backoff { get; init; } = SchedulerTuning.Default;
}

/// <summary>Modbus RTU on a serial port (8 data bits, as RTU requires).</summary>
public sealed record RtuBusOptions(string Port, int Baud = 9600, Parity Parity = Parity.None, StopBits StopBits = StopBits.One);

/// <summary>Modbus TCP to a host and port.</summary>
public sealed record TcpBusOptions(string Host, int Port = 502);

/// <summary>What a Modbus sensor's value means.</summary>
public enum ModbusSensorKind
{
    /// <summary>The engineering value itself (water level, analog).</summary>
    Value,

    /// <summary>A cumulative rain counter: increments are rainfall, a decrease a reset, wrap-around handled.</summary>
    RainTotal,
}

/// <summary>A value read from a Modbus slave.</summary>
public sealed record ModbusSensorOptions : SensorOptions
{
    public required string Bus { get; init; }
    public ModbusSensorKind Kind { get; init; } = ModbusSensorKind.Value;
    public byte Slave { get; init; } = 1;
    public ModbusTable Table { get; init; } = ModbusTable.Holding;
    public ushort Address { get; init; }
    public RegisterType Type { get; init; } = RegisterType.UInt16;
    public ByteOrder Order { get; init; } = ByteOrder.ABCD;

    /// <summary>Engineering value = raw * scale + offset.</summary>
    public double Scale { get; init; } = 1.0;
    public double Offset { get; init; }
}

/// <summary>The readings history (SQLite, WAL).</summary>
public sealed class HistoryOptions
{
    /// <summary>Default <see cref="FlushInterval"/>: 30 s.</summary>
    public static readonly TimeSpan DefaultFlushInterval = TimeSpan.FromSeconds(30);

    /// <summary>Default <see cref="Retention"/>: 8 days.</summary>
    public static readonly TimeSpan DefaultRetention = TimeSpan.FromDays(8);

    /// <summary>The database file (<c>storage.path/history.db</c>).</summary>
    public required string Path { get; init; }

    /// <summary>Readings older than this are deleted (hourly). At least the longest rule window.</summary>
    public TimeSpan Retention { get; init; } = DefaultRetention;

    /// <summary>
    /// Readings are written in one transaction this often (or sooner when <see cref="FlushCount"/> are
    /// waiting): fewer, larger writes spare the SD card. A power cut loses at most this much history.
    /// </summary>
    public TimeSpan FlushInterval { get; init; } = DefaultFlushInterval;

    /// <summary>A batch this large is written at once.</summary>
    public int FlushCount { get; init; } = 512;

    /// <summary>How often old readings are pruned.</summary>
    public TimeSpan PruneInterval { get; init; } = TimeSpan.FromHours(1);

    /// <summary>
    /// SQLite page size of a new file (an existing file keeps its own). 1 KiB: a batch of readings costs about
    /// one small WAL frame instead of a 4 KiB one (see docs/performance.md).
    /// </summary>
    public int PageSize { get; init; } = 1024;
}
