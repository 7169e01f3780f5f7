using EdgeGateway.Modbus;

namespace EdgeGateway.Configuration;

// The station.yaml model. Every class mirrors one mapping of the file; property names are the
// camelCase YAML keys. A setting that a stage's options type owns is recorded as given (null where the
// file says nothing): its default and its value checks are the options type's, and the mapping in
// Hosting fills in what was left out. Only settings of the file itself (ids, paths, the log level, the
// alerting defaults) keep a default here. StationConfigValidator judges the file, and every node
// remembers where it came from (Located) so errors can name FILE:LINE:COLUMN.

/// <summary>A position in the configuration file (1-based line and column).</summary>
public readonly record struct SourceMark(int Line, int Column);

/// <summary>Base for every mapping: the loader records the position of the mapping and of each key.</summary>
public abstract class Located
{
    private readonly Dictionary<string, SourceMark> _keys = new(StringComparer.Ordinal);
    private HashSet<string>? _invalid;

    /// <summary>Where the mapping (or scalar) itself starts.</summary>
    public SourceMark Mark { get; set; }

    /// <summary>Where the value of <paramref name="key"/> starts, else the mapping's own position.</summary>
    public SourceMark MarkOf(string key) => _keys.TryGetValue(key, out var m) ? m : Mark;

    public void SetMark(string key, SourceMark mark) => _keys[key] = mark;

    /// <summary>True when the file gave <paramref name="key"/> (even if its value could not be read).</summary>
    public bool Has(string key) => _keys.ContainsKey(key);

    /// <summary>The loader calls this when the value of <paramref name="key"/> was present but unreadable,
    /// so the validator does not build further complaints on the default left in its place.</summary>
    public void MarkInvalid(string key) => (_invalid ??= new(StringComparer.Ordinal)).Add(key);

    /// <summary>True when the file gave <paramref name="key"/> and its value was read.</summary>
    public bool IsSet(string key) => Has(key) && _invalid?.Contains(key) != true;
}

public sealed class StationConfig : Located
{
    public StationSection Station { get; set; } = new();
    public HardwareSection Hardware { get; set; } = new();
    public ControlSection Control { get; set; } = new();
    public StorageSection Storage { get; set; } = new();
    public List<BusConfig> Buses { get; set; } = [];
    public List<SensorConfig> Sensors { get; set; } = [];
    public AlertingSection Alerting { get; set; } = new();
    public BroadcastSection? Broadcast { get; set; }
    public UplinkSection? Uplink { get; set; }
    public LoggingSection Logging { get; set; } = new();
}

/// <summary>How much the service logs (<c>run --log-level</c> overrides it; applied at the next restart).</summary>
public enum StationLogLevel
{
    Trace,
    Debug,
    Info,
    Warning,
    Error,
    Critical,
}

public sealed class LoggingSection : Located
{
    /// <summary>The least severe level written: info by default; warning leaves only alarms, faults and failures.</summary>
    public StationLogLevel Level { get; set; } = StationLogLevel.Info;
}

public sealed class StationSection : Located
{
    /// <summary>[a-z0-9-]{3,40}; used in MQTT topics.</summary>
    public string Id { get; set; } = "";
    public string? Name { get; set; }
    /// <summary>IANA zone for local-time display and the local times of SL 651 frames; everything recorded is UTC.</summary>
    public string? Timezone { get; set; }
    /// <summary>BCP 47 tag of the texts the station writes for people (CAP <c>info/language</c>), e.g. zh-CN; null: not given
    /// (<see cref="Uplink.UplinkOptions.DefaultLanguage"/>).</summary>
    public string? Language { get; set; }
}

public enum GpioDriverKind
{
    Libgpiod,
    Simulated,
}

public sealed class HardwareSection : Located
{
    public GpioSection Gpio { get; set; } = new();
}

public sealed class GpioSection : Located
{
    public GpioDriverKind Driver { get; set; } = GpioDriverKind.Libgpiod;

    /// <summary>Null: not given (<see cref="Hardware.Gpio.GpioHardwareOptions.DefaultChip"/>).</summary>
    public string? Chip { get; set; }
}

public sealed class ControlSection : Located
{
    public const string DefaultSocket = "/run/edge-gateway/control.sock";
    public string Socket { get; set; } = DefaultSocket;
}

public sealed class StorageSection : Located
{
    public const string DefaultPath = "/var/lib/edge-gateway";
    public string Path { get; set; } = DefaultPath;
    /// <summary>Outbox cap in bytes: past it telemetry is dropped oldest first; alerts never. Null: not given
    /// (<see cref="Uplink.UplinkOptions.DefaultQueueLimit"/>).</summary>
    public long? QueueLimit { get; set; }
    /// <summary>How long readings history is kept (at least the longest rule window). Null: not given
    /// (<see cref="Acquisition.HistoryOptions.DefaultRetention"/>).</summary>
    public TimeSpan? History { get; set; }
}

public enum Parity
{
    None,
    Even,
    Odd,
}

/// <summary>A bus as written: null where the file says nothing (<see cref="Acquisition.ModbusBusOptions"/> holds the defaults).</summary>
public sealed class BusConfig : Located
{
    public string Id { get; set; } = "";
    public ModbusRtuSection? ModbusRtu { get; set; }
    public ModbusTcpSection? ModbusTcp { get; set; }
    /// <summary>Per request.</summary>
    public TimeSpan? Timeout { get; set; }
    public int? Retries { get; set; }
    /// <summary>Silence kept between two transactions on this bus, for slow devices.</summary>
    public TimeSpan? Gap { get; set; }
}

/// <summary><c>modbus-rtu</c> as written: null where the file says nothing (<see cref="Acquisition.RtuBusOptions"/> holds the defaults).</summary>
public sealed class ModbusRtuSection : Located
{
    public string Port { get; set; } = "";
    public int? Baud { get; set; }
    public Parity? Parity { get; set; }
    /// <summary>Checked (8, or 7) but not used: RTU frames have 8 data bits.</summary>
    public int? DataBits { get; set; }
    public int? StopBits { get; set; }
}

/// <summary><c>modbus-tcp</c> as written: null where the file says nothing (<see cref="Acquisition.TcpBusOptions"/> holds the defaults).</summary>
public sealed class ModbusTcpSection : Located
{
    public string Host { get; set; } = "";
    public int? Port { get; set; }
}

public enum SensorKind
{
    WaterLevel,
    RainTotal,
    RainPulse,
    Digital,
    Analog,
}

public sealed class SensorConfig : Located
{
    public string Id { get; set; } = "";
    public SensorKind Kind { get; set; }
    public string? Unit { get; set; }
    public ModbusPointSection? Modbus { get; set; }
    public GpioInputSection? Gpio { get; set; }
    public Ina219Section? Ina219 { get; set; }
    /// <summary>Engineering value = raw * scale + offset; null: not given (the sensor options hold the defaults).</summary>
    public double? Scale { get; set; }
    public double? Offset { get; set; }
    /// <summary>[min, max]; outside it a reading is out-of-range and ignored by rules.</summary>
    public ValidRange? Valid { get; set; }
    public TimeSpan? Poll { get; set; }
    /// <summary>Rain per tip of a tipping bucket (rain-pulse).</summary>
    public double? MmPerTip { get; set; }
}

public sealed class ValidRange : Located
{
    public double Min { get; set; }
    public double Max { get; set; }
}

/// <summary>A Modbus point as written: null where the file says nothing (<see cref="Acquisition.ModbusSensorOptions"/> holds the defaults).</summary>
public sealed class ModbusPointSection : Located
{
    public string Bus { get; set; } = "";
    public int Slave { get; set; }
    public ModbusTable? Table { get; set; }
    public int Address { get; set; }
    public RegisterType? Type { get; set; }
    public ByteOrder? Order { get; set; }
}

public enum GpioEdge
{
    Falling,
    Rising,
    Both,
}

public enum GpioPull
{
    None,
    Up,
    Down,
}

/// <summary>A GPIO input as written: null where the file says nothing (the acquisition options hold the defaults).</summary>
public sealed class GpioInputSection : Located
{
    public int Pin { get; set; }
    public GpioEdge? Edge { get; set; }
    public GpioPull? Pull { get; set; }
    public bool ActiveLow { get; set; }
    public TimeSpan? Debounce { get; set; }
}

/// <summary>An INA219 as written: null where the file says nothing (the acquisition options hold the defaults).</summary>
public sealed class Ina219Section : Located
{
    public int? Bus { get; set; }
    public int? Address { get; set; }
}

/// <summary>CAP 1.2 severity values.</summary>
public enum CapSeverity
{
    Extreme,
    Severe,
    Moderate,
    Minor,
    Unknown,
}

public sealed class AlertingSection : Located
{
    public TimeSpan ClearAfter { get; set; } = TimeSpan.FromMinutes(30);
    /// <summary>Ordered, lowest first; "none" is implicit below the first.</summary>
    public List<LevelConfig> Levels { get; set; } = [];
    /// <summary>The broadcast played on return to none; null when <c>allClear</c> has no message (or is absent).</summary>
    public BroadcastRequestConfig? AllClear { get; set; }
    /// <summary><c>allClear.cap</c>: the texts of the CAP document on return to none.</summary>
    public CapTextsConfig? AllClearCap { get; set; }
    public List<RuleConfig> Rules { get; set; } = [];
}

public sealed class LevelConfig : Located
{
    public string Id { get; set; } = "";
    public CapSeverity Severity { get; set; } = CapSeverity.Unknown;
    public BroadcastRequestConfig? Broadcast { get; set; }
    public CapTextsConfig? Cap { get; set; }
}

/// <summary>
/// The texts of a CAP document in the station's language, each optional (the English text where absent). They may
/// name the transition with placeholders: <c>{rule}</c>, <c>{from}</c>, <c>{to}</c>, <c>{value}</c>, <c>{threshold}</c>.
/// </summary>
public sealed class CapTextsConfig : Located
{
    public string? Headline { get; set; }
    public string? Description { get; set; }
    public string? Instruction { get; set; }
}

public sealed class BroadcastRequestConfig : Located
{
    public string Message { get; set; } = "";
    /// <summary>Null: not given (<see cref="Core.Alerting.BroadcastCue.DefaultRepeat"/>).</summary>
    public int? Repeat { get; set; }
}

public enum MeasureKind
{
    Value,
    Sum,
    Rise,
}

/// <summary><c>value</c>, <c>{ sum: W }</c> or <c>{ rise: W }</c>.</summary>
public sealed class MeasureConfig : Located
{
    public MeasureKind Kind { get; set; } = MeasureKind.Value;
    public TimeSpan Window { get; set; }
}

public enum DigitalCondition
{
    Active,
    Inactive,
}

public sealed class RuleConfig : Located
{
    public string Id { get; set; } = "";
    public string Sensor { get; set; } = "";
    /// <summary>Threshold rules: the measure and its per-level thresholds.</summary>
    public MeasureConfig? Measure { get; set; }
    /// <summary>Level id -> threshold, in file order.</summary>
    public List<KeyValuePair<string, double>>? Above { get; set; }
    public double Hysteresis { get; set; }
    public TimeSpan Hold { get; set; } = TimeSpan.Zero;
    /// <summary>Overrides alerting.clearAfter for this rule.</summary>
    public TimeSpan? ClearAfter { get; set; }
    /// <summary>Digital rules: the state that raises <see cref="Level"/>.</summary>
    public DigitalCondition? When { get; set; }
    public string? Level { get; set; }
    /// <summary>Never steps down by itself; cleared by an operator or a signed command.</summary>
    public bool Latch { get; set; }
}

/// <summary><c>broadcast</c> as written: null where the file says nothing (<see cref="Broadcast.BroadcastOptions"/> holds the defaults).</summary>
public sealed class BroadcastSection : Located
{
    public AmplifierConfig Amplifier { get; set; } = new();
    public List<ZoneConfig> Zones { get; set; } = [];
    public AudioConfig Audio { get; set; } = new();
    /// <summary>Silence between repeats.</summary>
    public TimeSpan? Gap { get; set; }
    public Dictionary<string, MessageConfig> Messages { get; set; } = new(StringComparer.Ordinal);
    /// <summary>Silent self-test period (relays and audio path, no sound on the speakers); zero disables.</summary>
    public TimeSpan? SelfTest { get; set; }
}

public sealed class AmplifierConfig : Located
{
    public int Gpio { get; set; }
    public TimeSpan? Warmup { get; set; }
    public TimeSpan? Tail { get; set; }
}

public sealed class ZoneConfig : Located
{
    public string Id { get; set; } = "";
    public int Gpio { get; set; }
}

public enum AudioSinkKind
{
    Alsa,
    File,
    None,
}

public sealed class AudioConfig : Located
{
    public AudioSinkKind Sink { get; set; } = AudioSinkKind.Alsa;
    public string Device { get; set; } = "default";
    /// <summary>For <c>sink: file</c>: the WAV everything played is appended to.</summary>
    public string? Path { get; set; }
}

public sealed class MessageConfig : Located
{
    public string? File { get; set; }
    public string? Text { get; set; }
    public string? Voice { get; set; }
}

public sealed class UplinkSection : Located
{
    public MqttSection? Mqtt { get; set; }
    public Sl651Section? Sl651 { get; set; }
    /// <summary>Reading batches and the status heartbeat; alerts and events go at once. Null: not given.</summary>
    public TimeSpan? Telemetry { get; set; }
    /// <summary>ECDSA P-256 public key (PEM) that signs hub commands.</summary>
    public string? CommandKey { get; set; }
}

/// <summary><c>uplink.mqtt</c> as written: null where the file says nothing (the uplink options hold the defaults).</summary>
public sealed class MqttSection : Located
{
    public string Host { get; set; } = "";
    public int? Port { get; set; }
    /// <summary>The brokers of one cluster ("host:port" each), tried in turn; instead of host/port.</summary>
    public List<MqttHostEntry>? Hosts { get; set; }
    public TlsConfig? Tls { get; set; }
    public string? Username { get; set; }
    public string? PasswordFile { get; set; }
    public string? Prefix { get; set; }
    /// <summary>"3.1.1" or "5".</summary>
    public string? Protocol { get; set; }
    public TimeSpan? KeepAlive { get; set; }
}

/// <summary>One <c>uplink.mqtt.hosts</c> item.</summary>
public sealed class MqttHostEntry : Located
{
    public string Host { get; set; } = "";
    public int Port { get; set; }
}

public sealed class TlsConfig : Located
{
    public string? Ca { get; set; }
    public string? Cert { get; set; }
    public string? Key { get; set; }
}

/// <summary><c>uplink.sl651</c>: the SL 651-2014 remote station, as written: null where the file says nothing (the
/// defaults are <see cref="Uplink.Sl651.Sl651Options"/>'s).</summary>
public sealed class Sl651Section : Located
{
    /// <summary>Tried in order; reports go to the first that accepts the connection.</summary>
    public List<Sl651CentreConfig> Centres { get; set; } = [];
    /// <summary>Centre station address, 1-255.</summary>
    public int? Centre { get; set; }
    /// <summary>Remote station address: 10 digits.</summary>
    public string Station { get; set; } = "";
    /// <summary>4 hex digits.</summary>
    public string Password { get; set; } = "";
    /// <summary>The type letter: P, H, K, Z, D, T, M, G, Q, I or O.</summary>
    public string StationType { get; set; } = "";
    public TimeSpan? Timed { get; set; }
    public TimeSpan? KeepAlive { get; set; }
    public List<Sl651ElementConfig> Elements { get; set; } = [];
}

public sealed class Sl651CentreConfig : Located
{
    public string Host { get; set; } = "";
    public int Port { get; set; }
}

public sealed class Sl651ElementConfig : Located
{
    public string Sensor { get; set; } = "";
    /// <summary>The identifier in hex, as the standard writes it ("39", "1A").</summary>
    public string Element { get; set; } = "";
}
