using System.Text;
using EdgeGateway.Hub.Storage;

namespace EdgeGateway.Hub.Tests.Storage;

public sealed class MessageParserTests
{
    private const string Station = "wz-oh-lilong-01";
    private readonly MessageParser _parser = new("ews");

    private (HubMessage? Message, RejectedMessage? Rejected) Parse(string suffix, string payload) =>
        _parser.Parse(new Incoming($"ews/{Station}/{suffix}", Encoding.UTF8.GetBytes(payload)));

    [Theory]
    [InlineData("telemetry", "not json at all", "not JSON")]
    [InlineData("telemetry", "[1,2]", "not a JSON object")]
    [InlineData("weather", """{"station":"wz-oh-lilong-01"}""", "unknown kind 'weather'")]
    [InlineData("alert", """{"station":"wz-oh-lilong-01","id":"9a0c2f5e-7d4a-4e5b-9c6d-0a1b2c3d4e5f","time":"2026-07-01T03:00:00.000Z","seq":"12","scope":"rule","from":"none","to":"watch"}""", "seq: expected an integer")]
    [InlineData("alert", """{"station":"other-station","id":"9a0c2f5e-7d4a-4e5b-9c6d-0a1b2c3d4e5f","time":"2026-07-01T03:00:00.000Z","seq":12}""", "station 'other-station' in the payload")]
    [InlineData("event", """{"station":"wz-oh-lilong-01","id":"nope","time":"2026-07-01T03:00:00.000Z","seq":3,"type":"tamper"}""", "id: not a UUID")]
    [InlineData("telemetry", """{"station":"wz-oh-lilong-01","id":"9a0c2f5e-7d4a-4e5b-9c6d-0a1b2c3d4e5f","time":"yesterday","seq":3,"readings":[]}""", "time: 'yesterday' is not")]
    [InlineData("telemetry", """{"station":"wz-oh-lilong-01","id":"9a0c2f5e-7d4a-4e5b-9c6d-0a1b2c3d4e5f","time":"2026-07-01T03:00:00.000Z","seq":3,"readings":[{"sensor":"r","time":"2026-07-01T03:00:00.000Z","value":"high","quality":"good"}]}""", "value: expected a number")]
    [InlineData("status", """{"station":"wz-oh-lilong-01","id":"9a0c2f5e-7d4a-4e5b-9c6d-0a1b2c3d4e5f","time":"2026-07-01T03:00:00.000Z","state":"sleepy"}""", "state: expected online or offline")]
    [InlineData("alert/cap", "<alert/>", "not a CAP 1.2 alert")]
    public void Parse_BadMessage_IsRejectedWithTheReason(string suffix, string payload, string reason)
    {
        var (message, rejected) = Parse(suffix, payload);

        Assert.Null(message);
        Assert.NotNull(rejected);
        Assert.Contains(reason, rejected.Reason, StringComparison.Ordinal);
        Assert.Equal($"ews/{Station}/{suffix}", rejected.Topic);
    }

    [Fact]
    public void Parse_Telemetry_KeepsEachReadingWithItsTime()
    {
        var (message, rejected) = Parse("telemetry", """{"station":"wz-oh-lilong-01","id":"3f2b8c1e-7d4a-4e5b-9c6d-0a1b2c3d4e5f","time":"2026-07-01T03:00:00.250Z","seq":7,"readings":[{"sensor":"river-level","time":"2026-07-01T02:59:55.250Z","value":2.5,"unit":"m","quality":"good"},{"sensor":"battery","time":"2026-07-01T03:00:00.250Z","value":null,"unit":"V","quality":"comm-fault"}]}""");

        Assert.Null(rejected);
        Assert.Equal(7, message!.Seq);
        Assert.Equal(MessageKind.Telemetry, message.Kind);
        Assert.Equal(
            [new ReadingRow("river-level", new DateTimeOffset(2026, 7, 1, 2, 59, 55, 250, TimeSpan.Zero), 2.5, "m", "good"),
             new ReadingRow("battery", new DateTimeOffset(2026, 7, 1, 3, 0, 0, 250, TimeSpan.Zero), null, "V", "comm-fault")],
            message.Readings);
    }

    [Fact]
    public void Parse_SeqSkippedEvent_CarriesTheRange()
    {
        var (message, _) = Parse("event", """{"station":"wz-oh-lilong-01","id":"3f2b8c1e-7d4a-4e5b-9c6d-0a1b2c3d4e5f","time":"2026-07-01T03:10:00.000Z","seq":2001,"type":"seq-skipped","source":"outbox","message":"m","data":{"from":1841,"to":2000}}""");

        Assert.Equal((1841L, 2000L), message!.Skipped);
    }

    [Fact]
    public void Parse_Cap_TakesIdentifierEventSeverityAndItsSeq()
    {
        const string Cap = """
            <alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>wz-oh-lilong-01-12</identifier><sender>wz-oh-lilong-01</sender>
            <sent>2026-07-01T03:00:00+00:00</sent><status>Actual</status><msgType>Alert</msgType><scope>Public</scope>
            <info><category>Met</category><event>Flood</event><urgency>Immediate</urgency><severity>Severe</severity><certainty>Observed</certainty>
            <parameter><valueName>seq</valueName><value>12</value></parameter></info></alert>
            """;

        var (message, rejected) = Parse("alert/cap", Cap);

        Assert.Null(rejected);
        Assert.Equal((MessageKind.Cap, 12L, "wz-oh-lilong-01-12", "Flood", "Severe"),
            (message!.Kind, message.Seq!.Value, message.CapIdentifier, message.CapEvent, message.Severity));
    }

    [Fact]
    public void Parse_CommandGoingDown_IsIgnored()
    {
        var (message, rejected) = Parse("cmd", "eyJhbGciOiJFUzI1NiJ9.e30.sig");

        Assert.Null(message);
        Assert.Null(rejected);
    }

    [Fact]
    public void TopicOfRoutingKey_DotsBecomeSlashes() =>
        Assert.Equal("ews/wz-oh-lilong-01/alert/cap", MessageParser.TopicOfRoutingKey("ews.wz-oh-lilong-01.alert.cap"));
}
