using System.Xml;
using System.Xml.Linq;
using System.Xml.Schema;
using EdgeGateway.Core.Alerting;
using EdgeGateway.Uplink.Cap;

namespace EdgeGateway.Uplink.Tests.Cap;

public sealed class CapWriterTests
{
    private static readonly XNamespace Cap = CapWriter.Namespace;
    private static readonly DateTimeOffset T0 = new(2026, 7, 1, 3, 0, 0, 123, TimeSpan.Zero);

    private static readonly CapMapping Mapping = new(TestLevels.Standard);

    internal static void ValidateAgainstSchema(byte[] document)
    {
        var schemas = new XmlSchemaSet();
        schemas.Add(CapWriter.Namespace, Path.Combine(AppContext.BaseDirectory, "Cap", "CAP-v1.2.xsd"));
        var errors = new List<string>();
        var settings = new XmlReaderSettings { ValidationType = ValidationType.Schema, Schemas = schemas };
        settings.ValidationFlags |= XmlSchemaValidationFlags.ReportValidationWarnings;
        settings.ValidationEventHandler += (_, e) => errors.Add($"{e.Severity}: {e.Message}");
        using var reader = XmlReader.Create(new MemoryStream(document), settings);
        while (reader.Read())
        {
        }

        Assert.Empty(errors);
    }

    private static byte[] Write(LevelTransition t, bool exercise = false, string? references = null) =>
        CapWriter.Write(new CapAlert("4a1c2d3e-0000-4000-8000-000000000001", "wz-oh-lilong-01", t.Time, exercise,
            CapMapping.MsgType(t), references, t, Mapping.Severity(t), Mapping.Urgency(t), Mapping.ResponseType(t),
            "Lilong flood warning station", 42, Guid.Parse("00000000-0000-4000-8000-000000000002")));

    [Theory]
    [InlineData("none", "watch", "Alert", "Moderate", "Monitor", "Future")]
    [InlineData("none", "evacuate", "Alert", "Extreme", "Evacuate", "Immediate")]
    [InlineData("watch", "prepare", "Update", "Severe", "Prepare", "Expected")]
    [InlineData("evacuate", "prepare", "Update", "Severe", "Prepare", "Expected")]
    [InlineData("prepare", "none", "Cancel", "Minor", "AllClear", "Past")]
    public void Write_RuleTransition_ValidatesAndMapsLevel(string from, string to, string msgType, string severity,
        string response, string urgency)
    {
        var t = new LevelTransition(T0, TransitionScope.Rule, "river", TestLevels.Level(from), TestLevels.Level(to), 3.3, 3.2);
        var xml = Write(t, references: msgType == "Alert" ? null : "wz-oh-lilong-01,prev,2026-07-01T02:00:00-00:00");
        ValidateAgainstSchema(xml);
        var doc = XDocument.Load(new MemoryStream(xml));
        var alert = doc.Root!;
        Assert.Equal(Cap + "alert", alert.Name);
        Assert.Equal(msgType, alert.Element(Cap + "msgType")!.Value);
        Assert.Equal("Actual", alert.Element(Cap + "status")!.Value);
        Assert.Equal("2026-07-01T03:00:00-00:00", alert.Element(Cap + "sent")!.Value);
        var info = alert.Element(Cap + "info")!;
        Assert.Equal(severity, info.Element(Cap + "severity")!.Value);
        Assert.Equal(response, info.Element(Cap + "responseType")!.Value);
        Assert.Equal(urgency, info.Element(Cap + "urgency")!.Value);
        Assert.Equal("Observed", info.Element(Cap + "certainty")!.Value);
        Assert.Equal(msgType != "Alert", alert.Element(Cap + "references") is not null);
    }

    [Fact]
    public void Write_Exercise_HasStatusExerciseAndStillValidates()
    {
        var t = new LevelTransition(T0, TransitionScope.Station, "station", TestLevels.Level("none"), TestLevels.Level("prepare"));
        var xml = Write(t, exercise: true);
        ValidateAgainstSchema(xml);
        Assert.Equal("Exercise", XDocument.Load(new MemoryStream(xml)).Root!.Element(Cap + "status")!.Value);
    }

    [Fact]
    public void Write_ElementsOfAlert_AreInSchemaOrder()
    {
        var t = new LevelTransition(T0, TransitionScope.Rule, "river", TestLevels.Level("watch"), TestLevels.Level("prepare"), 3.3, 3.2);
        var xml = Write(t, references: "a,b,2026-07-01T02:00:00-00:00");
        var names = XDocument.Load(new MemoryStream(xml)).Root!.Elements().Select(e => e.Name.LocalName);
        Assert.Equal(["identifier", "sender", "sent", "status", "msgType", "source", "scope", "references", "info"], names);
        var info = XDocument.Load(new MemoryStream(xml)).Root!.Element(Cap + "info")!.Elements().Select(e => e.Name.LocalName).Distinct();
        Assert.Equal(["language", "category", "event", "responseType", "urgency", "severity", "certainty", "senderName",
            "headline", "description", "instruction", "parameter", "area"], info);
    }

    [Fact]
    public void Schema_RejectsDocumentWithElementsOutOfOrder()
    {
        var t = new LevelTransition(T0, TransitionScope.Rule, "river", TestLevels.Level("none"), TestLevels.Level("watch"), 2.9, 2.8);
        var doc = XDocument.Load(new MemoryStream(Write(t)));
        var status = doc.Root!.Element(Cap + "status")!;
        status.Remove();
        doc.Root!.Element(Cap + "msgType")!.AddAfterSelf(status);
        var bytes = System.Text.Encoding.UTF8.GetBytes(doc.ToString());
        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => ValidateAgainstSchema(bytes));
    }

    [Fact]
    public void Reference_FormatsSenderIdentifierSent()
    {
        Assert.Equal("s1,abc,2026-07-01T03:00:00-00:00", CapWriter.Reference("s1", "abc", T0));
    }
}
