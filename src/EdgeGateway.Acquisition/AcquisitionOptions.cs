using System.Device.Gpio;
using System.IO.Ports;
using System.Globalization;
using EdgeGateway.Acquisition.Buses;
using EdgeGateway.Core.Options;
using EdgeGateway.Modbus;

namespace EdgeGateway.Acquisition;

/// <summary>
/// Everything the acquisition side needs to know: which sensors to read, on which bus or line, how often, and
/// where the readings history lives. The host maps <c>station.yaml</c> onto this; tests build it directly.
/// Each part owns its defaults and the checks of its own values (<c>Validate</c>).
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

    /// <summary>Every problem of every part, each as "sensor ID: field: message" or "bus ID: ..."; empty when the options can run.</summary>
    public IReadOnlyList<string> Validate()
    {
        var sensors = TippingBuckets.Cast<SensorOptions>().Concat(DigitalInputs).Concat(Ina219Sensors).Concat(ModbusSensors);
        return
        [
            .. Buses.SelectMany(b => b.Validate().Select(p => $"bus {b.Id}: {p}")),
            .. sensors.SelectMany(s => s.Validate().Select(p => $"sensor {s.Id}: {p}")),
            .. History?.Validate().Select(p => $"history: {p}") ?? [],
        ];
    }
}

/// <summary>An inclusive range of plausible engineering values; outside it a reading is out-of-range.</summary>
public readonly record struct ValueRange(double Min, double Max)
{
    public bool Contains(double value) => value >= Min && value <= Max;

    /// <summary>Null when the range holds something; otherwise why not.</summary>
    public string? Problem() => Min > Max
        ? string.Create(CultureInfo.InvariantCulture, $"[{Min:R}, {Max:R}]: min is above max")
        : null;
}

/// <summary>What every sensor has: its id, how often it is read, and its valid range.</summary>
public abstract record SensorOptions
{
    /// <summary>Default <see cref="Poll"/>: 60 s.</summary>
    public static readonly TimeSpan DefaultPoll = TimeSpan.FromSeconds(60);

    /// <summary>Default scale (engineering value = raw * scale + offset): 1.</summary>
    public const double DefaultScale = 1.0;

    public required string Id { get; init; }

    /// <summary>
    /// How often the sensor is read (or, for a digital input, its state republished). A sensor with no good
    /// reading within three periods is reported stale.
    /// </summary>
    public TimeSpan Poll { get; init; } = DefaultPoll;

    /// <summary>Readings outside this range are out-of-range (value NaN); null accepts everything.</summary>
    public ValueRange? Valid { get; init; }

    /// <summary>Every problem of the sensor's own values, each naming its station.yaml key; empty when it can run.</summary>
    public virtual IEnumerable<OptionProblem> Validate()
    {
        if (OptionChecks.Positive(Poll) is { } poll)
        {
            yield return new("poll", poll);
        }

        if (Valid?.Problem() is { } valid)
        {
            yield return new("valid", valid);
        }
    }

    /// <summary>A scale of 0 would make every reading the offset.</summary>
    public static string? ScaleProblem(double scale) => scale switch
    {
        0 => "a scale of 0 makes every reading the offset",
        _ when !double.IsFinite(scale) => $"{scale.ToString(CultureInfo.InvariantCulture)} is not a scale",
        _ => null,
    };

    /// <summary>A GPIO input's line number (a chip offset): 0 or more.</summary>
    public static string? LineProblem(int pin) => OptionChecks.GpioLine(pin);
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

    /// <summary>A gauge is read on its edges: its <see cref="SensorOptions.Poll"/> is not used.</summary>
    public override IEnumerable<OptionProblem> Validate()
    {
        if (LineProblem(Pin) is { } pin)
        {
            yield return new("pin", pin);
        }

        if (MmPerTipProblem(MmPerTip) is { } mm)
        {
            yield return new("mmPerTip", mm);
        }

        if (Valid?.Problem() is { } valid)
        {
            yield return new("valid", valid);
        }
    }

    public static string? MmPerTipProblem(double mmPerTip) => mmPerTip > 0 ? null : "must be more than 0";
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

    public override IEnumerable<OptionProblem> Validate() =>
        base.Validate().Concat(LineProblem(Pin) is { } pin ? [new OptionProblem("pin", pin)] : []);
}

/// <summary>An INA219 power monitor on I2C; its bus voltage is the reading (battery or solar volts).</summary>
public sealed record Ina219Options : SensorOptions
{
    /// <summary>Default <see cref="Bus"/>: I2C bus 1, the Raspberry Pi's header.</summary>
    public const int DefaultBus = 1;

    /// <summary>Default <see cref="Address"/>: 0x40, with both address pins to ground.</summary>
    public const int DefaultAddress = 0x40;

    public int Bus { get; init; } = DefaultBus;
    public int Address { get; init; } = DefaultAddress;

    /// <summary>Engineering value = volts * scale + offset (a divider ahead of the INA219, for instance).</summary>
    public double Scale { get; init; } = DefaultScale;
    public double Offset { get; init; }

    public override IEnumerable<OptionProblem> Validate()
    {
        foreach (var problem in base.Validate())
        {
            yield return problem;
        }

        if (BusProblem(Bus) is { } bus)
        {
            yield return new("bus", bus);
        }

        if (AddressProblem(Address) is { } address)
        {
            yield return new("address", address);
        }

        if (ScaleProblem(Scale) is { } scale)
        {
            yield return new("scale", scale);
        }
    }

    public static string? BusProblem(int bus) => bus < 0 ? $"{bus} is not an I2C bus number" : null;

    /// <summary>The INA219's two address pins give 16 addresses, 0x40-0x4F.</summary>
    public static string? AddressProblem(int address) =>
        address is < 0x40 or > 0x4F ? string.Create(CultureInfo.InvariantCulture, $"0x{address:X2} is not an INA219 address (0x40-0x4F)") : null;
}

/// <summary>One Modbus bus (a serial line or a TCP link): its transport and how patient to be with it.</summary>
public sealed record ModbusBusOptions
{
    /// <summary>Default <see cref="Timeout"/>: 1 s.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(1);

    /// <summary>Default <see cref="Retries"/>: 1.</summary>
    public const int DefaultRetries = 1;

    /// <summary>Default <see cref="Gap"/>: none.</summary>
    public static readonly TimeSpan DefaultGap = TimeSpan.Zero;

    /// <summary>The most <see cref="Retries"/> allowed: past it a dead slave holds the whole bus up.</summary>
    public const int MaxRetries = 10;

    public required string Id { get; init; }

    /// <summary>RTU over a serial port; exactly one of <see cref="Rtu"/> and <see cref="Tcp"/> is set.</summary>
    public RtuBusOptions? Rtu { get; init; }

    public TcpBusOptions? Tcp { get; init; }

    /// <summary>Per request.</summary>
    public TimeSpan Timeout { get; init; } = DefaultTimeout;

    public int Retries { get; init; } = DefaultRetries;

    /// <summary>Silence kept between two transactions, for slow devices.</summary>
    public TimeSpan Gap { get; init; } = DefaultGap;

    /// <summary>How long a dead slave or a lost transport is left alone between probes.</summary>
    public SchedulerTuning Backoff { get; init; } = SchedulerTuning.Default;

    /// <summary>Every problem of the bus's own values, each naming its station.yaml key; empty when it can run.</summary>
    public IEnumerable<OptionProblem> Validate()
    {
        if (Rtu is null && Tcp is null)
        {
            yield return new("", "has neither an RTU port nor a TCP host");
        }

        if (Rtu?.Validate() is { } rtu)
        {
            yield return rtu;
        }

        if (Tcp?.Validate() is { } tcp)
        {
            yield return tcp;
        }

        if (OptionChecks.Positive(Timeout) is { } timeout)
        {
            yield return new("timeout", timeout);
        }

        if (RetriesProblem(Retries) is { } retries)
        {
            yield return new("retries", retries);
        }
    }

    public static string? RetriesProblem(int retries) => retries is < 0 or > MaxRetries ? $"{retries} retries: use 0 to {MaxRetries}" : null;
}

/// <summary>Modbus RTU on a serial port (8 data bits, as RTU requires).</summary>
public sealed record RtuBusOptions(string Port, int Baud = RtuBusOptions.DefaultBaud, Parity Parity = Parity.None, StopBits StopBits = StopBits.One)
{
    /// <summary>Default <see cref="Baud"/>: 9600, the usual factory setting of RS-485 gauges (with no parity and one stop bit).</summary>
    public const int DefaultBaud = 9600;

    public OptionProblem? Validate() => BaudProblem(Baud) is { } baud ? new("modbus-rtu.baud", baud) : null;

    public static string? BaudProblem(int baud) => baud <= 0 ? $"{baud} is not a baud rate" : null;
}

/// <summary>Modbus TCP to a host and port.</summary>
public sealed record TcpBusOptions(string Host, int Port = TcpBusOptions.DefaultPort)
{
    /// <summary>Default <see cref="Port"/>: 502, Modbus TCP's registered port.</summary>
    public const int DefaultPort = 502;

    public OptionProblem? Validate() => OptionChecks.TcpPort(Port) is { } port ? new("modbus-tcp.port", port) : null;
}

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
    /// <summary>Default <see cref="Table"/>: holding registers.</summary>
    public const ModbusTable DefaultTable = ModbusTable.Holding;

    /// <summary>Default <see cref="Type"/>: one unsigned 16-bit register.</summary>
    public const RegisterType DefaultType = RegisterType.UInt16;

    /// <summary>Default <see cref="Order"/>: big endian, Modbus's own.</summary>
    public const ByteOrder DefaultOrder = ByteOrder.ABCD;

    public required string Bus { get; init; }
    public ModbusSensorKind Kind { get; init; } = ModbusSensorKind.Value;
    public byte Slave { get; init; } = 1;
    public ModbusTable Table { get; init; } = DefaultTable;
    public ushort Address { get; init; }
    public RegisterType Type { get; init; } = DefaultType;
    public ByteOrder Order { get; init; } = DefaultOrder;

    /// <summary>Engineering value = raw * scale + offset.</summary>
    public double Scale { get; init; } = DefaultScale;
    public double Offset { get; init; }

    public override IEnumerable<OptionProblem> Validate() =>
        base.Validate().Concat(ScaleProblem(Scale) is { } scale ? [new OptionProblem("scale", scale)] : []);
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

    /// <summary>Problems of the history's own values (<c>storage.history</c> is the retention).</summary>
    public IEnumerable<OptionProblem> Validate()
    {
        if (OptionChecks.Positive(Retention) is { } retention)
        {
            yield return new("history", retention);
        }
    }

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
