using System.Globalization;
using System.Security.Cryptography;

namespace EdgeGateway.Demo;

/// <summary>
/// Lays out a demo station in one directory: station.yaml (the example station's gauges, rules, levels
/// and broadcasts, with every device on this machine's loopback), the broadcast messages, and a freshly
/// generated command key pair standing in for the hub's.
/// </summary>
public sealed class DemoStation
{
    public const string StationId = "wz-demo-01";
    public const string Prefix = "ews";
    public const int RiverSlave = 1;
    public const int RiverAddress = 0;
    public const int LoggerSlave = 2;
    public const int LoggerAddress = 10;
    public const int TipLine = 17;
    public const int AmplifierLine = 5;
    public const int ZoneLine = 6;

    /// <summary>The demo station's SL 651 remote station address.</summary>
    public const string Sl651Station = "0012345678";

    private double _compression = 1;
    private double _speed = 1;

    private DemoStation(string directory)
    {
        Directory = directory;
    }

    public string Directory { get; }

    public string ConfigPath => Path.Combine(Directory, "station.yaml");

    public string DataPath => Path.Combine(Directory, "data");

    public string SocketPath => Path.Combine(Directory, "control.sock");

    public string WavPath => Path.Combine(Directory, "broadcast.wav");

    /// <summary>The station's log when the live view has the terminal.</summary>
    public string LogPath => Path.Combine(Directory, "station.log");

    public string CommandPublicKeyPath => Path.Combine(Directory, "hub-command.pub");

    /// <summary>The hub's signing key (private): kept beside the station only because this is a demo.</summary>
    public string CommandPrivateKeyPath => Path.Combine(Directory, "hub-command.key");

    /// <summary>
    /// Writes everything into <paramref name="directory"/>. <paramref name="speed"/> is how much faster than real
    /// time the station's clock runs: request timeouts are scaled so they stay half a second of real time.
    /// </summary>
    /// <param name="compression">
    /// For a station on a real clock (end-to-end tests): every window, hold, clearAfter, debounce and broadcast
    /// timing is divided by this, so a storm whose scenario is compressed by the same factor raises and clears
    /// the same levels. Polls stay at least 250 ms.
    /// </param>
    /// <param name="sl651Port">The bench centre's port on loopback; null: the station reports over MQTT only.</param>
    public static DemoStation Create(string directory, int modbusPort, int brokerPort, double speed, double compression = 1, int? sl651Port = null)
    {
        var station = new DemoStation(Path.GetFullPath(directory)) { _compression = compression, _speed = speed };
        System.IO.Directory.CreateDirectory(station.Directory);
        System.IO.Directory.CreateDirectory(station.DataPath);
        var audio = DemoAudio.WriteMessages(Path.Combine(station.Directory, "audio"));
        using (var key = ECDsa.Create(ECCurve.NamedCurves.nistP256))
        {
            File.WriteAllText(station.CommandPublicKeyPath, key.ExportSubjectPublicKeyInfoPem());
            File.WriteAllText(station.CommandPrivateKeyPath, key.ExportPkcs8PrivateKeyPem());
            File.SetUnixFileMode(station.CommandPrivateKeyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        File.WriteAllText(station.ConfigPath, station.Yaml(modbusPort, brokerPort, speed, audio) + station.Sl651Yaml(sl651Port));
        return station;
    }

    private string Yaml(int modbusPort, int brokerPort, double speed, IReadOnlyDictionary<string, string> audio)
    {
        var timeout = Duration(TimeSpan.FromSeconds(Math.Max(1, 0.5 * speed)));
        return string.Create(CultureInfo.InvariantCulture, $$"""
            # The demo station: the example station's gauges, rules and broadcasts, with every device simulated
            # on this machine. Its clock runs {{speed:0.##}}x faster than real time, so every duration below is
            # station time (a request timeout of {{timeout}} is half a second of real time).
            station:
              id: {{StationId}}
              name: "Demo village flood warning station"
              timezone: Asia/Shanghai

            hardware:
              gpio: { driver: simulated }

            control:
              socket: {{Quote(SocketPath)}}

            storage:
              path: {{Quote(DataPath)}}
              queueLimit: 16MB

            buses:
              - id: rs485                      # the water-level radar (the Modbus simulator, slave {{RiverSlave}})
                modbus-tcp: { host: 127.0.0.1, port: {{modbusPort}} }
                timeout: {{timeout}}
                retries: 1
              - id: plc                        # the rain logger (the Modbus simulator, slave {{LoggerSlave}})
                modbus-tcp: { host: 127.0.0.1, port: {{modbusPort}} }
                timeout: {{timeout}}
                retries: 1

            sensors:
              - id: river-level
                kind: water-level
                unit: m
                modbus: { bus: rs485, slave: {{RiverSlave}}, table: holding, address: {{RiverAddress}}, type: float32, order: ABCD }
                valid: [0, 15]
                poll: {{P("5s")}}
              - id: rain-counter
                kind: rain-total
                unit: mm
                modbus: { bus: plc, slave: {{LoggerSlave}}, table: input, address: {{LoggerAddress}}, type: uint32, order: CDAB }
                scale: 0.1
                poll: {{P("10s")}}
              - id: rain-gauge
                kind: rain-pulse
                unit: mm
                gpio: { pin: {{TipLine}}, edge: falling, pull: up, debounce: {{D("25ms")}} }
                mmPerTip: 0.5
              - id: flood-switch
                kind: digital
                gpio: { pin: 27, pull: up, activeLow: true, debounce: {{D("200ms")}} }
              - id: alarm-button
                kind: digital
                gpio: { pin: 22, pull: up, activeLow: true, debounce: {{D("50ms")}} }

            alerting:
              clearAfter: {{D("30m")}}
              levels:
                - { id: watch,    severity: Moderate }
                - { id: prepare,  severity: Severe,  broadcast: { message: prepare,  repeat: 3 } }
                - { id: evacuate, severity: Extreme, broadcast: { message: evacuate, repeat: 5 } }
              allClear: { message: all-clear, repeat: 2 }
              rules:
                - id: rain-1h
                  sensor: rain-gauge
                  measure: { sum: {{D("1h")}} }
                  above: { watch: 20, prepare: 30, evacuate: 50 }
                - id: rain-3h
                  sensor: rain-gauge
                  measure: { sum: {{D("3h")}} }
                  above: { prepare: 50, evacuate: 80 }
                - id: rain-logger-1h
                  sensor: rain-counter
                  measure: { sum: {{D("1h")}} }
                  above: { prepare: 30, evacuate: 50 }
                - id: river
                  sensor: river-level
                  measure: value
                  above: { watch: 2.8, prepare: 3.2, evacuate: 3.8 }
                  hysteresis: 0.05
                  hold: {{D("30s")}}
                - id: river-rise
                  sensor: river-level
                  measure: { rise: {{D("1h")}} }
                  above: { prepare: 0.5 }
                - id: flood-switch
                  sensor: flood-switch
                  when: active
                  level: evacuate
                - id: manual
                  sensor: alarm-button
                  when: active
                  level: evacuate
                  latch: true

            broadcast:
              amplifier: { gpio: {{AmplifierLine}}, warmup: {{D("2s")}}, tail: {{D("1s")}} }
              zones: [ { id: village, gpio: {{ZoneLine}} } ]
              audio: { sink: file, path: {{Quote(WavPath)}} }
              gap: {{D("3s")}}
              messages:
                prepare:   { file: {{Quote(audio["prepare"])}} }
                evacuate:  { file: {{Quote(audio["evacuate"])}} }
                all-clear: { file: {{Quote(audio["all-clear"])}} }
                test:      { text: "This is a test of the village emergency broadcast.", voice: en }

            uplink:
              mqtt:
                host: 127.0.0.1
                port: {{brokerPort}}
                prefix: {{Prefix}}
              telemetry: {{D("60s")}}
              commandKey: {{Quote(CommandPublicKeyPath)}}

            """);
    }

    /// <summary>
    /// The SL 651 path: the same station reports to the bench centre as a river station, hourly on the local
    /// clock and at once on every level change. Appended under <c>uplink</c>, which ends the file.
    /// </summary>
    private string Sl651Yaml(int? port) => port is not { } p ? "" : string.Create(CultureInfo.InvariantCulture, $$"""
              sl651:
                centres: [ { host: 127.0.0.1, port: {{p}} } ]
                centre: 1
                station: "{{Sl651Station}}"
                password: "04D2"
                stationType: H
                timed: {{D("1h")}}
                keepAlive: {{D("10m")}}
                elements:
                  - { sensor: river-level, element: "39" }
                  - { sensor: rain-gauge,  element: "26" }
                  - { sensor: rain-gauge,  element: "1A" }

            """);

    /// <summary>A duration of the file, divided by the compression (as milliseconds when compressed).</summary>
    private string D(string text)
    {
        if (_compression == 1)
        {
            return text;
        }

        _ = Configuration.ConfigValueText.TryParseDuration(text, out var span);
        return string.Create(CultureInfo.InvariantCulture, $"{Math.Max(1, (long)Math.Round(span.TotalMilliseconds / _compression))}ms");
    }

    /// <summary>
    /// A poll period: compressed, but never below 250 ms of real time (on a fast clock, at least 250 ms x speed
    /// of station time), so a loaded machine does not make the gauges look stale.
    /// </summary>
    private string P(string text)
    {
        if (_compression == 1 && Configuration.ConfigValueText.TryParseDuration(text, out var period) && period < TimeSpan.FromSeconds(0.25 * _speed))
        {
            return Duration(TimeSpan.FromSeconds(0.25 * _speed));
        }

        var d = D(text);
        return _compression == 1 || !d.EndsWith("ms", StringComparison.Ordinal) || long.Parse(d[..^2], CultureInfo.InvariantCulture) >= 250 ? d : "250ms";
    }

    /// <summary>A YAML double-quoted scalar.</summary>
    private static string Quote(string text) => "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    /// <summary>A duration in the file's notation (whole seconds, minutes or hours).</summary>
    internal static string Duration(TimeSpan span) =>
        span.TotalSeconds % 3600 == 0 ? $"{(int)span.TotalHours}h"
        : span.TotalSeconds % 60 == 0 ? $"{(int)span.TotalMinutes}m"
        : $"{(int)Math.Ceiling(span.TotalSeconds)}s";
}
