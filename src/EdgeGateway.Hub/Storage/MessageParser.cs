using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Xml;
using System.Xml.Linq;

namespace EdgeGateway.Hub.Storage;

/// <summary>
/// Turns an uplink message into a <see cref="HubMessage"/>, or says why it cannot be one. Checks what the
/// station promises (docs/mqtt.md): the topic's station is the payload's, every message has a UUID
/// <c>id</c> and a UTC <c>time</c>, all but status a positive <c>seq</c> (a CAP document its own, as the
/// parameter <c>seq</c>), and each field its type.
/// </summary>
public sealed class MessageParser(string prefix)
{
    private static readonly XNamespace Cap = "urn:oasis:names:tc:emergency:cap:1.2";
    private readonly string _prefix = prefix + "/";

    /// <summary>Null for a message the hub has no business storing (a command going down to a station).</summary>
    public (HubMessage? Message, RejectedMessage? Rejected) Parse(Incoming incoming)
    {
        ArgumentNullException.ThrowIfNull(incoming);
        try
        {
            return (ParseCore(incoming), null);
        }
        catch (BadMessageException e)
        {
            return (null, new RejectedMessage(incoming.Topic, incoming.Body, e.Message));
        }
    }

    /// <summary>Converts an AMQP routing key of amq.topic back into the MQTT topic RabbitMQ took it from.</summary>
    public static string TopicOfRoutingKey(string routingKey) => routingKey.Replace('.', '/');

    private HubMessage? ParseCore(Incoming incoming)
    {
        var topic = incoming.Topic;
        if (!topic.StartsWith(_prefix, StringComparison.Ordinal))
        {
            throw new BadMessageException($"topic outside the prefix '{_prefix}'");
        }

        var rest = topic[_prefix.Length..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0)
        {
            throw new BadMessageException("topic has no station and kind");
        }

        var station = rest[..slash];
        var suffix = rest[(slash + 1)..];
        MessageKind kind;
        switch (suffix)
        {
            case "telemetry": kind = MessageKind.Telemetry; break;
            case "alert": kind = MessageKind.Alert; break;
            case "alert/cap": kind = MessageKind.Cap; break;
            case "event": kind = MessageKind.Event; break;
            case "cmd/result": kind = MessageKind.CommandResult; break;
            case "status": kind = MessageKind.Status; break;
            case "cmd": return null;
            default: throw new BadMessageException($"unknown kind '{suffix}'");
        }

        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(incoming.Body.Span);
        }
        catch (DecoderFallbackException)
        {
            throw new BadMessageException("payload is not UTF-8");
        }

        if (text.Contains('\0', StringComparison.Ordinal))
        {
            throw new BadMessageException("payload contains a NUL character");
        }

        return kind == MessageKind.Cap ? ParseCap(station, text) : ParseJson(kind, station, text);
    }

    private static HubMessage ParseJson(MessageKind kind, string station, string text)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(text);
        }
        catch (JsonException e)
        {
            throw new BadMessageException($"not JSON: {e.Message}");
        }

        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new BadMessageException("not a JSON object");
            }

            var claimed = Str(root, "station", required: true);
            if (claimed != station)
            {
                throw new BadMessageException($"station '{claimed}' in the payload, '{station}' in the topic");
            }

            var id = Guid.TryParse(Str(root, "id", required: true), out var g) ? g : throw new BadMessageException("id: not a UUID");
            var time = Time(root, "time", required: true)!.Value;
            long? seq = kind == MessageKind.Status ? null : Long(root, "seq");
            if (seq is <= 0)
            {
                throw new BadMessageException("seq: must be positive");
            }

            return kind switch
            {
                MessageKind.Telemetry => new HubMessage
                {
                    Kind = kind, Station = station, Seq = seq, Id = id, Time = time, Payload = text, Readings = Readings(root),
                },
                MessageKind.Alert => new HubMessage
                {
                    Kind = kind, Station = station, Seq = seq, Id = id, Time = time, Payload = text,
                    Scope = Str(root, "scope", required: true), Rule = Str(root, "rule"), From = Str(root, "from", required: true),
                    To = Str(root, "to", required: true), Value = Double(root, "value"), Threshold = Double(root, "threshold"),
                    Severity = Str(root, "severity"),
                },
                MessageKind.Event => Event(station, seq, id, time, text, root),
                MessageKind.CommandResult => new HubMessage
                {
                    Kind = kind, Station = station, Seq = seq, Id = id, Time = time, Payload = text,
                    Command = Str(root, "command"), Ok = Bool(root, "ok"), Error = Str(root, "error"), Warning = Str(root, "warning"),
                },
                _ => new HubMessage
                {
                    Kind = kind, Station = station, Id = id, Time = time, Payload = text, State = State(root),
                },
            };
        }
    }

    private static string State(JsonElement root)
    {
        var state = Str(root, "state", required: true);
        return state is "online" or "offline" ? state : throw new BadMessageException("state: expected online or offline");
    }

    private static HubMessage Event(string station, long? seq, Guid id, DateTimeOffset time, string text, JsonElement root)
    {
        var type = Str(root, "type", required: true);
        (long, long)? skipped = null;
        string? data = null;
        if (root.TryGetProperty("data", out var d) && d.ValueKind != JsonValueKind.Null)
        {
            if (d.ValueKind != JsonValueKind.Object)
            {
                throw new BadMessageException("data: expected an object");
            }

            data = d.GetRawText();
            if (type == "seq-skipped" && Long(d, "from") is { } from && Long(d, "to") is { } to && from <= to)
            {
                skipped = (from, to);
            }
        }

        return new HubMessage
        {
            Kind = MessageKind.Event, Station = station, Seq = seq, Id = id, Time = time, Payload = text,
            Type = type, Source = Str(root, "source"), Message = Str(root, "message"), Data = data, Skipped = skipped,
        };
    }

    private static List<ReadingRow> Readings(JsonElement root)
    {
        if (!root.TryGetProperty("readings", out var list) || list.ValueKind != JsonValueKind.Array)
        {
            throw new BadMessageException("readings: expected a list");
        }

        var rows = new List<ReadingRow>(list.GetArrayLength());
        foreach (var r in list.EnumerateArray())
        {
            if (r.ValueKind != JsonValueKind.Object)
            {
                throw new BadMessageException("readings: expected objects");
            }

            rows.Add(new ReadingRow(Str(r, "sensor", required: true)!, Time(r, "time", required: true)!.Value,
                Double(r, "value"), Str(r, "unit"), Str(r, "quality", required: true)!));
        }

        return rows;
    }

    private static HubMessage ParseCap(string station, string text)
    {
        XDocument doc;
        try
        {
            doc = XDocument.Parse(text);
        }
        catch (XmlException e)
        {
            throw new BadMessageException($"not XML: {e.Message}");
        }

        var alert = doc.Root is { } r && r.Name == Cap + "alert" ? r : throw new BadMessageException("not a CAP 1.2 alert");
        var info = alert.Element(Cap + "info") ?? throw new BadMessageException("CAP: no info");
        var seqText = info.Elements(Cap + "parameter").FirstOrDefault(p => p.Element(Cap + "valueName")?.Value == "seq")?.Element(Cap + "value")?.Value;
        if (!long.TryParse(seqText, NumberStyles.None, CultureInfo.InvariantCulture, out var seq) || seq <= 0)
        {
            throw new BadMessageException("CAP: no seq parameter");
        }

        var identifier = alert.Element(Cap + "identifier")?.Value ?? throw new BadMessageException("CAP: no identifier");
        if (!DateTimeOffset.TryParse(alert.Element(Cap + "sent")?.Value, CultureInfo.InvariantCulture, DateTimeStyles.None, out var sent))
        {
            throw new BadMessageException("CAP: sent is not a time");
        }

        return new HubMessage
        {
            // The identifier is the station's UUID for the document; kept as the id when it is one.
            Kind = MessageKind.Cap, Station = station, Seq = seq, Id = Guid.TryParse(identifier, out var id) ? id : Guid.Empty,
            Time = sent, Payload = text,
            CapIdentifier = identifier, CapEvent = info.Element(Cap + "event")?.Value, Severity = info.Element(Cap + "severity")?.Value,
        };
    }

    private static string? Str(JsonElement o, string name, bool required = false)
    {
        if (!o.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
        {
            return required ? throw new BadMessageException($"{name}: missing") : null;
        }

        return v.ValueKind == JsonValueKind.String ? v.GetString() : throw new BadMessageException($"{name}: expected a string");
    }

    private static long? Long(JsonElement o, string name)
    {
        if (!o.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
        {
            throw new BadMessageException($"{name}: missing");
        }

        return v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n) ? n : throw new BadMessageException($"{name}: expected an integer");
    }

    private static double? Double(JsonElement o, string name)
    {
        if (!o.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return v.ValueKind == JsonValueKind.Number ? v.GetDouble() : throw new BadMessageException($"{name}: expected a number");
    }

    private static bool? Bool(JsonElement o, string name)
    {
        if (!o.TryGetProperty(name, out var v))
        {
            throw new BadMessageException($"{name}: missing");
        }

        return v.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new BadMessageException($"{name}: expected true or false"),
        };
    }

    private static DateTimeOffset? Time(JsonElement o, string name, bool required)
    {
        var text = Str(o, name, required);
        if (text is null)
        {
            return null;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)
            ? t.ToUniversalTime()
            : throw new BadMessageException($"{name}: '{text}' is not an ISO 8601 time");
    }

    private sealed class BadMessageException(string message) : Exception(message);
}
