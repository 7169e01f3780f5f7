using System.Globalization;
using EdgeGateway.Configuration.Internal;
using EdgeGateway.Hardware.Audio;
using EdgeGateway.Modbus;

namespace EdgeGateway.Configuration;

/// <summary>
/// Loads station.yaml into <see cref="StationConfig"/>. Reading reports syntax, type, unknown-key and
/// missing-key problems; <see cref="StationConfigValidator"/> then judges the values together. Either
/// way every problem is reported at once, each located as FILE:LINE:COLUMN.
/// </summary>
public static class StationConfigLoader
{
    /// <summary>Where <c>edgegw</c> looks when no file is named.</summary>
    public const string DefaultPath = "/etc/edge-gateway/station.yaml";

    /// <summary>
    /// The largest station file accepted. A real one is a few kilobytes; anything near this is a mistake
    /// or an attack, and refusing it before parsing keeps validate, run and reload small and quick.
    /// </summary>
    public const int MaxFileBytes = 1024 * 1024;

    /// <summary>Reads, parses and validates the file. An unreadable or oversized file is one error at 1:1.</summary>
    public static ConfigLoadResult Load(string path) => Load(path, inspectClips: false);

    /// <summary>
    /// As <see cref="Load(string)"/>; with <paramref name="inspectClips"/>, a message's WAV file that exists
    /// and can be read is also judged from its header, and a malformed one is an error at the message's
    /// line. <c>config validate</c> asks for that; <c>run</c> and the reload do not, because there a bad clip
    /// makes only that message unavailable. A missing or unreadable clip is never an error here.
    /// </summary>
    public static ConfigLoadResult Load(string path, bool inspectClips)
    {
        ArgumentNullException.ThrowIfNull(path);
        byte[] bytes;
        try
        {
            bytes = ReadBounded(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            var reason = e is FileNotFoundException or DirectoryNotFoundException ? "no such file" : "cannot read the file: " + e.Message;
            return new ConfigLoadResult(path, null, [new ConfigError(path, new SourceMark(1, 1), "", reason)]);
        }

        if (bytes.Length > MaxFileBytes)
        {
            return new ConfigLoadResult(path, null, [new ConfigError(path, new SourceMark(1, 1), "", $"the file is larger than {MaxFileBytes} bytes (1 MiB); a station file is a few kilobytes")]);
        }

        // As File.ReadAllText would decode it: UTF-8 unless a byte order mark says otherwise.
        using var reader = new StreamReader(new MemoryStream(bytes), System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        var text = reader.ReadToEnd();
        return Parse(text, path, inspectClips);
    }

    /// <summary>
    /// The file's bytes, but never more than <see cref="MaxFileBytes"/> + 1: enough to tell an oversized
    /// file without reading it (it may be growing, or be a device).
    /// </summary>
    public static byte[] ReadBounded(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.SequentialScan);
        var buffer = new byte[MaxFileBytes + 1];
        var filled = 0;
        int n;
        while (filled < buffer.Length && (n = stream.Read(buffer, filled, buffer.Length - filled)) > 0)
        {
            filled += n;
        }

        return filled == buffer.Length ? buffer : buffer[..filled];
    }

    /// <summary>Parses and validates YAML text; <paramref name="file"/> is the name errors carry.</summary>
    public static ConfigLoadResult Parse(string text, string file) => Parse(text, file, inspectClips: false);

    private static ConfigLoadResult Parse(string text, string file, bool inspectClips)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(file);
        var ctx = new LoadContext(file);
        var root = YamlTree.Parse(text, out var syntax);
        if (root is null)
        {
            ctx.Error(syntax!.Mark, "", syntax.Message);
            return new ConfigLoadResult(file, null, ctx.Errors);
        }

        var config = ReadRoot(ctx, root);
        if (config is not null)
        {
            ctx.Errors.AddRange(StationConfigValidator.Validate(config, file));
            if (inspectClips)
            {
                InspectClips(ctx, config);
            }
        }

        var errors = ctx.Errors
            .OrderBy(e => e.Mark.Line)
            .ThenBy(e => e.Mark.Column)
            .Take(ConfigLoadResult.MaxErrorsKept)
            .ToList();
        return new ConfigLoadResult(file, config, errors, ctx.Errors.Count);
    }

    private static void InspectClips(LoadContext ctx, StationConfig config)
    {
        foreach (var (id, message) in config.Broadcast?.Messages ?? [])
        {
            if (message.File is not { } clip || !File.Exists(clip))
            {
                continue;
            }

            try
            {
                WavFile.Inspect(clip);
            }
            catch (InvalidDataException e)
            {
                ctx.Error(message.MarkOf("file"), $"broadcast.messages.{id}.file", $"{clip} cannot be played: {e.Message}");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Unreadable here is a fault of the machine, which validate does not judge.
            }
        }
    }

    private static StationConfig? ReadRoot(LoadContext ctx, YNode node)
    {
        var c = new StationConfig();
        if (MapReader.Open(ctx, node, "", c) is not { } m)
        {
            return null;
        }

        c.Station = m.Child("station", (n, p) => ReadStation(ctx, n, p), required: true) ?? c.Station;
        c.Hardware = m.Child("hardware", (n, p) => ReadHardware(ctx, n, p)) ?? c.Hardware;
        c.Control = m.Child("control", (n, p) => ReadControl(ctx, n, p)) ?? c.Control;
        c.Storage = m.Child("storage", (n, p) => ReadStorage(ctx, n, p)) ?? c.Storage;
        c.Buses = m.List("buses", (n, p) => ReadBus(ctx, n, p)) ?? c.Buses;
        c.Sensors = m.List("sensors", (n, p) => ReadSensor(ctx, n, p), required: true) ?? c.Sensors;
        c.Alerting = m.Child("alerting", (n, p) => ReadAlerting(ctx, n, p), required: true) ?? c.Alerting;
        c.Broadcast = m.Child("broadcast", (n, p) => ReadBroadcast(ctx, n, p));
        c.Uplink = m.Child("uplink", (n, p) => ReadUplink(ctx, n, p));
        c.Logging = m.Child("logging", (n, p) => ReadLogging(ctx, n, p)) ?? c.Logging;
        m.Done();
        return c;
    }

    private static LoggingSection? ReadLogging(LoadContext ctx, YNode node, string path)
    {
        var l = new LoggingSection();
        if (MapReader.Open(ctx, node, path, l) is not { } m)
        {
            return null;
        }

        l.Level = m.Enum<StationLogLevel>("level") ?? l.Level;
        m.Done();
        return l;
    }

    private static StationSection? ReadStation(LoadContext ctx, YNode node, string path)
    {
        var s = new StationSection();
        if (MapReader.Open(ctx, node, path, s) is not { } m)
        {
            return null;
        }

        s.Id = m.Text("id", required: true) ?? s.Id;
        s.Name = m.Text("name");
        s.Timezone = m.Text("timezone");
        s.Language = m.Text("language");
        m.Done();
        return s;
    }

    private static HardwareSection? ReadHardware(LoadContext ctx, YNode node, string path)
    {
        var h = new HardwareSection();
        if (MapReader.Open(ctx, node, path, h) is not { } m)
        {
            return null;
        }

        h.Gpio = m.Child("gpio", (n, p) => ReadGpioChip(ctx, n, p)) ?? h.Gpio;
        m.Done();
        return h;
    }

    private static GpioSection? ReadGpioChip(LoadContext ctx, YNode node, string path)
    {
        var g = new GpioSection();
        if (MapReader.Open(ctx, node, path, g) is not { } m)
        {
            return null;
        }

        g.Driver = m.Enum<GpioDriverKind>("driver") ?? g.Driver;
        g.Chip = m.Text("chip");
        m.Done();
        return g;
    }

    private static ControlSection? ReadControl(LoadContext ctx, YNode node, string path)
    {
        var c = new ControlSection();
        if (MapReader.Open(ctx, node, path, c) is not { } m)
        {
            return null;
        }

        c.Socket = m.Text("socket") ?? c.Socket;
        m.Done();
        return c;
    }

    private static StorageSection? ReadStorage(LoadContext ctx, YNode node, string path)
    {
        var s = new StorageSection();
        if (MapReader.Open(ctx, node, path, s) is not { } m)
        {
            return null;
        }

        s.Path = m.Text("path") ?? s.Path;
        s.QueueLimit = m.Size("queueLimit");
        s.History = m.Duration("history");
        m.Done();
        return s;
    }

    private static BusConfig? ReadBus(LoadContext ctx, YNode node, string path)
    {
        var b = new BusConfig();
        if (MapReader.Open(ctx, node, path, b) is not { } m)
        {
            return null;
        }

        b.Id = m.Text("id", required: true) ?? b.Id;
        b.ModbusRtu = m.Child("modbus-rtu", (n, p) => ReadRtu(ctx, n, p));
        b.ModbusTcp = m.Child("modbus-tcp", (n, p) => ReadTcp(ctx, n, p));
        b.Timeout = m.Duration("timeout");
        b.Retries = m.Int("retries");
        b.Gap = m.Duration("gap");
        m.Done();
        return b;
    }

    private static ModbusRtuSection? ReadRtu(LoadContext ctx, YNode node, string path)
    {
        var r = new ModbusRtuSection();
        if (MapReader.Open(ctx, node, path, r) is not { } m)
        {
            return null;
        }

        r.Port = m.Text("port", required: true) ?? r.Port;
        r.Baud = m.Int("baud");
        r.Parity = m.Enum<Parity>("parity");
        r.DataBits = m.Int("dataBits");
        r.StopBits = m.Int("stopBits");
        m.Done();
        return r;
    }

    private static ModbusTcpSection? ReadTcp(LoadContext ctx, YNode node, string path)
    {
        var t = new ModbusTcpSection();
        if (MapReader.Open(ctx, node, path, t) is not { } m)
        {
            return null;
        }

        t.Host = m.Text("host", required: true) ?? t.Host;
        t.Port = m.Int("port");
        m.Done();
        return t;
    }

    private static SensorConfig? ReadSensor(LoadContext ctx, YNode node, string path)
    {
        var s = new SensorConfig();
        if (MapReader.Open(ctx, node, path, s) is not { } m)
        {
            return null;
        }

        s.Id = m.Text("id", required: true) ?? s.Id;
        s.Kind = m.Enum<SensorKind>("kind", required: true) ?? s.Kind;
        s.Unit = m.Text("unit");
        s.Modbus = m.Child("modbus", (n, p) => ReadModbusPoint(ctx, n, p));
        s.Gpio = m.Child("gpio", (n, p) => ReadGpioInput(ctx, n, p));
        s.Ina219 = m.Child("ina219", (n, p) => ReadIna219(ctx, n, p));
        s.Scale = m.Double("scale");
        s.Offset = m.Double("offset");
        s.Valid = m.Child("valid", (n, p) => ReadRange(ctx, n, p));
        s.Poll = m.Duration("poll");
        s.MmPerTip = m.Double("mmPerTip");
        m.Done();
        return s;
    }

    private static ModbusPointSection? ReadModbusPoint(LoadContext ctx, YNode node, string path)
    {
        var p = new ModbusPointSection();
        if (MapReader.Open(ctx, node, path, p) is not { } m)
        {
            return null;
        }

        p.Bus = m.Text("bus", required: true) ?? p.Bus;
        p.Slave = m.Int("slave", required: true) ?? p.Slave;
        p.Table = m.Enum<ModbusTable>("table");
        p.Address = m.Int("address", required: true) ?? p.Address;
        p.Type = m.Enum<RegisterType>("type");
        p.Order = m.Enum<ByteOrder>("order");
        m.Done();
        return p;
    }

    private static GpioInputSection? ReadGpioInput(LoadContext ctx, YNode node, string path)
    {
        var g = new GpioInputSection();
        if (MapReader.Open(ctx, node, path, g) is not { } m)
        {
            return null;
        }

        g.Pin = m.Int("pin", required: true) ?? g.Pin;
        g.Edge = m.Enum<GpioEdge>("edge");
        g.Pull = m.Enum<GpioPull>("pull");
        g.ActiveLow = m.Bool("activeLow") ?? g.ActiveLow;
        g.Debounce = m.Duration("debounce");
        m.Done();
        return g;
    }

    private static Ina219Section? ReadIna219(LoadContext ctx, YNode node, string path)
    {
        var i = new Ina219Section();
        if (MapReader.Open(ctx, node, path, i) is not { } m)
        {
            return null;
        }

        i.Bus = m.Int("bus");
        i.Address = m.Int("address");
        m.Done();
        return i;
    }

    // valid: [min, max]
    private static ValidRange? ReadRange(LoadContext ctx, YNode node, string path)
    {
        if (ctx.Sequence(node, path) is not { } seq)
        {
            return null;
        }

        var r = new ValidRange { Mark = seq.Start };
        if (seq.Items.Count != 2)
        {
            ctx.Error(seq.Start, path, $"expected [min, max], found a list of {seq.Items.Count}");
            return null;
        }

        r.SetMark("min", seq.Items[0].Start);
        r.SetMark("max", seq.Items[1].Start);
        var min = ctx.Double(seq.Items[0], path + "[0]");
        var max = ctx.Double(seq.Items[1], path + "[1]");
        if (min is null || max is null)
        {
            return null;
        }

        r.Min = min.Value;
        r.Max = max.Value;
        return r;
    }

    private static AlertingSection? ReadAlerting(LoadContext ctx, YNode node, string path)
    {
        var a = new AlertingSection();
        if (MapReader.Open(ctx, node, path, a) is not { } m)
        {
            return null;
        }

        a.ClearAfter = m.Duration("clearAfter") ?? a.ClearAfter;
        a.Levels = m.List("levels", (n, p) => ReadLevel(ctx, n, p), required: true) ?? a.Levels;
        a.AllClear = m.Child("allClear", (n, p) => ReadAllClear(ctx, n, p, a));
        a.Rules = m.List("rules", (n, p) => ReadRule(ctx, n, p), required: true) ?? a.Rules;
        m.Done();
        return a;
    }

    private static LevelConfig? ReadLevel(LoadContext ctx, YNode node, string path)
    {
        var l = new LevelConfig();
        if (MapReader.Open(ctx, node, path, l) is not { } m)
        {
            return null;
        }

        l.Id = m.Text("id", required: true) ?? l.Id;
        l.Severity = m.Enum<CapSeverity>("severity", required: true) ?? l.Severity;
        l.Broadcast = m.Child("broadcast", (n, p) => ReadBroadcastRequest(ctx, n, p));
        l.Cap = m.Child("cap", (n, p) => ReadCapTexts(ctx, n, p));
        m.Done();
        return l;
    }

    /// <summary>
    /// <c>allClear</c>: the broadcast request's keys and <c>cap</c>. A message is needed only for a broadcast, so
    /// <c>{ cap: ... }</c> alone gives CAP texts and no all-clear broadcast (null).
    /// </summary>
    private static BroadcastRequestConfig? ReadAllClear(LoadContext ctx, YNode node, string path, AlertingSection alerting)
    {
        var b = new BroadcastRequestConfig();
        if (MapReader.Open(ctx, node, path, b) is not { } m)
        {
            return null;
        }

        alerting.AllClearCap = m.Child("cap", (n, p) => ReadCapTexts(ctx, n, p));
        var message = m.Text("message", required: !b.Has("cap"));
        b.Message = message ?? b.Message;
        b.Repeat = m.Int("repeat");
        m.Done();
        if (!b.Has("message") && b.Has("repeat") && b.Has("cap"))
        {
            ctx.Error(b.MarkOf("repeat"), m.PathOf("repeat"), "repeat without a message: name the message to play, or leave repeat out");
        }

        return b.Has("message") || !b.Has("cap") ? b : null;
    }

    private static CapTextsConfig? ReadCapTexts(LoadContext ctx, YNode node, string path)
    {
        var c = new CapTextsConfig();
        if (MapReader.Open(ctx, node, path, c) is not { } m)
        {
            return null;
        }

        c.Headline = m.Text("headline");
        c.Description = m.Text("description");
        c.Instruction = m.Text("instruction");
        m.Done();
        return c;
    }

    private static BroadcastRequestConfig? ReadBroadcastRequest(LoadContext ctx, YNode node, string path)
    {
        var b = new BroadcastRequestConfig();
        if (MapReader.Open(ctx, node, path, b) is not { } m)
        {
            return null;
        }

        b.Message = m.Text("message", required: true) ?? b.Message;
        b.Repeat = m.Int("repeat");
        m.Done();
        return b;
    }

    private static RuleConfig? ReadRule(LoadContext ctx, YNode node, string path)
    {
        var r = new RuleConfig();
        if (MapReader.Open(ctx, node, path, r) is not { } m)
        {
            return null;
        }

        r.Id = m.Text("id", required: true) ?? r.Id;
        r.Sensor = m.Text("sensor", required: true) ?? r.Sensor;
        r.Measure = m.Child("measure", (n, p) => ReadMeasure(ctx, n, p));
        if (m.Get("above") is { } above)
        {
            r.Above = ReadThresholds(ctx, above, m.PathOf("above"), r);
            if (r.Above is null)
            {
                r.MarkInvalid("above");
            }
        }

        r.Hysteresis = m.Double("hysteresis") ?? r.Hysteresis;
        r.Hold = m.Duration("hold") ?? r.Hold;
        r.ClearAfter = m.Duration("clearAfter");
        r.When = m.Enum<DigitalCondition>("when");
        r.Level = m.Text("level");
        r.Latch = m.Bool("latch") ?? r.Latch;
        m.Done();
        return r;
    }

    // above: { watch: 20, prepare: 30 } in file order; each entry's position is kept as "above.<level>".
    private static List<KeyValuePair<string, double>>? ReadThresholds(LoadContext ctx, YNode node, string path, RuleConfig rule)
    {
        var holder = new IdKeyedMapping();
        if (MapReader.Open(ctx, node, path, holder) is not { } m)
        {
            return null;
        }

        var list = new List<KeyValuePair<string, double>>();
        foreach (var (key, keyNode, value) in m.Entries())
        {
            rule.SetMark("above." + key, keyNode.Start);
            if (ctx.Double(value, m.PathOf(key)) is { } threshold)
            {
                list.Add(new(key, threshold));
            }
            else
            {
                rule.MarkInvalid("above." + key);
            }
        }

        if (list.Count == 0 && m.Map.Entries.Count == 0)
        {
            ctx.Error(node.Start, path, "no thresholds: give at least one level: threshold");
        }

        return list;
    }

    // measure: value | { sum: W } | { rise: W }
    private static MeasureConfig? ReadMeasure(LoadContext ctx, YNode node, string path)
    {
        const string Expected = "value, { sum: DURATION } or { rise: DURATION }";
        var measure = new MeasureConfig { Mark = node.Start };
        if (node is YScalar { IsNull: false } s)
        {
            if (s.Value.Trim() == "value")
            {
                return measure;
            }

            var hint = s.Value.Trim() is "sum" or "rise" ? $"; a {s.Value.Trim()} needs its window, e.g. {{ {s.Value.Trim()}: 1h }}" : "";
            ctx.Error(s.Start, path, $"unknown measure '{s.Value}'; expected {Expected}{hint}");
            return null;
        }

        if (node is not YMapping)
        {
            ctx.Error(node.Start, path, $"expected {Expected}, found {node.Describe()}");
            return null;
        }

        var m = MapReader.Open(ctx, node, path, measure)!;
        var sum = m.Duration("sum");
        var rise = m.Duration("rise");
        m.Done();
        var given = (m.Map.Entries.Count, measure.Has("sum"), measure.Has("rise"));
        if (given is (_, true, true))
        {
            ctx.Error(measure.MarkOf("rise"), path, "give one of sum or rise, not both");
            return null;
        }

        if (given is (_, false, false))
        {
            if (m.Map.Entries.Count == 0)
            {
                ctx.Error(node.Start, path, $"expected {Expected}, found an empty mapping");
            }

            return null;
        }

        if (sum is null && rise is null)
        {
            return null;
        }

        measure.Kind = sum is not null ? MeasureKind.Sum : MeasureKind.Rise;
        measure.Window = sum ?? rise!.Value;
        return measure;
    }

    private static BroadcastSection? ReadBroadcast(LoadContext ctx, YNode node, string path)
    {
        var b = new BroadcastSection();
        if (MapReader.Open(ctx, node, path, b) is not { } m)
        {
            return null;
        }

        b.Amplifier = m.Child("amplifier", (n, p) => ReadAmplifier(ctx, n, p), required: true) ?? b.Amplifier;
        b.Zones = m.List("zones", (n, p) => ReadZone(ctx, n, p)) ?? b.Zones;
        b.Audio = m.Child("audio", (n, p) => ReadAudio(ctx, n, p)) ?? b.Audio;
        b.Gap = m.Duration("gap");
        b.SelfTest = m.Duration("selfTest");
        if (m.Get("messages") is { } messages && MapReader.Open(ctx, messages, m.PathOf("messages"), new IdKeyedMapping()) is { } mm)
        {
            foreach (var (id, keyNode, value) in mm.Entries())
            {
                b.SetMark("messages." + id, keyNode.Start);
                if (ReadMessage(ctx, value, mm.PathOf(id)) is { } msg)
                {
                    b.Messages[id] = msg;
                }
            }
        }
        else if (b.Has("messages"))
        {
            b.MarkInvalid("messages");
        }

        m.Done();
        return b;
    }

    private static AmplifierConfig? ReadAmplifier(LoadContext ctx, YNode node, string path)
    {
        var a = new AmplifierConfig();
        if (MapReader.Open(ctx, node, path, a) is not { } m)
        {
            return null;
        }

        a.Gpio = m.Int("gpio", required: true) ?? a.Gpio;
        a.Warmup = m.Duration("warmup");
        a.Tail = m.Duration("tail");
        m.Done();
        return a;
    }

    private static ZoneConfig? ReadZone(LoadContext ctx, YNode node, string path)
    {
        var z = new ZoneConfig();
        if (MapReader.Open(ctx, node, path, z) is not { } m)
        {
            return null;
        }

        z.Id = m.Text("id", required: true) ?? z.Id;
        z.Gpio = m.Int("gpio", required: true) ?? z.Gpio;
        m.Done();
        return z;
    }

    private static AudioConfig? ReadAudio(LoadContext ctx, YNode node, string path)
    {
        var a = new AudioConfig();
        if (MapReader.Open(ctx, node, path, a) is not { } m)
        {
            return null;
        }

        a.Sink = m.Enum<AudioSinkKind>("sink", required: true) ?? a.Sink;
        a.Device = m.Text("device") ?? a.Device;
        a.Path = m.Text("path");
        m.Done();
        return a;
    }

    private static MessageConfig? ReadMessage(LoadContext ctx, YNode node, string path)
    {
        var msg = new MessageConfig();
        if (MapReader.Open(ctx, node, path, msg) is not { } m)
        {
            return null;
        }

        msg.File = m.Text("file");
        msg.Text = m.Text("text");
        msg.Voice = m.Text("voice");
        m.Done();
        return msg;
    }

    private static UplinkSection? ReadUplink(LoadContext ctx, YNode node, string path)
    {
        var u = new UplinkSection();
        if (MapReader.Open(ctx, node, path, u) is not { } m)
        {
            return null;
        }

        u.Mqtt = m.Child("mqtt", (n, p) => ReadMqtt(ctx, n, p));
        u.Sl651 = m.Child("sl651", (n, p) => ReadSl651(ctx, n, p));
        u.Telemetry = m.Duration("telemetry");
        u.CommandKey = m.Text("commandKey");
        m.Done();
        return u;
    }

    private static MqttSection? ReadMqtt(LoadContext ctx, YNode node, string path)
    {
        var q = new MqttSection();
        if (MapReader.Open(ctx, node, path, q) is not { } m)
        {
            return null;
        }

        q.Hosts = m.List("hosts", (n, p) => ReadMqttHost(ctx, n, p));
        if (q.Hosts is not null && m.Get("hosts") is YSequence { Items.Count: var given } && given != q.Hosts.Count)
        {
            // Each bad item is reported where it is; "hosts" then has no usable value to judge further.
            q.MarkInvalid("hosts");
        }

        q.Host = m.Text("host", required: !q.Has("hosts")) ?? q.Host;
        q.Port = m.Int("port");
        q.Tls = m.Child("tls", (n, p) => ReadTls(ctx, n, p));
        q.Username = m.Text("username");
        q.PasswordFile = m.Text("passwordFile");
        q.Prefix = m.Text("prefix");
        q.Protocol = m.Text("protocol");
        q.KeepAlive = m.Duration("keepAlive");
        m.Done();
        return q;
    }

    private static Sl651Section? ReadSl651(LoadContext ctx, YNode node, string path)
    {
        var s = new Sl651Section();
        if (MapReader.Open(ctx, node, path, s) is not { } m)
        {
            return null;
        }

        s.Centres = m.List("centres", (n, p) => ReadSl651Centre(ctx, n, p), required: true) ?? s.Centres;
        s.Centre = m.Int("centre");
        s.Station = m.Text("station", required: true) ?? s.Station;
        s.Password = m.Text("password", required: true) ?? s.Password;
        s.StationType = m.Text("stationType", required: true) ?? s.StationType;
        s.Timed = m.Duration("timed");
        s.KeepAlive = m.Duration("keepAlive");
        s.Elements = m.List("elements", (n, p) => ReadSl651Element(ctx, n, p)) ?? s.Elements;
        m.Done();
        return s;
    }

    private static Sl651CentreConfig? ReadSl651Centre(LoadContext ctx, YNode node, string path)
    {
        var c = new Sl651CentreConfig();
        if (MapReader.Open(ctx, node, path, c) is not { } m)
        {
            return null;
        }

        c.Host = m.Text("host", required: true) ?? c.Host;
        c.Port = m.Int("port", required: true) ?? c.Port;
        m.Done();
        return c;
    }

    private static Sl651ElementConfig? ReadSl651Element(LoadContext ctx, YNode node, string path)
    {
        var e = new Sl651ElementConfig();
        if (MapReader.Open(ctx, node, path, e) is not { } m)
        {
            return null;
        }

        e.Sensor = m.Text("sensor", required: true) ?? e.Sensor;
        e.Element = m.Text("element", required: true) ?? e.Element;
        m.Done();
        return e;
    }

    // "host:port", "[v6 address]:port"; the port is required so a cluster list never silently mixes defaults.
    private static MqttHostEntry? ReadMqttHost(LoadContext ctx, YNode node, string path)
    {
        if (ctx.Text(node, path) is not { } text)
        {
            return null;
        }

        var colon = text.LastIndexOf(':');
        var host = colon > 0 ? text[..colon] : "";
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
        }

        if (host.Length == 0 || (host.Contains(':', StringComparison.Ordinal) && !text.StartsWith('['))
            || !int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            || port is < 1 or > 65535)
        {
            ctx.Error(node.Start, path, $"'{text}' is not HOST:PORT (a port 1-65535; an IPv6 address in brackets)");
            return null;
        }

        return new MqttHostEntry { Mark = node.Start, Host = host, Port = port };
    }

    private static TlsConfig? ReadTls(LoadContext ctx, YNode node, string path)
    {
        var t = new TlsConfig();
        if (MapReader.Open(ctx, node, path, t) is not { } m)
        {
            return null;
        }

        t.Ca = m.Text("ca");
        t.Cert = m.Text("cert");
        t.Key = m.Text("key");
        m.Done();
        return t;
    }

    /// <summary>Positions for mappings whose keys are ids (thresholds, messages); kept by their owner.</summary>
    private sealed class IdKeyedMapping : Located
    {
    }
}
