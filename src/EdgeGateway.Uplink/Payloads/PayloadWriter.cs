using System.Buffers;
using System.Globalization;
using System.Text.Json;
using EdgeGateway.Core.Alerting;
using EdgeGateway.Core.Events;
using EdgeGateway.Core.Readings;

namespace EdgeGateway.Uplink.Payloads;

/// <summary>
/// The JSON payloads of the contract. Every one starts with the common fields in this order:
/// <c>station</c>, <c>id</c> (UUID, for dedupe), <c>time</c> (UTC, ISO 8601, milliseconds) and, for all
/// but status, <c>seq</c>.
/// </summary>
internal static class PayloadWriter
{
    private static readonly JsonWriterOptions WriterOptions = new() { Indented = false };

    public static string FormatTime(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    public static byte[] Telemetry(string station, Guid id, DateTimeOffset time, long seq,
        IReadOnlyList<Reading> readings, IDictionary<string, string> units) =>
        Write(w =>
        {
            Common(w, station, id, time, seq);
            w.WriteStartArray("readings");
            foreach (var r in readings)
            {
                w.WriteStartObject();
                w.WriteString("sensor", r.SensorId);
                w.WriteString("time", FormatTime(r.Time));
                Number(w, "value", r.Value);
                if (units.TryGetValue(r.SensorId, out var unit))
                {
                    w.WriteString("unit", unit);
                }
                else
                {
                    w.WriteNull("unit");
                }

                w.WriteString("quality", QualityName(r.Quality));
                w.WriteEndObject();
            }

            w.WriteEndArray();
        });

    public static byte[] Alert(string station, Guid id, long seq, LevelTransition t, string severity) =>
        Write(w =>
        {
            Common(w, station, id, t.Time, seq);
            w.WriteString("scope", t.Scope == TransitionScope.Station ? "station" : "rule");
            w.WriteString("rule", t.Scope == TransitionScope.Station ? LevelTransition.StationId : t.Id);
            w.WriteString("from", t.From);
            w.WriteString("to", t.To);
            Number(w, "value", t.Value);
            Number(w, "threshold", t.Threshold);
            w.WriteString("severity", severity);
        });

    public static byte[] Event(string station, Guid id, long seq, StationEvent e) =>
        Write(w =>
        {
            Common(w, station, id, e.Time, seq);
            w.WriteString("type", e.Type);
            if (e.Source is not null)
            {
                w.WriteString("source", e.Source);
            }

            if (e.Message is not null)
            {
                w.WriteString("message", e.Message);
            }

            if (e.Data is { Count: > 0 })
            {
                w.WritePropertyName("data");
                Value(w, e.Data);
            }
        });

    public static byte[] Result(string station, Guid id, DateTimeOffset time, long seq, string? jti, bool ok,
        string? error, string? warning) =>
        Write(w =>
        {
            Common(w, station, id, time, seq);
            if (jti is null)
            {
                w.WriteNull("command");
            }
            else
            {
                w.WriteString("command", jti);
            }

            w.WriteBoolean("ok", ok);
            if (error is not null)
            {
                w.WriteString("error", error);
            }

            if (warning is not null)
            {
                w.WriteString("warning", warning);
            }
        });

    /// <summary>Birth/heartbeat: <c>{"state":"online",...health}</c>; the will is <c>{"state":"offline"}</c>.</summary>
    public static byte[] Status(string station, Guid id, DateTimeOffset time, bool online,
        IReadOnlyDictionary<string, object?>? health) =>
        Write(w =>
        {
            w.WriteString("station", station);
            w.WriteString("id", id.ToString("D"));
            w.WriteString("time", FormatTime(time));
            w.WriteString("state", online ? "online" : "offline");
            if (health is null)
            {
                return;
            }

            foreach (var (key, value) in health)
            {
                if (key is "station" or "id" or "time" or "state")
                {
                    continue;
                }

                w.WritePropertyName(key);
                Value(w, value);
            }
        });

    public static string QualityName(Quality quality) => quality switch
    {
        Quality.Good => "good",
        Quality.CommFault => "comm-fault",
        Quality.OutOfRange => "out-of-range",
        Quality.Stale => "stale",
        _ => "unknown",
    };

    private static void Common(Utf8JsonWriter w, string station, Guid id, DateTimeOffset time, long seq)
    {
        w.WriteString("station", station);
        w.WriteString("id", id.ToString("D"));
        w.WriteString("time", FormatTime(time));
        w.WriteNumber("seq", seq);
    }

    private static void Number(Utf8JsonWriter w, string name, double? value)
    {
        if (value is { } v && double.IsFinite(v))
        {
            w.WriteNumber(name, v);
        }
        else
        {
            w.WriteNull(name);
        }
    }

    // Health and event data are JSON-friendly values: strings, numbers, booleans, times, nested
    // dictionaries and lists. Anything else is written as its invariant string.
    private static void Value(Utf8JsonWriter w, object? value)
    {
        switch (value)
        {
            case null:
                w.WriteNullValue();
                break;
            case string s:
                w.WriteStringValue(s);
                break;
            case bool b:
                w.WriteBooleanValue(b);
                break;
            case double d:
                if (double.IsFinite(d))
                {
                    w.WriteNumberValue(d);
                }
                else
                {
                    w.WriteNullValue();
                }

                break;
            case float f:
                // At the float's own precision: 2.9f, not its widened 2.9000000953674316.
                if (float.IsFinite(f))
                {
                    w.WriteNumberValue(f);
                }
                else
                {
                    w.WriteNullValue();
                }

                break;
            case int or long or short or byte or uint or ushort or sbyte:
                w.WriteNumberValue(Convert.ToInt64(value, CultureInfo.InvariantCulture));
                break;
            case ulong ul:
                w.WriteNumberValue(ul);
                break;
            case decimal m:
                w.WriteNumberValue(m);
                break;
            case DateTimeOffset dto:
                w.WriteStringValue(FormatTime(dto));
                break;
            case DateTime dt:
                w.WriteStringValue(FormatTime(new DateTimeOffset(dt.ToUniversalTime(), TimeSpan.Zero)));
                break;
            case TimeSpan ts:
                w.WriteNumberValue(ts.TotalSeconds);
                break;
            case Enum e:
                w.WriteStringValue(e.ToString());
                break;
            case JsonElement je:
                je.WriteTo(w);
                break;
            case IEnumerable<KeyValuePair<string, object?>> map:
                w.WriteStartObject();
                foreach (var (k, v) in map)
                {
                    w.WritePropertyName(k);
                    Value(w, v);
                }

                w.WriteEndObject();
                break;
            case System.Collections.IEnumerable list:
                w.WriteStartArray();
                foreach (var item in list)
                {
                    Value(w, item);
                }

                w.WriteEndArray();
                break;
            default:
                w.WriteStringValue(Convert.ToString(value, CultureInfo.InvariantCulture));
                break;
        }
    }

    private static byte[] Write(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
