using EdgeGateway.Configuration;
using EdgeGateway.Hosting;
using EdgeGateway.Tests.TestSupport;

namespace EdgeGateway.Tests.Configuration;

/// <summary><c>station.language</c> and the per-level CAP texts: read, validated with located errors, mapped to the uplink.</summary>
public sealed class CapTextsConfigTests
{
    private const string File = "station.yaml";
    private const string Timezone = "  timezone: Asia/Shanghai";
    private const string EvacuateLevel = "{ id: evacuate, severity: Extreme, broadcast: { message: evacuate, repeat: 5 } }";
    private const string AllClear = "  allClear: { message: all-clear, repeat: 2 }";

    [Fact]
    public void Load_ChineseStation_ReadsTheTextsAndMapsThemToTheUplink()
    {
        var config = ExampleConfig.Valid(
            (Timezone, Timezone + "\n  language: zh-CN"),
            (EvacuateLevel, "{ id: evacuate, severity: Extreme, broadcast: { message: evacuate, repeat: 5 },\n"
                + "        cap: { headline: \"山洪紧急撤离（{rule}）\", description: \"水位 {value} 米，超过 {threshold} 米。\", instruction: \"请立即转移。\" } }"),
            (AllClear, "  allClear:\n    message: all-clear\n    repeat: 2\n    cap: { headline: \"山洪预警解除\" }"));

        Assert.Equal("zh-CN", config.Station.Language);
        var uplink = UplinkMapping.FromConfig(config)!;
        Assert.Equal("zh-CN", uplink.Language);
        var evacuate = uplink.Levels.Single(l => l.Id == "evacuate").Cap!;
        Assert.Equal(("山洪紧急撤离（{rule}）", "水位 {value} 米，超过 {threshold} 米。", "请立即转移。"), (evacuate.Headline, evacuate.Description, evacuate.Instruction));
        Assert.Null(uplink.Levels.Single(l => l.Id == "watch").Cap);
        Assert.Equal("山洪预警解除", uplink.AllClearCap!.Headline);
        Assert.Null(uplink.AllClearCap.Instruction);
        // The all-clear broadcast is untouched by its cap texts.
        Assert.Equal(("all-clear", 2), (config.Alerting.AllClear!.Message, config.Alerting.AllClear.Repeat));
    }

    [Fact]
    public void Load_ShippedExample_IsEnglish()
    {
        var uplink = UplinkMapping.FromConfig(ExampleConfig.Valid())!;

        Assert.Equal("en-US", uplink.Language);
        Assert.All(uplink.Levels, l => Assert.Null(l.Cap));
        Assert.Null(uplink.AllClearCap);
    }

    [Fact]
    public void Load_AllClearWithOnlyCapTexts_HasNoAllClearBroadcast()
    {
        var config = ExampleConfig.Valid((AllClear, "  allClear: { cap: { headline: \"山洪预警解除\" } }"));

        Assert.Null(config.Alerting.AllClear);
        Assert.Equal("山洪预警解除", config.Alerting.AllClearCap!.Headline);
    }

    [Theory]
    [InlineData("underscore in the language", Timezone, Timezone + "\n  language: zh_CN", "zh_CN", "station.language",
        "'zh_CN' is not a BCP 47 language tag (e.g. zh-CN, en-US); did you mean 'zh-CN'?")]
    [InlineData("a language name", Timezone, Timezone + "\n  language: Chinese (China)", "Chinese", "station.language", "is not a BCP 47 language tag")]
    [InlineData("unknown placeholder", EvacuateLevel, "{ id: evacuate, severity: Extreme, cap: { description: \"水位 {level} 米\" } }", "\"水位", "alerting.levels[2].cap.description",
        "unknown placeholder {level}; a text may use {rule}, {from}, {to}, {value}, {threshold}")]
    [InlineData("empty text", EvacuateLevel, "{ id: evacuate, severity: Extreme, cap: { headline: \" \" } }", "\" \"", "alerting.levels[2].cap.headline",
        "the text is empty; leave the key out for the English text")]
    [InlineData("control character", EvacuateLevel, "{ id: evacuate, severity: Extreme, cap: { instruction: \"撤离\\u0007\" } }", "\"撤离", "alerting.levels[2].cap.instruction",
        "the text holds the control character U+0007, which a CAP (XML) document cannot carry")]
    [InlineData("misspelt text key", EvacuateLevel, "{ id: evacuate, severity: Extreme, cap: { headlne: 撤离 } }", "headlne", "alerting.levels[2].cap.headlne",
        "unknown key; did you mean 'headline'?")]
    [InlineData("all-clear text", AllClear, "  allClear: { message: all-clear, cap: { headline: \"解除 {lvl}\" } }", "\"解除", "alerting.allClear.cap.headline", "unknown placeholder {lvl}")]
    [InlineData("all-clear repeat without a message", AllClear, "  allClear: { repeat: 2, cap: { headline: 解除 } }", "2,", "alerting.allClear.repeat",
        "repeat without a message: name the message to play, or leave repeat out")]
    [InlineData("all-clear with neither", AllClear, "  allClear: { repeat: 2 }", "{ repeat", "alerting.allClear.message", "required key is missing")]
    public void Load_PlantedMistake_IsReportedAtItsLineAndColumn(string check, string find, string replace, string at, string path, string message)
    {
        var text = ExampleConfig.With((find, replace));
        var result = StationConfigLoader.Parse(text, File);

        Assert.False(result.IsValid, check);
        var error = Assert.Single(result.Errors);
        Assert.Equal(path, error.Path);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        // Where the planted text starts in the file, found independently of the loader.
        var offset = text.IndexOf(replace, StringComparison.Ordinal) + replace.IndexOf(at, StringComparison.Ordinal);
        var line = text[..offset].Count(c => c == '\n') + 1;
        var column = offset - text.LastIndexOf('\n', offset - 1);
        Assert.Equal((check, line, column), (check, error.Mark.Line, error.Mark.Column));
    }
}
