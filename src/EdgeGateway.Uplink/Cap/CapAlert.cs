using System.Globalization;
using System.Text;
using System.Xml;
using EdgeGateway.Core.Alerting;
using EdgeGateway.Core.Readings;

namespace EdgeGateway.Uplink.Cap;

/// <summary>The values that vary between CAP documents of one station (the rest is fixed mapping).</summary>
internal sealed record CapAlert(
    string Identifier,
    string Sender,
    DateTimeOffset Sent,
    bool Exercise,
    string MsgType,
    string? References,
    LevelTransition Transition,
    string Severity,
    string Urgency,
    string ResponseType,
    string? SenderName,
    long Seq,
    Guid AlertId,
    string Language = UplinkOptions.DefaultLanguage,
    CapTexts? Texts = null);

/// <summary>
/// Writes an OASIS CAP 1.2 <c>alert</c>. Element order, cardinality and enumerations follow the CAP 1.2
/// schema exactly: alert (identifier, sender, sent, status, msgType, source, scope, references, info),
/// info (language, category, event, responseType, urgency, severity, certainty, senderName, headline,
/// description, instruction, parameter*, area), area (areaDesc).
/// </summary>
internal static class CapWriter
{
    public const string Namespace = "urn:oasis:names:tc:emergency:cap:1.2";

    /// <summary>CAP dateTime: seconds precision and a numeric offset; UTC is written "-00:00" as CAP requires.</summary>
    public static string FormatTime(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture) + "-00:00";

    /// <summary>The <c>sender,identifier,sent</c> triple that a later message's references element lists.</summary>
    public static string Reference(string sender, string identifier, DateTimeOffset sent) =>
        $"{sender},{identifier},{FormatTime(sent)}";

    public static byte[] Write(CapAlert a)
    {
        var settings = new XmlWriterSettings
        {
            Encoding = new UTF8Encoding(false),
            Indent = true,
            IndentChars = "  ",
            NewLineChars = "\n",
        };
        using var stream = new MemoryStream();
        using (var w = XmlWriter.Create(stream, settings))
        {
            var t = a.Transition;
            var subject = t.Scope == TransitionScope.Station ? "station" : $"rule {t.Id}";
            w.WriteStartDocument();
            w.WriteStartElement("alert", Namespace);
            Element(w, "identifier", a.Identifier);
            Element(w, "sender", a.Sender);
            Element(w, "sent", FormatTime(a.Sent));
            Element(w, "status", a.Exercise ? "Exercise" : "Actual");
            Element(w, "msgType", a.MsgType);
            Element(w, "source", "edgegw");
            Element(w, "scope", "Public");
            if (a.References is not null)
            {
                Element(w, "references", a.References);
            }

            w.WriteStartElement("info", Namespace);
            Element(w, "language", a.Language);
            Element(w, "category", "Met");
            Element(w, "event", "Flood");
            Element(w, "responseType", a.ResponseType);
            Element(w, "urgency", a.Urgency);
            Element(w, "severity", a.Severity);
            Element(w, "certainty", "Observed");
            if (a.SenderName is not null)
            {
                Element(w, "senderName", a.SenderName);
            }

            Element(w, "headline", a.Texts?.Headline is { } headline ? CapTexts.Fill(headline, t)
                : t.ToLevel.IsNone ? $"Flood alert cleared ({subject})"
                : $"Flood {t.To} ({subject})");
            Element(w, "description", a.Texts?.Description is { } description ? CapTexts.Fill(description, t) : Description(t));
            Element(w, "instruction", a.Texts?.Instruction is { } instruction ? CapTexts.Fill(instruction, t) : Instruction(a.ResponseType));
            Parameter(w, "station", a.Sender);
            Parameter(w, "seq", a.Seq.ToString(CultureInfo.InvariantCulture));
            Parameter(w, "alertId", a.AlertId.ToString("D"));
            Parameter(w, "scope", t.Scope == TransitionScope.Station ? "station" : "rule");
            Parameter(w, "rule", t.Scope == TransitionScope.Station ? LevelTransition.StationId : t.Id);
            Parameter(w, "from", t.From);
            Parameter(w, "to", t.To);
            if (t.Value is { } v && double.IsFinite(v))
            {
                Parameter(w, "value", ValueText.Format(v));
            }

            if (t.Threshold is { } th && double.IsFinite(th))
            {
                Parameter(w, "threshold", ValueText.Format(th));
            }

            w.WriteStartElement("area", Namespace);
            Element(w, "areaDesc", a.SenderName ?? a.Sender);
            w.WriteEndElement();
            w.WriteEndElement();
            w.WriteEndElement();
            w.WriteEndDocument();
        }

        return stream.ToArray();
    }

    private static string Description(LevelTransition t)
    {
        var what = t.Scope == TransitionScope.Station ? "Station level" : $"Rule {t.Id}";
        var text = $"{what} changed from {t.From} to {t.To}";
        if (t.Value is { } v && double.IsFinite(v))
        {
            text += "; measure " + ValueText.Format(v);
            if (t.Threshold is { } th && double.IsFinite(th))
            {
                text += ", threshold " + ValueText.Format(th);
            }
        }

        return text + ".";
    }

    private static string Instruction(string responseType) => responseType switch
    {
        "Evacuate" => "Leave low-lying areas now and follow the village evacuation plan.",
        "Prepare" => "Prepare to evacuate: secure belongings and listen for further announcements.",
        "AllClear" => "The flood threat has passed.",
        _ => "Stay alert and listen for further announcements.",
    };

    private static void Element(XmlWriter w, string name, string value) =>
        w.WriteElementString(name, Namespace, value);

    private static void Parameter(XmlWriter w, string name, string value)
    {
        w.WriteStartElement("parameter", Namespace);
        Element(w, "valueName", name);
        Element(w, "value", value);
        w.WriteEndElement();
    }
}
