using System.Text;
using System.Xml.Linq;
using EdgeGateway.Core.Alerting;
using EdgeGateway.Uplink.Cap;
using EdgeGateway.Uplink.Tests.Mqtt;

namespace EdgeGateway.Uplink.Tests.Cap;

/// <summary>CAP documents in the station's language: info/language and the configured texts, English where none is given.</summary>
public sealed class CapTextsTests
{
    private static readonly XNamespace Cap = CapWriter.Namespace;
    private static readonly DateTimeOffset T0 = new(2026, 7, 1, 3, 0, 0, TimeSpan.Zero);

    private static readonly CapTexts Evacuate = new()
    {
        Headline = "丽龙村山洪紧急撤离（{rule}）",
        Description = "河道水位 {value} 米，已超过撤离水位 {threshold} 米；预警由 {from} 升为 {to}。",
        Instruction = "请立即按村组撤离路线转移到安置点，不要涉水过河。",
    };

    private static readonly CapTexts AllClear = new() { Headline = "山洪预警解除" };

    private static readonly CapMapping Chinese = new(
        new AlertLevels(
        [
            new AlertLevel("watch") { Severity = "Moderate" },
            new AlertLevel("prepare") { Severity = "Severe", Cap = new CapTexts { Instruction = "请做好转移准备。" } },
            new AlertLevel("evacuate") { Severity = "Extreme", Cap = Evacuate },
        ]),
        AllClear);

    private static XElement Info(byte[] document) => XDocument.Load(new MemoryStream(document)).Root!.Element(Cap + "info")!;

    private static byte[] Write(CapMapping mapping, LevelTransition t, string language) =>
        CapWriter.Write(new CapAlert("4a1c2d3e-0000-4000-8000-000000000001", "wz-oh-lilong-01", t.Time, false,
            CapMapping.MsgType(t), null, t, mapping.Severity(t), mapping.Urgency(t), mapping.ResponseType(t),
            "丽龙村 flood warning station", 7, Guid.Parse("00000000-0000-4000-8000-000000000002"), language, mapping.Texts(t)));

    [Fact]
    public void Write_ChineseStationEvacuate_HasZhCnAndTheConfiguredTextsWithPlaceholdersFilled()
    {
        var t = new LevelTransition(T0, TransitionScope.Rule, "river", TestLevels.Level("prepare"), TestLevels.Level("evacuate"), 3.85, 3.8);

        var xml = Write(Chinese, t, "zh-CN");

        CapWriterTests.ValidateAgainstSchema(xml);
        // UTF-8 without a byte order mark, the Chinese written as characters (not character references).
        Assert.Contains("丽龙村山洪紧急撤离（river）", Encoding.UTF8.GetString(xml), StringComparison.Ordinal);
        Assert.NotEqual(0xEF, xml[0]);
        var info = Info(xml);
        Assert.Equal("zh-CN", info.Element(Cap + "language")!.Value);
        Assert.Equal("丽龙村山洪紧急撤离（river）", info.Element(Cap + "headline")!.Value);
        Assert.Equal("河道水位 3.85 米，已超过撤离水位 3.8 米；预警由 prepare 升为 evacuate。", info.Element(Cap + "description")!.Value);
        Assert.Equal("请立即按村组撤离路线转移到安置点，不要涉水过河。", info.Element(Cap + "instruction")!.Value);
    }

    [Fact]
    public void Write_LevelWithOnlyAnInstruction_KeepsTheEnglishHeadlineAndDescription()
    {
        var t = new LevelTransition(T0, TransitionScope.Station, "station", TestLevels.Level("watch"), TestLevels.Level("prepare"));

        var info = Info(Write(Chinese, t, "zh-CN"));

        Assert.Equal("Flood prepare (station)", info.Element(Cap + "headline")!.Value);
        Assert.Equal("Station level changed from watch to prepare.", info.Element(Cap + "description")!.Value);
        Assert.Equal("请做好转移准备。", info.Element(Cap + "instruction")!.Value);
    }

    [Fact]
    public void Write_ReturnToNone_UsesTheAllClearTexts()
    {
        var t = new LevelTransition(T0, TransitionScope.Station, "station", TestLevels.Level("evacuate"), TestLevels.Level("none"));

        var info = Info(Write(Chinese, t, "zh-CN"));

        Assert.Equal("山洪预警解除", info.Element(Cap + "headline")!.Value);
        Assert.Equal("The flood threat has passed.", info.Element(Cap + "instruction")!.Value);
    }

    [Fact]
    public void Write_NoTextsConfigured_IsTheEnglishDocumentInEnUs()
    {
        var levels = new AlertLevels([new AlertLevel("prepare") { Severity = "Severe" }, new AlertLevel("evacuate") { Severity = "Extreme" }]);
        var english = new CapMapping(levels);
        var t = new LevelTransition(T0, TransitionScope.Rule, "river", levels.Get("prepare"), levels.Get("evacuate"), 3.85, 3.8);

        var xml = CapWriter.Write(new CapAlert("id-1", "wz-oh-lilong-01", T0, false, "Update", null, t, english.Severity(t),
            english.Urgency(t), english.ResponseType(t), null, 7, Guid.Empty));

        CapWriterTests.ValidateAgainstSchema(xml);
        var info = Info(xml);
        Assert.Equal("en-US", info.Element(Cap + "language")!.Value);
        Assert.Equal("Flood evacuate (rule river)", info.Element(Cap + "headline")!.Value);
        Assert.Equal("Rule river changed from prepare to evacuate; measure 3.85, threshold 3.8.", info.Element(Cap + "description")!.Value);
        Assert.Equal("Leave low-lying areas now and follow the village evacuation plan.", info.Element(Cap + "instruction")!.Value);
    }

    [Theory]
    [InlineData("水位 {value} 米", null)]
    [InlineData("{rule} {from} {to} {threshold}", null)]
    [InlineData("水位 {level} 米", "{level}")]
    [InlineData("{ no close", null)]
    public void UnknownPlaceholder_NamesTheFirstUnknownOne(string text, string? unknown)
    {
        Assert.Equal(unknown, CapTexts.UnknownPlaceholder(text));
    }

    [Fact]
    public async Task Uplink_ChineseStation_PublishesItsCapThroughTheBrokerInUtf8()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var uplink = new UplinkHarness(broker.Port, o =>
        {
            o.Language = "zh-CN";
            o.Levels = new AlertLevels(o.Levels.Configured.Select(l => l.Id == "evacuate" ? l with { Cap = Evacuate } : l));
        });
        await using var hub = await Subscriber.ConnectAsync(broker.Port, uplink.Topic("alert/cap"));
        await uplink.StartAsync();
        await uplink.WaitConnectedAsync();

        uplink.Service.EnqueueAlert(new LevelTransition(uplink.Time.GetUtcNow(), TransitionScope.Rule, "river", TestLevels.Level("none"), TestLevels.Level("evacuate"), 3.9, 3.8));

        await hub.WaitUntilAsync(m => m.Count > 0, TimeSpan.FromSeconds(60), "the CAP document");
        var payload = hub.Messages.First().Payload;
        CapWriterTests.ValidateAgainstSchema(Encoding.UTF8.GetBytes(payload));
        var info = XDocument.Parse(payload).Root!.Element(Cap + "info")!;
        Assert.Equal("zh-CN", info.Element(Cap + "language")!.Value);
        Assert.Equal("丽龙村山洪紧急撤离（river）", info.Element(Cap + "headline")!.Value);
        Assert.Equal("河道水位 3.9 米，已超过撤离水位 3.8 米；预警由 none 升为 evacuate。", info.Element(Cap + "description")!.Value);
        Assert.Equal("请立即按村组撤离路线转移到安置点，不要涉水过河。", info.Element(Cap + "instruction")!.Value);
    }
}
