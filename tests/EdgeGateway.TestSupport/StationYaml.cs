using System.Globalization;
using System.Text;

namespace EdgeGateway.TestSupport;

/// <summary>
/// The station.yaml of a process test: a station with nothing to touch on this machine (simulated GPIO, the
/// control socket and storage under the test's directory), to which the test adds sensors, alerting, speakers,
/// an uplink and whatever else it is about. Sections are YAML text written as in station.yaml, keys at the start
/// of the line; the builder indents them under their section.
/// </summary>
public sealed class StationYaml
{
    private readonly string _id;
    private readonly TempDirectory _dir;
    private readonly List<string> _sensors = [];
    private readonly List<string> _sections = [];
    private string _storage;
    private string? _station;
    private string? _buses;
    private string? _alerting;
    private string? _broadcast;
    private string? _uplink;

    /// <summary>Station <paramref name="stationId"/>; control socket <c>control.sock</c> and storage <c>data/</c> (created) in <paramref name="dir"/>.</summary>
    public StationYaml(string stationId, TempDirectory dir)
    {
        _id = stationId;
        _dir = dir;
        Directory.CreateDirectory(dir.File("data"));
        _storage = $"path: {dir.File("data")}";
    }

    /// <summary>More keys of <c>station:</c> after the id (e.g. <c>timezone: Asia/Shanghai</c>).</summary>
    public StationYaml Station(string more)
    {
        _station = more;
        return this;
    }

    /// <summary>Storage somewhere else than <c>data/</c>, or with more settings (e.g. <c>queueLimit: 1MB</c>).</summary>
    public StationYaml Storage(string? path = null, string? more = null)
    {
        _storage = $"path: {path ?? _dir.File("data")}" + (more is null ? "" : ", " + more);
        return this;
    }

    /// <summary>A digital input (a switch or button to ground: pull-up, active low) on a simulated GPIO line.</summary>
    public StationYaml DigitalSensor(string id, int pin, string? more = null) =>
        Sensor($"- id: {id}\n  kind: digital\n  gpio: {{ pin: {pin.ToString(CultureInfo.InvariantCulture)}, pull: up, activeLow: true{(more is null ? "" : ", " + more)} }}");

    /// <summary>One item of <c>sensors:</c>, starting with <c>- id:</c>.</summary>
    public StationYaml Sensor(string item)
    {
        _sensors.Add(item);
        return this;
    }

    /// <summary>The body of <c>buses:</c>.</summary>
    public StationYaml Buses(string body)
    {
        _buses = body;
        return this;
    }

    /// <summary>The body of <c>alerting:</c> (levels, rules, clearAfter...).</summary>
    public StationYaml Alerting(string body)
    {
        _alerting = body;
        return this;
    }

    /// <summary>One level and one rule: <c>levels: [ <paramref name="level"/> ]</c> and <c>rules: [ <paramref name="rule"/> ]</c>, each a YAML flow map.</summary>
    public StationYaml Alerting(string level, string rule, string? more = null) =>
        Alerting((more is null ? "" : more + "\n") + $"levels: [ {level} ]\nrules:\n  - {rule}");

    /// <summary>
    /// Speakers: the amplifier on line 5 and zone <c>village</c> on line 6, the file audio sink writing
    /// <paramref name="wav"/>, then <paramref name="body"/> (messages, gap, selfTest...).
    /// </summary>
    public StationYaml Broadcast(string wav, string body, string warmup = "100ms", string tail = "100ms")
    {
        _broadcast = $"amplifier: {{ gpio: 5, warmup: {warmup}, tail: {tail} }}\nzones: [ {{ id: village, gpio: 6 }} ]\naudio: {{ sink: file, path: {wav} }}\n{body}";
        return this;
    }

    /// <summary>An uplink to the MQTT broker on 127.0.0.1:<paramref name="port"/>; <paramref name="more"/> adds keys (commandKey, cluster...).</summary>
    public StationYaml Uplink(int port, string prefix = "ews", string telemetry = "60s", string? more = null) =>
        UplinkMqtt($"{{ host: 127.0.0.1, port: {port.ToString(CultureInfo.InvariantCulture)}, prefix: {prefix} }}", telemetry, more);

    /// <summary>An uplink whose <c>mqtt:</c> is <paramref name="mqtt"/>, a YAML flow map (e.g. with <c>hosts:</c> for a cluster).</summary>
    public StationYaml UplinkMqtt(string mqtt, string telemetry = "60s", string? more = null)
    {
        _uplink = $"mqtt: {mqtt}\ntelemetry: {telemetry}" + (more is null ? "" : "\n" + more);
        return this;
    }

    /// <summary>Any other top-level text, as is (e.g. a whole <c>sl651:</c> section).</summary>
    public StationYaml Section(string text)
    {
        _sections.Add(text);
        return this;
    }

    public override string ToString()
    {
        var yaml = new StringBuilder();
        yaml.Append(CultureInfo.InvariantCulture, $"station: {{ id: {_id}{(_station is null ? "" : ", " + _station)} }}\n");
        yaml.Append("hardware:\n  gpio: { driver: simulated }\n");
        yaml.Append(CultureInfo.InvariantCulture, $"control: {{ socket: {_dir.File("control.sock")} }}\n");
        yaml.Append(CultureInfo.InvariantCulture, $"storage: {{ {_storage} }}\n");
        Block(yaml, "buses", _buses);
        if (_sensors.Count > 0)
        {
            Block(yaml, "sensors", string.Join('\n', _sensors));
        }

        Block(yaml, "alerting", _alerting);
        Block(yaml, "broadcast", _broadcast);
        Block(yaml, "uplink", _uplink);
        foreach (var section in _sections)
        {
            yaml.Append(section.TrimEnd()).Append('\n');
        }

        return yaml.ToString();
    }

    /// <summary>Writes <c>station.yaml</c> (or <paramref name="name"/>) into the test's directory and returns its path.</summary>
    public string Write(string name = "station.yaml") => _dir.Write(name, ToString());

    private static void Block(StringBuilder yaml, string key, string? body)
    {
        if (body is null)
        {
            return;
        }

        yaml.Append(key).Append(":\n");
        foreach (var line in body.TrimEnd().Split('\n'))
        {
            yaml.Append("  ").Append(line.TrimEnd('\r')).Append('\n');
        }
    }
}
