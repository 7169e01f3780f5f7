using System.Text;
using EdgeGateway.Configuration;
using EdgeGateway.Configuration.Internal;
using EdgeGateway.Tests.Limits;

namespace EdgeGateway.Tests.Configuration;

/// <summary>What a station file may not do: be huge, multiply itself through aliases, print without end.</summary>
public sealed class ConfigLimitsTests
{
    [Fact]
    public void Parse_BillionLaughs_OneErrorAtTheAliasThatCrossesTheBudget()
    {
        var yaml = LimitsProcessTests.BillionLaughs();

        var result = StationConfigLoader.Parse(yaml, "bomb.yaml");

        var error = Assert.Single(result.Errors);
        Assert.Contains("aliases may not multiply the file", error.Message, StringComparison.Ordinal);
        var line = yaml.Split('\n')[error.Mark.Line - 1];
        Assert.Contains("*l", line, StringComparison.Ordinal);
        Assert.Null(result.Config);
    }

    [Fact]
    public void Parse_AliasInsideItsOwnAnchor_RefusedAsALoop()
    {
        var result = StationConfigLoader.Parse("station: &s { id: a, again: *s }\n", "loop.yaml");

        var error = Assert.Single(result.Errors);
        Assert.Contains("inside the node it names", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, error.Mark.Line);
    }

    [Fact]
    public void Parse_FewAliases_StillAllowed()
    {
        var yaml = "a: &tcp { host: 127.0.0.1 }\nb: *tcp\nc: *tcp\n";

        var root = YamlTree.Parse(yaml, out var syntax);

        Assert.Null(syntax);
        Assert.Equal(1 + (2 * 3) + (2 * 3), root!.Expanded);
    }

    [Fact]
    public void Load_FileOverOneMebibyte_RefusedNamingTheFile()
    {
        using var dir = new TempDirectory();
        var path = dir.Write("big.yaml", "station: { id: big }\n# " + new string('x', StationConfigLoader.MaxFileBytes) + "\n");

        var result = StationConfigLoader.Load(path);

        var error = Assert.Single(result.Errors);
        Assert.StartsWith($"{path}:1:1: the file is larger than {StationConfigLoader.MaxFileBytes} bytes", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Load_FileOfExactlyTheLimit_IsParsed()
    {
        using var dir = new TempDirectory();
        var head = "station: { id: edge }\n# ";
        var path = dir.Write("edge.yaml", head + new string('x', StationConfigLoader.MaxFileBytes - head.Length - 1) + "\n");
        Assert.Equal(StationConfigLoader.MaxFileBytes, new FileInfo(path).Length);

        var result = StationConfigLoader.Load(path);

        Assert.DoesNotContain(result.Errors, e => e.Message.Contains("larger than", StringComparison.Ordinal));
        Assert.Contains(result.Errors, e => e.ToString().Contains("sensors: required key is missing", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_ThousandProblems_KeepsTheFirstHundredAndCountsTheRest()
    {
        var yaml = new StringBuilder("station: { id: many }\nsensors: []\nalerting: { levels: [ { id: evacuate } ], rules: [] }\n");
        for (var i = 0; i < 1000; i++)
        {
            yaml.Append($"unknown{i}: 1\n");
        }

        var result = StationConfigLoader.Parse(yaml.ToString(), "many.yaml");

        Assert.Equal(ConfigLoadResult.MaxErrorsKept, result.Errors.Count);
        Assert.True(result.ErrorCount >= 1000, $"{result.ErrorCount}");
        var lines = result.ErrorLines();
        Assert.Equal(ConfigLoadResult.MaxErrorsKept + 1, lines.Count);
        Assert.Equal($"... and {result.ErrorCount - ConfigLoadResult.MaxErrorsKept} more", lines[^1]);
        Assert.Equal(result.Errors.OrderBy(e => e.Mark.Line).Select(e => e.Mark.Line), result.Errors.Select(e => e.Mark.Line));
        Assert.Contains(lines, l => l.Contains("unknown0", StringComparison.Ordinal));
    }
}
