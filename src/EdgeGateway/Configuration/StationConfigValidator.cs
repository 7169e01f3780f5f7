using System.Globalization;
using System.Text.RegularExpressions;
using EdgeGateway.Acquisition;
using EdgeGateway.Configuration.Internal;
using EdgeGateway.Core.Options;
using EdgeGateway.Core.Rules;
using EdgeGateway.Hosting;
using EdgeGateway.Modbus;
using EdgeGateway.Core.Alerting;
using EdgeGateway.Uplink;
using EdgeGateway.Uplink.Sl651;

namespace EdgeGateway.Configuration;

/// <summary>
/// Every check that looks at values together, in one place: ids and references, level order, GPIO
/// pins, Modbus addressing, what fits which sensor kind. A value a stage's options type owns is judged by
/// that type's own check (<c>Validate</c>, or its <c>...Problem</c> for one field), reported here at the
/// line of the key. It judges the file, never the machine: no file, port or device is looked for. Fields
/// the loader could not read are skipped, so one mistake yields one error.
/// </summary>
public static partial class StationConfigValidator
{
    public static IReadOnlyList<ConfigError> Validate(StationConfig config, string file)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(file);
        var check = new Checker(file, config);
        check.Run();
        return check.Errors;
    }

    [GeneratedRegex("^[a-z0-9-]{3,40}$", RegexOptions.CultureInvariant)]
    private static partial Regex StationIdPattern();

    // BCP 47's shape as CAP's xs:language takes it: a 2-8 letter language, then subtags (zh-CN, zh-Hans-CN, en-US).
    [GeneratedRegex("^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$", RegexOptions.CultureInvariant)]
    private static partial Regex LanguagePattern();

    /// <summary>The characters XML 1.0 carries: tab, line feeds and everything from space up but U+FFFE and U+FFFF (surrogate pairs included).</summary>
    private static readonly System.Buffers.SearchValues<char> XmlText = System.Buffers.SearchValues.Create(
        "\t\n\r" + string.Concat(Enumerable.Range(0x20, 0xFFFE - 0x20).Select(c => (char)c)));

    /// <summary>A CAP text is read aloud or shown on a phone; past this it is a mistake (a file pasted in).</summary>
    private const int MaxCapText = 2000;

    // Ids of sensors, rules, levels, buses, zones and messages appear in MQTT payloads and CLI arguments.
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex IdPattern();

    private sealed class Checker
    {
        private static readonly string[] ThresholdKeys = ["measure", "above"];
        private static readonly string[] DigitalKeys = ["when", "level"];
        private static readonly string[] RegisterKeys = ["type", "order"];
        private static readonly string[] SourceKeys = ["modbus", "gpio", "ina219"];

        private const string IdRule = "use 1 to 64 letters, digits, '-', '_' or '.', starting with a letter or digit";

        private readonly string _file;
        private readonly StationConfig _c;
        private readonly Dictionary<string, SensorConfig> _sensors = new(StringComparer.Ordinal);
        private readonly Dictionary<string, int> _levelOrder = new(StringComparer.Ordinal);
        private readonly HashSet<string> _buses = new(StringComparer.Ordinal);

        public Checker(string file, StationConfig config)
        {
            _file = file;
            _c = config;
        }

        public List<ConfigError> Errors { get; } = [];

        public void Run()
        {
            CheckStation();
            CheckStorage();
            CheckBuses();
            CheckSensors();
            CheckAlerting();
            CheckBroadcast();
            CheckGpioPins();
            CheckUplink();
        }

        private void Error(Located owner, string path, string key, string message) =>
            Errors.Add(new ConfigError(_file, owner.MarkOf(key), LoadContext.Join(path, key), message));

        private void ErrorAt(SourceMark mark, string path, string message) =>
            Errors.Add(new ConfigError(_file, mark, path, message));

        /// <summary>An options type's problems, each at the line of the key it names.</summary>
        private void Report(Located owner, string path, IEnumerable<OptionProblem> problems)
        {
            foreach (var problem in problems)
            {
                Error(owner, path, problem.Field, problem.Message);
            }
        }

        /// <summary>A problem of one field (an options type's check), at the key's line.</summary>
        private void Report(Located owner, string path, string key, string? problem)
        {
            if (problem is not null)
            {
                Error(owner, path, key, problem);
            }
        }

        private void CheckStation()
        {
            var s = _c.Station;
            if (s.IsSet("id") && !StationIdPattern().IsMatch(s.Id))
            {
                Error(s, "station", "id", $"'{s.Id}' is not a station id: use 3 to 40 characters a-z, 0-9 and '-'");
            }

            if (s.IsSet("language") && s.Language is { } language && !LanguagePattern().IsMatch(language))
            {
                var hint = language.Contains('_', StringComparison.Ordinal) ? $"; did you mean '{language.Replace('_', '-')}'?" : "";
                Error(s, "station", "language", $"'{language}' is not a BCP 47 language tag (e.g. zh-CN, en-US){hint}");
            }
        }

        /// <summary>Each configured CAP text: not blank, characters XML can carry, known placeholders only.</summary>
        private void CheckCapTexts(CapTextsConfig texts, string path)
        {
            foreach (var (key, text) in new[] { ("headline", texts.Headline), ("description", texts.Description), ("instruction", texts.Instruction) })
            {
                if (text is null || !texts.IsSet(key))
                {
                    continue;
                }

                if (string.IsNullOrWhiteSpace(text))
                {
                    Error(texts, path, key, "the text is empty; leave the key out for the English text");
                }
                else if (text.Length > MaxCapText)
                {
                    Error(texts, path, key, $"the text has {text.Length} characters; at most {MaxCapText}");
                }
                else if (text.AsSpan().IndexOfAnyExcept(XmlText) is var bad and >= 0)
                {
                    Error(texts, path, key, $"the text holds the control character U+{(int)text[bad]:X4}, which a CAP (XML) document cannot carry");
                }
                else if (CapTexts.UnknownPlaceholder(text) is { } unknown)
                {
                    Error(texts, path, key, $"unknown placeholder {unknown}; a text may use {string.Join(", ", CapTexts.Placeholders)}");
                }
            }
        }

        private void CheckStorage()
        {
            var s = _c.Storage;
            if (s.QueueLimit is { } queueLimit)
            {
                Report(s, "storage", "queueLimit", UplinkOptions.QueueLimitProblem(queueLimit));
            }

            if (s.History is { } history)
            {
                Report(s, "storage", new HistoryOptions { Path = s.Path, Retention = history }.Validate());
            }
        }

        /// <summary>Reports ids that break the pattern or repeat; returns the ids seen.</summary>
        private void CheckIds<T>(IReadOnlyList<T> items, string listPath, string what, Func<T, string> id, HashSet<string>? into = null)
            where T : Located
        {
            var first = new Dictionary<string, SourceMark>(StringComparer.Ordinal);
            for (var i = 0; i < items.Count; i++)
            {
                var item = items[i];
                if (!item.IsSet("id"))
                {
                    continue;
                }

                var path = $"{listPath}[{i}]";
                var value = id(item);
                if (!IdPattern().IsMatch(value))
                {
                    Error(item, path, "id", $"'{value}' is not a valid {what} id: {IdRule}");
                }

                if (first.TryGetValue(value, out var mark))
                {
                    Error(item, path, "id", $"duplicate {what} id '{value}' (first at line {mark.Line})");
                }
                else
                {
                    first.Add(value, item.MarkOf("id"));
                    into?.Add(value);
                }
            }
        }

        private void CheckBuses()
        {
            CheckIds(_c.Buses, "buses", "bus", b => b.Id, _buses);
            var ports = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var i = 0; i < _c.Buses.Count; i++)
            {
                var b = _c.Buses[i];
                var path = $"buses[{i}]";
                var rtu = b.Has("modbus-rtu");
                var tcp = b.Has("modbus-tcp");
                if (!rtu && !tcp)
                {
                    ErrorAt(b.Mark, path, "a bus needs modbus-rtu: { port: ... } or modbus-tcp: { host: ... }");
                }
                else if (rtu && tcp)
                {
                    Error(b, path, "modbus-tcp", "a bus is either modbus-rtu or modbus-tcp, not both");
                }

                if (b.ModbusRtu is { } r)
                {
                    var rp = path + ".modbus-rtu";
                    if (r.Baud is { } baud)
                    {
                        Report(r, rp, "baud", RtuBusOptions.BaudProblem(baud));
                    }

                    // The options have no data bits (RTU's are 8) and name stop bits; the file's numbers are checked here.
                    if (r.DataBits is { } dataBits and not (7 or 8))
                    {
                        Error(r, rp, "dataBits", $"{dataBits} data bits: Modbus RTU uses 8 (or 7)");
                    }

                    if (r.StopBits is { } stopBits and not (1 or 2))
                    {
                        Error(r, rp, "stopBits", $"{stopBits} stop bits: use 1 or 2");
                    }

                    if (r.IsSet("port"))
                    {
                        if (ports.TryGetValue(r.Port, out var other))
                        {
                            Error(r, rp, "port", $"serial port {r.Port} is already used by {other}; put every device on that line under one bus");
                        }
                        else
                        {
                            ports.Add(r.Port, path);
                        }
                    }
                }

                if (b.ModbusTcp is { } t && t.Port is { } port)
                {
                    Report(t, path + ".modbus-tcp", "port", OptionChecks.TcpPort(port));
                }

                // The transport is judged above by the keys written; the bus's own values by its options.
                Report(b, path, AcquisitionMapping.Bus(b).Validate().Where(p => p.Field is "timeout" or "retries"));
            }
        }

        private void CheckSensors()
        {
            CheckIds(_c.Sensors, "sensors", "sensor", s => s.Id);
            for (var i = 0; i < _c.Sensors.Count; i++)
            {
                var s = _c.Sensors[i];
                if (s.IsSet("id"))
                {
                    _sensors.TryAdd(s.Id, s);
                }

                CheckSensor(s, $"sensors[{i}]");
            }
        }

        private void CheckSensor(SensorConfig s, string path)
        {
            var kindKnown = s.IsSet("kind");
            var kind = ConfigNames.Name(s.Kind);
            var given = SourceKeys.Where(s.Has).ToList();
            if (given.Count == 0)
            {
                ErrorAt(s.Mark, path, "no source: give one of modbus: { bus, slave, address, ... }, gpio: { pin } or ina219: { bus, address }");
            }
            else if (given.Count > 1)
            {
                Error(s, path, given[1], $"a sensor reads from one source; this one has both {given[0]} and {given[1]}");
            }

            if (kindKnown && given.Count == 1)
            {
                var source = given[0];
                if (source == "gpio" && s.Kind is not (SensorKind.Digital or SensorKind.RainPulse))
                {
                    Error(s, path, "gpio", $"a gpio input makes a digital or rain-pulse sensor, not {kind}");
                }
                else if (source == "ina219" && s.Kind is not (SensorKind.Analog or SensorKind.WaterLevel))
                {
                    Error(s, path, "ina219", $"an ina219 measures an analog or water-level sensor, not {kind}");
                }
                else if (s.Kind == SensorKind.RainPulse && source != "gpio")
                {
                    Error(s, path, "kind", "a rain-pulse sensor counts bucket tips on a gpio input; give gpio: { pin: N }");
                }
            }

            var polled = s.Has("modbus") || s.Has("ina219");
            if (polled && !s.Has("poll"))
            {
                ErrorAt(s.Mark, path + ".poll", $"required key is missing: a {(s.Has("modbus") ? "modbus" : "ina219")} sensor is polled; give poll: 5s (for example)");
            }
            else if (!polled && s.Has("gpio") && s.Has("poll"))
            {
                Error(s, path, "poll", "a gpio input is read on its edges; poll applies to modbus and ina219 sensors");
            }
            else if (s.Poll is { } poll)
            {
                Report(s, path, "poll", OptionChecks.Positive(poll));
            }

            if (kindKnown && s.Kind == SensorKind.RainPulse && !s.Has("mmPerTip"))
            {
                ErrorAt(s.Mark, path + ".mmPerTip", "required key is missing: the rain of one bucket tip, in mm");
            }
            else if (kindKnown && s.Kind != SensorKind.RainPulse && s.Has("mmPerTip"))
            {
                Error(s, path, "mmPerTip", $"mmPerTip applies to rain-pulse sensors, not {kind}");
            }
            else if (s.MmPerTip is { } mmPerTip)
            {
                Report(s, path, "mmPerTip", TippingBucketOptions.MmPerTipProblem(mmPerTip));
            }

            if (s.Scale is { } scale)
            {
                Report(s, path, "scale", SensorOptions.ScaleProblem(scale));
            }

            if (s.Valid is { } v)
            {
                Report(s, path, "valid", new ValueRange(v.Min, v.Max).Problem());
            }

            if (s.Modbus is { } m)
            {
                CheckModbusPoint(m, path + ".modbus");
            }

            if (s.Gpio is { } g && g.IsSet("pin"))
            {
                Report(g, path + ".gpio", "pin", SensorOptions.LineProblem(g.Pin));
            }

            if (s.Ina219 is { } ina)
            {
                if (ina.Address is { } address)
                {
                    Report(ina, path + ".ina219", "address", Ina219Options.AddressProblem(address));
                }

                if (ina.Bus is { } bus)
                {
                    Report(ina, path + ".ina219", "bus", Ina219Options.BusProblem(bus));
                }
            }
        }

        private void CheckModbusPoint(ModbusPointSection m, string path)
        {
            if (m.IsSet("bus") && !_buses.Contains(m.Bus))
            {
                Error(m, path, "bus", $"unknown bus '{m.Bus}'; {Known("buses", _buses)}{Suggest.DidYouMean(m.Bus, _buses)}");
            }

            if (m.IsSet("slave") && m.Slave is < 1 or > 247)
            {
                Error(m, path, "slave", $"slave id {m.Slave} is outside 1-247");
            }

            var table = m.Table ?? ModbusSensorOptions.DefaultTable;
            var bits = table is ModbusTable.Coil or ModbusTable.Discrete;
            if (bits && m.IsSet("table"))
            {
                foreach (var key in RegisterKeys)
                {
                    if (m.Has(key))
                    {
                        Error(m, path, key, $"{key} applies to register tables (holding, input); a {ConfigNames.Name(table)} is one bit");
                    }
                }
            }

            if (m.IsSet("address"))
            {
                var width = bits ? 1 : RegisterWidth(m.Type ?? ModbusSensorOptions.DefaultType);
                if (m.Address < 0 || m.Address + width - 1 > 65535)
                {
                    Error(m, path, "address", $"address {m.Address} is outside 0-{65536 - width}");
                }
            }
        }

        private static int RegisterWidth(RegisterType type) => type switch
        {
            RegisterType.UInt16 or RegisterType.Int16 => 1,
            RegisterType.UInt32 or RegisterType.Int32 or RegisterType.Float32 => 2,
            _ => 4,
        };

        private void CheckAlerting()
        {
            var a = _c.Alerting;
            if (a.IsSet("levels") && a.Levels.Count == 0)
            {
                Error(a, "alerting", "levels", "give at least one level (ordered, lowest first)");
            }

            CheckIds(a.Levels, "alerting.levels", "level", l => l.Id);
            for (var i = 0; i < a.Levels.Count; i++)
            {
                var l = a.Levels[i];
                var path = $"alerting.levels[{i}]";
                if (l.IsSet("id") && string.Equals(l.Id, "none", StringComparison.OrdinalIgnoreCase))
                {
                    Error(l, path, "id", "'none' is the implicit level below the first; do not list it");
                }
                else if (l.IsSet("id"))
                {
                    _levelOrder.TryAdd(l.Id, i);
                }

                if (l.Broadcast is { } b)
                {
                    CheckBroadcastRequest(b, path + ".broadcast");
                }

                if (l.Cap is { } cap)
                {
                    CheckCapTexts(cap, path + ".cap");
                }
            }

            if (a.AllClear is { } clear)
            {
                CheckBroadcastRequest(clear, "alerting.allClear");
            }

            if (a.AllClearCap is { } clearCap)
            {
                CheckCapTexts(clearCap, "alerting.allClear.cap");
            }

            CheckIds(a.Rules, "alerting.rules", "rule", r => r.Id);
            for (var i = 0; i < a.Rules.Count; i++)
            {
                CheckRule(a.Rules[i], $"alerting.rules[{i}]");
            }
        }

        private void CheckBroadcastRequest(BroadcastRequestConfig b, string path)
        {
            if (b.IsSet("message"))
            {
                if (_c.Broadcast is null)
                {
                    Error(b, path, "message", $"unknown message '{b.Message}': there is no broadcast section");
                }
                // A message given in the file but unreadable has its own error already.
                else if (!_c.Broadcast.Has("messages." + b.Message)
                    && !(_c.Broadcast.Has("messages") && !_c.Broadcast.IsSet("messages")))
                {
                    var known = _c.Broadcast.Messages.Keys;
                    Error(b, path, "message", $"unknown message '{b.Message}'; {Known("messages", known)}{Suggest.DidYouMean(b.Message, known)}");
                }
            }

            if (b.Repeat is { } repeat)
            {
                Report(b, path, "repeat", BroadcastCue.RepeatProblem(repeat));
            }
        }

        private void CheckRule(RuleConfig r, string path)
        {
            var threshold = r.Has("measure") || r.Has("above");
            var digital = r.Has("when") || r.Has("level");
            if (r.Has("measure") && r.Has("when"))
            {
                Error(r, path, "when", "a rule has either measure and above (thresholds) or when and level (a digital input), not both");
                return;
            }

            SensorConfig? sensor = null;
            if (r.IsSet("sensor") && !_sensors.TryGetValue(r.Sensor, out sensor))
            {
                Error(r, path, "sensor", $"unknown sensor '{r.Sensor}'; {Known("sensors", _sensors.Keys)}{Suggest.DidYouMean(r.Sensor, _sensors.Keys)}");
            }

            var kindKnown = sensor?.IsSet("kind") == true;
            if (kindKnown && sensor!.Kind == SensorKind.Digital)
            {
                // One complaint for a threshold rule on a digital sensor, not one per key it lacks.
                if (ThresholdKeys.FirstOrDefault(r.Has) is { } key)
                {
                    Error(r, path, key, $"sensor '{sensor.Id}' is digital: its rule uses when: active|inactive and level:, not measure and above");
                }
                else
                {
                    RequireKey(r, path, "when", "a rule on a digital sensor needs when: active or inactive");
                    RequireKey(r, path, "level", "a rule on a digital sensor needs the level it raises");
                }
            }
            else if (kindKnown)
            {
                if (DigitalKeys.FirstOrDefault(r.Has) is { } key)
                {
                    Error(r, path, key, $"when and level apply to digital sensors; '{sensor!.Id}' is {ConfigNames.Name(sensor.Kind)}: give measure and above");
                }
                else
                {
                    RequireKey(r, path, "measure", "give measure: value, { sum: 1h } or { rise: 1h }");
                    RequireKey(r, path, "above", "give the thresholds, e.g. above: { watch: 2.8, prepare: 3.2 }");
                }
            }
            else if (!threshold && !digital)
            {
                ErrorAt(r.Mark, path, "give measure and above (a threshold rule) or when and level (a digital rule)");
            }

            if (r.Measure is { } measure)
            {
                CheckMeasure(r, measure, sensor, kindKnown, path);
            }

            if (r.Above is { } above)
            {
                CheckThresholds(r, above, path);
            }

            if (r.IsSet("level") && r.Level is { } level && !_levelOrder.ContainsKey(level))
            {
                Error(r, path, "level", $"unknown level '{level}'; {Known("levels", _levelOrder.Keys)}{Suggest.DidYouMean(level, _levelOrder.Keys)}");
            }

            if (r.IsSet("hysteresis"))
            {
                Report(r, path, "hysteresis", RuleDefinition.HysteresisProblem(r.Hysteresis));
            }
        }

        private void RequireKey(RuleConfig r, string path, string key, string hint)
        {
            if (!r.Has(key))
            {
                ErrorAt(r.Mark, LoadContext.Join(path, key), "required key is missing: " + hint);
            }
        }

        private void CheckMeasure(RuleConfig r, MeasureConfig measure, SensorConfig? sensor, bool kindKnown, string path)
        {
            Report(r, path, "measure", RuleMapping.Measure(measure).Problem());

            if (!kindKnown || sensor!.Kind == SensorKind.Digital)
            {
                return;
            }

            var rain = sensor.Kind is SensorKind.RainTotal or SensorKind.RainPulse;
            var kind = ConfigNames.Name(sensor.Kind);
            if (measure.Kind == MeasureKind.Sum && !rain)
            {
                Error(r, path, "measure", $"a sum adds up rainfall; sensor '{sensor.Id}' is {kind}: use value or {{ rise: W }}");
            }
            else if (measure.Kind != MeasureKind.Sum && rain)
            {
                var name = measure.Kind == MeasureKind.Value ? "value" : "rise";
                Error(r, path, "measure", $"{name} does not apply to rain; sensor '{sensor.Id}' is {kind}: use {{ sum: W }}");
            }
        }

        // Thresholds must rise with the level order: a higher level needs a higher measure.
        private void CheckThresholds(RuleConfig r, List<KeyValuePair<string, double>> above, string path)
        {
            var ordered = new List<(int Order, string Level, double Value)>();
            foreach (var (level, value) in above)
            {
                if (_levelOrder.TryGetValue(level, out var order))
                {
                    ordered.Add((order, level, value));
                }
                else if (_c.Alerting.IsSet("levels"))
                {
                    ErrorAt(r.MarkOf("above." + level), $"{path}.above.{level}",
                        $"unknown level '{level}'; {Known("levels", _levelOrder.Keys)}{Suggest.DidYouMean(level, _levelOrder.Keys)}");
                }
            }

            ordered.Sort((x, y) => x.Order.CompareTo(y.Order));
            for (var i = 1; i < ordered.Count; i++)
            {
                var (_, lower, lowerValue) = ordered[i - 1];
                var (_, level, value) = ordered[i];
                if (!RuleDefinition.Rises(lowerValue, value))
                {
                    ErrorAt(r.MarkOf("above." + level), $"{path}.above.{level}",
                        $"threshold {Num(value)} does not rise above {lower}'s {Num(lowerValue)}; levels rise in the order {string.Join(", ", _levelOrder.Keys)}");
                }
            }
        }

        private void CheckBroadcast()
        {
            if (_c.Broadcast is not { } b)
            {
                return;
            }

            CheckIds(b.Zones, "broadcast.zones", "zone", z => z.Id);
            var audio = b.Audio;
            if (audio.IsSet("sink"))
            {
                if (audio.Sink == AudioSinkKind.File && !audio.Has("path"))
                {
                    ErrorAt(audio.Mark, "broadcast.audio.path", "required key is missing: sink: file writes to this WAV file");
                }
                else if (audio.Sink != AudioSinkKind.File && audio.Has("path"))
                {
                    Error(audio, "broadcast.audio", "path", $"path applies to sink: file, not {ConfigNames.Name(audio.Sink)}");
                }

                if (audio.Sink != AudioSinkKind.Alsa && audio.Has("device"))
                {
                    Error(audio, "broadcast.audio", "device", $"device applies to sink: alsa, not {ConfigNames.Name(audio.Sink)}");
                }
            }

            foreach (var (id, msg) in b.Messages)
            {
                var path = "broadcast.messages." + id;
                if (!IdPattern().IsMatch(id))
                {
                    ErrorAt(b.MarkOf("messages." + id), path, $"'{id}' is not a valid message id: {IdRule}");
                }

                var file = msg.Has("file");
                var text = msg.Has("text");
                if (!file && !text)
                {
                    ErrorAt(msg.Mark, path, "give file: WAV or text: TEXT (spoken with espeak-ng)");
                }
                else if (file && text)
                {
                    Error(msg, path, "text", "a message is either a file or a text, not both");
                }

                if (msg.Has("voice") && !text)
                {
                    Error(msg, path, "voice", "voice applies to text messages");
                }
            }
        }

        // One GPIO line drives or reads one thing: sensor inputs, the amplifier relay and zone relays.
        private void CheckGpioPins()
        {
            var uses = new List<(int Pin, SourceMark Mark, string Path)>();
            for (var i = 0; i < _c.Sensors.Count; i++)
            {
                if (_c.Sensors[i].Gpio is { } g && g.IsSet("pin"))
                {
                    uses.Add((g.Pin, g.MarkOf("pin"), $"sensors[{i}].gpio.pin"));
                }
            }

            if (_c.Broadcast is { } b)
            {
                if (b.Amplifier.IsSet("gpio"))
                {
                    uses.Add((b.Amplifier.Gpio, b.Amplifier.MarkOf("gpio"), "broadcast.amplifier.gpio"));
                }

                for (var i = 0; i < b.Zones.Count; i++)
                {
                    var z = b.Zones[i];
                    if (z.IsSet("gpio"))
                    {
                        uses.Add((z.Gpio, z.MarkOf("gpio"), $"broadcast.zones[{i}].gpio"));
                    }
                }

                if (b.Amplifier.IsSet("gpio"))
                {
                    Report(b.Amplifier, "broadcast.amplifier", "gpio", OptionChecks.GpioLine(b.Amplifier.Gpio));
                }
            }

            var first = new Dictionary<int, (SourceMark Mark, string Path)>();
            foreach (var (pin, mark, path) in uses)
            {
                if (first.TryGetValue(pin, out var owner))
                {
                    ErrorAt(mark, path, $"GPIO {pin} is already used by {owner.Path} (line {owner.Mark.Line})");
                }
                else
                {
                    first.Add(pin, (mark, path));
                }
            }
        }

        private static readonly string[] SingleBrokerKeys = ["host", "port"];

        private void CheckUplink()
        {
            if (_c.Uplink is not { } u)
            {
                return;
            }

            if (u.Telemetry is { } telemetry)
            {
                Report(u, "uplink", "telemetry", OptionChecks.Positive(telemetry));
            }

            if (!u.Has("mqtt") && !u.Has("sl651"))
            {
                ErrorAt(u.Mark, "uplink", "an uplink needs mqtt: { host: ... }, sl651: { centres: ... } or both");
            }

            if (u.Sl651 is { } sl651)
            {
                CheckSl651(sl651);
            }

            if (u.Mqtt is not { } q)
            {
                return;
            }

            const string Path = "uplink.mqtt";
            if (q.Has("hosts"))
            {
                foreach (var single in SingleBrokerKeys.Where(q.Has))
                {
                    Error(q, Path, single, $"give either hosts or host/port, not both ('{single}' beside 'hosts')");
                }

                if (q.IsSet("hosts") && q.Hosts is { Count: 0 })
                {
                    Error(q, Path, "hosts", "needs at least one broker (\"host:port\")");
                }
            }

            // The connection's own values (port, prefix, keepAlive) are the uplink options' to judge.
            Report(q, Path, UplinkMapping.Connection(q).Validate());

            // The options hold a protocol level; the file's text for it is checked here.
            if (q.IsSet("protocol") && q.Protocol is not ("3.1.1" or "5"))
            {
                Error(q, Path, "protocol", $"MQTT protocol '{q.Protocol}': use 3.1.1 or 5");
            }

            if (q.Has("passwordFile") && !q.Has("username"))
            {
                Error(q, Path, "passwordFile", "a password needs a username");
            }

            if (q.Tls is { } tls && tls.Has("cert") != tls.Has("key"))
            {
                Error(tls, Path + ".tls", tls.Has("cert") ? "cert" : "key", "a client certificate needs both cert and key");
            }
        }

        private void CheckSl651(Sl651Section s)
        {
            const string Path = "uplink.sl651";
            if (s.IsSet("centres") && s.Centres.Count == 0)
            {
                Error(s, Path, "centres", "list at least one centre: { host: ..., port: ... }");
            }

            for (var i = 0; i < s.Centres.Count; i++)
            {
                var c = s.Centres[i];
                if (c.IsSet("port"))
                {
                    Report(c, $"{Path}.centres[{i}]", "port", OptionChecks.TcpPort(c.Port));
                }

                if (c.IsSet("host") && string.IsNullOrWhiteSpace(c.Host))
                {
                    Error(c, $"{Path}.centres[{i}]", "host", "must not be empty");
                }
            }

            // The options hold the centre in a byte: the file's number is judged before it is narrowed.
            if (s.Centre is { } centre)
            {
                Report(s, Path, "centre", Sl651Options.CentreProblem(centre));
            }

            if (s.IsSet("station") && (s.Station.Length != 10 || !s.Station.All(char.IsAsciiDigit)))
            {
                Error(s, Path, "station", $"'{s.Station}' is not a station address: write its 10 digits, e.g. \"0012345678\"");
            }

            if (s.IsSet("password") && (s.Password.Length != 4 || !s.Password.All(char.IsAsciiHexDigit)))
            {
                Error(s, Path, "password", $"'{s.Password}' is not a password: write 4 hex digits, e.g. \"04D2\"");
            }

            if (s.IsSet("stationType") && !Sl651Names.StationTypes.ContainsKey(s.StationType))
            {
                Error(s, Path, "stationType", $"unknown station type '{s.StationType}': use one of {string.Join(", ", Sl651Names.StationTypes.Keys)}");
            }

            Report(s, Path, Sl651Mapping.Timing(s).Validate());

            var seen = new Dictionary<(string, ushort), int>();
            for (var i = 0; i < s.Elements.Count; i++)
            {
                CheckSl651Element(s.Elements[i], $"{Path}.elements[{i}]", seen);
            }

            if (_c.Station.Timezone is { } zone && _c.Station.IsSet("timezone") && !TimeZoneInfo.TryFindSystemTimeZoneById(zone, out _))
            {
                Error(_c.Station, "station", "timezone", $"unknown time zone '{zone}': SL 651 frames carry the station's local time; use an IANA zone such as Asia/Shanghai");
            }
        }

        private void CheckSl651Element(Sl651ElementConfig e, string path, Dictionary<(string, ushort), int> seen)
        {
            if (!e.IsSet("element"))
            {
                return;
            }

            if (!Sl651Names.TryParseElement(e.Element, out var id))
            {
                Error(e, path, "element", $"'{e.Element}' is not an element identifier: write its 2 hex digits, e.g. \"39\"");
                return;
            }

            if (!Sl651Names.Supported.TryGetValue(id, out var use))
            {
                var known = string.Join(", ", Sl651Names.Supported.Keys.Select(k => k.ToString("X2", CultureInfo.InvariantCulture)));
                var what = EdgeGateway.Sl651.Sl651Elements.Find(id) is { } info ? $"element {e.Element} ({info.Name}) is not one this station fills" : $"unknown element identifier '{e.Element}'";
                Error(e, path, "element", $"{what}; supported: {known}");
                return;
            }

            if (!e.IsSet("sensor"))
            {
                return;
            }

            if (!_sensors.TryGetValue(e.Sensor, out var sensor))
            {
                Error(e, path, "sensor", $"unknown sensor '{e.Sensor}'; {Known("sensors", _sensors.Keys)}{Suggest.DidYouMean(e.Sensor, _sensors.Keys)}");
                return;
            }

            if (!use.Kinds.Contains(sensor.Kind))
            {
                Error(e, path, "sensor", $"element {e.Element} needs {use.Needs}; sensor '{e.Sensor}' is {ConfigNames.Name(sensor.Kind)}");
            }

            if (seen.TryGetValue((e.Sensor, id), out var line))
            {
                Error(e, path, "element", $"element {e.Element} of sensor '{e.Sensor}' is already listed (line {line})");
            }
            else
            {
                seen.Add((e.Sensor, id), e.MarkOf("element").Line);
            }
        }

        private static string Known(string what, IEnumerable<string> ids)
        {
            var list = ids.ToList();
            return list.Count == 0 ? $"no {what} are defined" : $"known {what}: {string.Join(", ", list)}";
        }

        private static string Num(double v) => v.ToString("R", CultureInfo.InvariantCulture);
    }
}
