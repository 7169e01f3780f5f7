using EdgeGateway.Configuration;
using EdgeGateway.Tests.TestSupport;

namespace EdgeGateway.Tests.Configuration;

/// <summary>
/// One planted mistake per check, in a copy of the shipped example: the error must name the exact
/// line and column (1-based) and the field path, and be the only error the mistake causes.
/// </summary>
public sealed class StationConfigValidatorTests
{
    private const string File = "station.yaml";

    [Fact]
    public void Parse_ShippedExample_HasNoErrors()
    {
        var result = StationConfigLoader.Load(ExampleConfig.Path);

        Assert.Empty(result.Errors);
        Assert.True(result.IsValid);
    }

    [Theory]
    // Unknown or misspelt keys, with the nearest known key suggested.
    [InlineData("unknown key", "    poll: 10s", "    pol: 10s", 45, 5, "sensors[1].pol", "unknown key; did you mean 'poll'?")]
    [InlineData("unknown key, case and dash", "  clearAfter: 30m", "  clear-after: 30m", 64, 3, "alerting.clear-after", "did you mean 'clearAfter'?")]
    [InlineData("unknown key in a flow mapping", "pull: up, debounce: 25ms", "pull: up, debounse: 25ms", 49, 47, "sensors[2].gpio.debounse", "did you mean 'debounce'?")]
    [InlineData("duplicate key", "    unit: m\n", "    unit: m\n    unit: cm\n", 35, 5, "sensors[0].unit", "duplicate key (first given at line 34)")]
    // Wrong types.
    [InlineData("text expected", "  socket: /run/edge-gateway/control.sock", "  socket: [a, b]", 15, 11, "control.socket", "expected a text value, found a list")]
    [InlineData("whole number expected", "    retries: 2", "    retries: two", 25, 14, "buses[0].retries", "expected a whole number, found 'two'")]
    [InlineData("number expected", "scale: 0.1", "scale: ten", 44, 12, "sensors[1].scale", "expected a number, found 'ten'")]
    [InlineData("boolean expected", "activeLow: true, debounce: 200ms", "activeLow: yes, debounce: 200ms", 58, 43, "sensors[4].gpio.activeLow", "expected true or false, found 'yes'")]
    [InlineData("mapping expected", "  gpio: { driver: libgpiod, chip: gpiochip0 }", "  gpio: libgpiod", 12, 9, "hardware.gpio", "expected a mapping")]
    [InlineData("list expected", "  zones: [ { id: village, gpio: 6 } ]", "  zones: { id: village, gpio: 6 }", 105, 10, "broadcast.zones", "expected a list")]
    [InlineData("unknown enum value", "kind: water-level", "kind: water_level", 33, 11, "sensors[0].kind", "unknown value 'water_level'; expected water-level, rain-total, rain-pulse, digital or analog; did you mean 'water-level'?")]
    [InlineData("unknown CAP severity", "severity: Extreme", "severity: Critical", 68, 33, "alerting.levels[2].severity", "unknown value 'Critical'")]
    // Durations and sizes.
    [InlineData("bad duration", "    timeout: 300ms", "    timeout: 300 ms", 24, 14, "buses[0].timeout", "'300 ms' is not a duration; write a whole number and a unit: 250ms, 30s, 5m, 1h or 1d")]
    [InlineData("duration without unit", "    poll: 5s", "    poll: 5", 39, 11, "sensors[0].poll", "'5' is not a duration")]
    [InlineData("bad size", "queueLimit: 256MB", "queueLimit: 256XB", 19, 15, "storage.queueLimit", "'256XB' is not a size")]
    [InlineData("size too small", "queueLimit: 256MB", "queueLimit: 1KB", 19, 15, "storage.queueLimit", "the outbox needs at least 64KB")]
    // Missing required keys.
    [InlineData("missing key", "slave: 1, ", "", 35, 13, "sensors[0].modbus.slave", "required key is missing")]
    [InlineData("missing section", "alerting:\n", "alertin:\n", 63, 1, "alertin", "unknown key; did you mean 'alerting'?")]
    [InlineData("missing id", "  - id: plc\n    modbus-tcp", "  - modbus-tcp", 26, 5, "buses[1].id", "required key is missing", 2)]
    // Duplicate ids.
    [InlineData("duplicate bus id", "  - id: plc", "  - id: rs485", 26, 9, "buses[1].id", "duplicate bus id 'rs485' (first at line 22)", 2)]
    [InlineData("duplicate sensor id", "  - id: battery", "  - id: rain-gauge", 51, 9, "sensors[3].id", "duplicate sensor id 'rain-gauge' (first at line 46)")]
    [InlineData("duplicate level id", "{ id: prepare,  severity", "{ id: watch,  severity", 67, 13, "alerting.levels[1].id", "duplicate level id 'watch' (first at line 66)", 6)]
    [InlineData("duplicate rule id", "    - id: rain-3h", "    - id: rain-1h", 75, 11, "alerting.rules[1].id", "duplicate rule id 'rain-1h' (first at line 71)")]
    [InlineData("duplicate zone id", "{ id: village, gpio: 6 } ]", "{ id: village, gpio: 6 }, { id: village, gpio: 7 } ]", 105, 44, "broadcast.zones[1].id", "duplicate zone id 'village' (first at line 105)")]
    [InlineData("bad id", "  - id: battery", "  - id: main battery", 51, 9, "sensors[3].id", "'main battery' is not a valid sensor id")]
    // References.
    [InlineData("unknown sensor", "sensor: rain-counter", "sensor: rain-countr", 80, 15, "alerting.rules[2].sensor", "unknown sensor 'rain-countr'; known sensors: river-level, rain-counter, rain-gauge, battery, flood-switch, alarm-button; did you mean 'rain-counter'?")]
    [InlineData("unknown bus", "bus: plc", "bus: plx", 43, 20, "sensors[1].modbus.bus", "unknown bus 'plx'; known buses: rs485, plc; did you mean 'plc'?")]
    [InlineData("unknown level in above", "above: { prepare: 0.5 }", "above: { prepar: 0.5 }", 92, 16, "alerting.rules[4].above.prepar", "unknown level 'prepar'; known levels: watch, prepare, evacuate; did you mean 'prepare'?")]
    [InlineData("unknown level of a digital rule", "level: evacuate\n      latch", "level: evacuat\n      latch", 100, 14, "alerting.rules[6].level", "unknown level 'evacuat'")]
    [InlineData("unknown message", "message: evacuate,", "message: evacuat,", 68, 64, "alerting.levels[2].broadcast.message", "unknown message 'evacuat'; known messages: prepare, evacuate, all-clear, test; did you mean 'evacuate'?")]
    [InlineData("unknown all-clear message", "{ message: all-clear,", "{ message: allclear,", 69, 24, "alerting.allClear.message", "unknown message 'allclear'")]
    // Level order.
    [InlineData("thresholds do not rise", "prepare: 3.2, evacuate: 3.8", "prepare: 2.5, evacuate: 3.8", 86, 28, "alerting.rules[3].above.prepare", "threshold 2.5 does not rise above watch's 2.8; levels rise in the order watch, prepare, evacuate")]
    [InlineData("thresholds equal", "above: { prepare: 50, evacuate: 80 }", "above: { evacuate: 50, prepare: 50 }", 78, 16, "alerting.rules[1].above.evacuate", "threshold 50 does not rise above prepare's 50")]
    // GPIO.
    [InlineData("gpio pin twice, inputs", "pin: 27", "pin: 17", 58, 18, "sensors[4].gpio.pin", "GPIO 17 is already used by sensors[2].gpio.pin (line 49)")]
    [InlineData("gpio pin twice, relays", "gpio: 6 } ]", "gpio: 5 } ]", 105, 33, "broadcast.zones[0].gpio", "GPIO 5 is already used by broadcast.amplifier.gpio (line 104)")]
    [InlineData("gpio pin twice, input and relay", "{ gpio: 5,", "{ gpio: 22,", 104, 22, "broadcast.amplifier.gpio", "GPIO 22 is already used by sensors[5].gpio.pin (line 61)")]
    // Modbus.
    [InlineData("slave id 0", "slave: 2,", "slave: 0,", 43, 32, "sensors[1].modbus.slave", "slave id 0 is outside 1-247")]
    [InlineData("slave id 248", "slave: 2,", "slave: 248,", 43, 32, "sensors[1].modbus.slave", "slave id 248 is outside 1-247")]
    [InlineData("unknown data type", "type: uint32", "type: uint23", 43, 68, "sensors[1].modbus.type", "unknown value 'uint23'; expected uint16, int16, uint32, int32, float32, uint64, int64 or float64")]
    [InlineData("unknown byte order", "order: CDAB", "order: CADB", 43, 83, "sensors[1].modbus.order", "unknown value 'CADB'; expected ABCD, CDAB, BADC or DCBA")]
    [InlineData("address past the table", "address: 10,", "address: 65535,", 43, 58, "sensors[1].modbus.address", "address 65535 is outside 0-65534")]
    [InlineData("bus with neither transport", "    modbus-tcp: { host: 127.0.0.1, port: 1502 }   # the I/O module on the station LAN\n", "", 26, 5, "buses[1]", "a bus needs modbus-rtu: { port: ... } or modbus-tcp: { host: ... }")]
    [InlineData("bus with both transports", "    modbus-tcp: { host", "    modbus-rtu: { port: /dev/ttyUSB0 }\n    modbus-tcp: { host", 28, 17, "buses[1].modbus-tcp", "a bus is either modbus-rtu or modbus-tcp, not both")]
    [InlineData("serial port on two buses", "    modbus-tcp: { host: 127.0.0.1, port: 1502 }", "    modbus-rtu: { port: /dev/ttyAMA0 }", 27, 25, "buses[1].modbus-rtu.port", "serial port /dev/ttyAMA0 is already used by buses[0]")]
    // Measures and sensor kinds.
    [InlineData("sum on a water level", "measure: value", "measure: { sum: 1h }", 85, 16, "alerting.rules[3].measure", "a sum adds up rainfall; sensor 'river-level' is water-level: use value or { rise: W }")]
    [InlineData("value on rain", "measure: { sum: 3h }", "measure: value", 77, 16, "alerting.rules[1].measure", "value does not apply to rain; sensor 'rain-gauge' is rain-pulse: use { sum: W }")]
    [InlineData("rise on rain", "measure: { sum: 1h }\n      above: { prepare: 30", "measure: { rise: 1h }\n      above: { prepare: 30", 81, 16, "alerting.rules[2].measure", "rise does not apply to rain; sensor 'rain-counter' is rain-total")]
    [InlineData("measure on a digital sensor", "sensor: river-level\n      measure: { rise: 1h }", "sensor: flood-switch\n      measure: { rise: 1h }", 91, 16, "alerting.rules[4].measure", "sensor 'flood-switch' is digital: its rule uses when: active|inactive and level:, not measure and above")]
    [InlineData("when on a level sensor", "      measure: value\n", "      when: active\n", 85, 13, "alerting.rules[3].when", "when and level apply to digital sensors; 'river-level' is water-level: give measure and above")]
    [InlineData("measure and when", "      above: { prepare: 0.5 }\n", "      above: { prepare: 0.5 }\n      when: active\n", 93, 13, "alerting.rules[4].when", "a rule has either measure and above (thresholds) or when and level (a digital input), not both")]
    [InlineData("misspelt measure", "measure: { sum: 3h }", "measure: { summ: 3h }", 77, 18, "alerting.rules[1].measure.summ", "unknown key; did you mean 'sum'?")]
    [InlineData("zero window", "measure: { sum: 3h }", "measure: { sum: 0s }", 77, 16, "alerting.rules[1].measure", "the window must be longer than 0")]
    [InlineData("gpio on a level sensor", "    kind: rain-pulse", "    kind: water-level", 49, 11, "sensors[2].gpio", "a gpio input makes a digital or rain-pulse sensor, not water-level", 4)]
    // Ranges and numbers.
    [InlineData("min above max", "valid: [0, 15]", "valid: [15, 0]", 38, 12, "sensors[0].valid", "[15, 0]: min is above max")]
    [InlineData("negative repeat", "repeat: 5", "repeat: -1", 68, 82, "alerting.levels[2].broadcast.repeat", "repeat -1: a message plays at least once")]
    [InlineData("negative hysteresis", "hysteresis: 0.05", "hysteresis: -0.05", 87, 19, "alerting.rules[3].hysteresis", "hysteresis -0.05 is negative")]
    [InlineData("ina219 address", "address: 0x40", "address: 0x50", 54, 32, "sensors[3].ina219.address", "0x50 is not an INA219 address (0x40-0x4F)")]
    [InlineData("zero scale", "scale: 0.1", "scale: 0", 44, 12, "sensors[1].scale", "a scale of 0 makes every reading the offset")]
    [InlineData("tcp port", "port: 1502", "port: 70000", 27, 42, "buses[1].modbus-tcp.port", "70000 is not a TCP port (1-65535)")]
    // Station id.
    [InlineData("station id upper case", "id: wz-oh-lilong-01 ", "id: WZ-OH-Lilong-01 ", 7, 7, "station.id", "'WZ-OH-Lilong-01' is not a station id: use 3 to 40 characters a-z, 0-9 and '-'")]
    [InlineData("station id too short", "id: wz-oh-lilong-01 ", "id: wz ", 7, 7, "station.id", "is not a station id")]
    // Sources.
    [InlineData("no source", "    ina219: { bus: 1, address: 0x40 }   # INA219 on I2C bus 1 (/dev/i2c-1)\n", "", 51, 5, "sensors[3]", "no source: give one of modbus")]
    [InlineData("two sources", "    ina219: { bus: 1", "    modbus: { bus: plc, slave: 3, address: 0 }\n    ina219: { bus: 1", 55, 13, "sensors[3].ina219", "a sensor reads from one source; this one has both modbus and ina219")]
    [InlineData("modbus without poll", "    scale: 0.1\n    poll: 10s\n", "    scale: 0.1\n", 40, 5, "sensors[1].poll", "required key is missing: a modbus sensor is polled")]
    [InlineData("rain-pulse without mmPerTip", "    mmPerTip: 0.5\n", "", 46, 5, "sensors[2].mmPerTip", "required key is missing: the rain of one bucket tip, in mm")]
    [InlineData("poll on a gpio input", "    mmPerTip: 0.5\n", "    mmPerTip: 0.5\n    poll: 1s\n", 51, 11, "sensors[2].poll", "a gpio input is read on its edges")]
    // Broadcast and uplink.
    [InlineData("message with file and text", "{ file: /etc/edge-gateway/audio/prepare.wav }", "{ file: /etc/edge-gateway/audio/prepare.wav, text: hi }", 109, 67, "broadcast.messages.prepare.text", "a message is either a file or a text, not both")]
    [InlineData("file sink without path", "{ sink: alsa, device: default }", "{ sink: file }", 106, 10, "broadcast.audio.path", "required key is missing: sink: file writes to this WAV file")]
    [InlineData("mqtt prefix", "prefix: ews", "prefix: ews/#", 121, 13, "uplink.mqtt.prefix", "'ews/#' is not a topic prefix")]
    [InlineData("mqtt without host", "    host: hub.example.org\n", "", 116, 5, "uplink.mqtt.host", "required key is missing")]
    public void Parse_PlantedMistake_ReportsItAtItsLineAndColumn(string check, string find, string replace, int line, int column, string path, string message, int errorCount = 1)
    {
        var result = StationConfigLoader.Parse(ExampleConfig.With((find, replace)), File);

        Assert.False(result.IsValid, check);
        var error = Assert.Single(result.Errors, e => e.Path == path);
        Assert.Equal((check, line, column), (check, error.Mark.Line, error.Mark.Column));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.StartsWith($"{File}:{line}:{column}: {path}: ", error.ToString(), StringComparison.Ordinal);
        Assert.True(errorCount == result.Errors.Count, $"{check}: expected {errorCount} error(s), got:\n{string.Join('\n', result.Errors)}");
    }

    [Fact]
    public void Parse_LatchOnAThresholdRule_IsAllowed()
    {
        var result = StationConfigLoader.Parse(ExampleConfig.With(("      hold: 30s", "      hold: 30s\n      latch: true")), File);

        Assert.Empty(result.Errors);
        Assert.True(result.Config!.Alerting.Rules.Single(r => r.Id == "river").Latch);
    }

    [Fact]
    public void Parse_YamlSyntaxError_IsLocated()
    {
        // An unclosed flow mapping: the parser stops where it can no longer make sense of the text.
        var result = StationConfigLoader.Parse(ExampleConfig.With(("chip: gpiochip0 }", "chip: gpiochip0")), File);

        var error = Assert.Single(result.Errors);
        Assert.Equal(new SourceMark(12, 29), error.Mark);
        Assert.StartsWith("YAML syntax error", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_BadIndentation_IsLocated()
    {
        var result = StationConfigLoader.Parse(ExampleConfig.With(("    retries: 2", "   retries: 2")), File);

        var error = Assert.Single(result.Errors);
        Assert.Equal(25, error.Mark.Line);
        Assert.StartsWith("YAML syntax error: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_EmptyFile_IsOneError()
    {
        var error = Assert.Single(StationConfigLoader.Parse("# nothing yet\n", File).Errors);

        Assert.Equal("the file is empty", error.Message);
    }

    [Fact]
    public void Parse_SecondDocument_IsRejectedWhereItStarts()
    {
        var error = Assert.Single(StationConfigLoader.Parse(ExampleConfig.Text + "---\nstation: { id: other }\n", File).Errors);

        // The line after the example's last.
        Assert.Equal(new SourceMark(ExampleConfig.Text.Count(c => c == '\n') + 1, 1), error.Mark);
        Assert.Contains("only one YAML document", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_TopLevelNotAMapping_IsOneError()
    {
        var error = Assert.Single(StationConfigLoader.Parse("- a\n- b\n", File).Errors);

        Assert.Equal(new SourceMark(1, 1), error.Mark);
        Assert.Contains("expected a mapping", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MissingFile_IsOneErrorNamingTheFile()
    {
        using var dir = new TempDirectory();
        var path = dir.File("absent.yaml");

        var error = Assert.Single(StationConfigLoader.Load(path).Errors);

        Assert.Equal($"{path}:1:1: no such file", error.ToString());
    }

    [Fact]
    public void Parse_ErrorsOfDifferentKinds_AreAllReportedInFileOrder()
    {
        var result = StationConfigLoader.Parse(
            ExampleConfig.With(("    poll: 10s", "    pol: 10s"), ("id: wz-oh-lilong-01", "id: X"), ("repeat: 5", "repeat: -1")),
            File);

        Assert.Equal(
            ["station.id", "sensors[1].pol", "alerting.levels[2].broadcast.repeat"],
            result.Errors.Select(e => e.Path));
    }
}
