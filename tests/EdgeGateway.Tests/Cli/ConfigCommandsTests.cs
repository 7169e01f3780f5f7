using System.CommandLine;
using System.Text.Json;
using System.Text.RegularExpressions;
using EdgeGateway.Cli;
using EdgeGateway.Tests.TestSupport;

namespace EdgeGateway.Tests.Cli;

public sealed class ConfigCommandsTests
{
    [Fact]
    public async Task Validate_ShippedExample_PrintsOkAndExitsZero()
    {
        var (code, stdout, stderr) = await EdgegwProcess.RunAsync("config", "validate", ExampleConfig.Path);

        Assert.Equal("", stderr);
        Assert.Equal($"{ExampleConfig.Path}: ok\n", stdout);
        Assert.Equal(ExitCodes.Success, code);
    }

    [Fact]
    public async Task Validate_TenPlantedMistakes_PrintsTenLocatedErrorsAndExitsTwo()
    {
        using var dir = new TempDirectory();
        var path = dir.Write("station.yaml", ExampleConfig.With(
            ("id: wz-oh-lilong-01 ", "id: WZ_01 "),                   // station id pattern
            ("queueLimit: 256MB", "queueLimit: 256 megs"),           // size
            ("    timeout: 300ms", "    timout: 300ms"),             // misspelt key
            ("slave: 1,", "slave: 300,"),                            // slave id range
            ("order: CDAB", "order: CADB"),                          // byte order
            ("    poll: 5s", "    poll: 5x"),                        // duration
            ("pin: 27", "pin: 17"),                                  // GPIO used twice
            ("repeat: 5", "repeat: -1"),                             // negative repeat
            ("sensor: rain-counter", "sensor: rain-countr"),         // unknown sensor
            ("measure: value", "measure: { sum: 1h }")));            // sum on a water level

        var (code, stdout, stderr) = await EdgegwProcess.RunAsync("config", "validate", path);

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Equal("", stdout);
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var located = lines.Select(l => Regex.Match(l, @"^(.+):(\d+):(\d+): (\S+): .+$")).ToList();
        Assert.All(located, m => Assert.True(m.Success && m.Groups[1].Value == path, $"not a located error: {m.Value}"));
        Assert.Equal(
            [
                "7:7 station.id",
                "19:15 storage.queueLimit",
                "24:5 buses[0].timout",
                "35:34 sensors[0].modbus.slave",
                "39:11 sensors[0].poll",
                "43:83 sensors[1].modbus.order",
                "58:18 sensors[4].gpio.pin",
                "68:82 alerting.levels[2].broadcast.repeat",
                "80:15 alerting.rules[2].sensor",
                "85:16 alerting.rules[3].measure",
            ],
            located.Select(m => $"{m.Groups[2].Value}:{m.Groups[3].Value} {m.Groups[4].Value}"));
    }

    [Fact]
    public async Task Validate_JsonOnAnInvalidFile_PrintsEveryErrorAndExitsTwo()
    {
        using var dir = new TempDirectory();
        var path = dir.Write("station.yaml", ExampleConfig.With(("slave: 1,", "slave: 0,")));

        var (code, stdout, stderr) = await InvokeAsync("config", "validate", path, "--json");

        Assert.Equal(ExitCodes.Usage, code);
        using var doc = JsonDocument.Parse(stdout);
        Assert.Equal(path, doc.RootElement.GetProperty("file").GetString());
        Assert.False(doc.RootElement.GetProperty("valid").GetBoolean());
        var error = Assert.Single(doc.RootElement.GetProperty("errors").EnumerateArray());
        Assert.Equal(35, error.GetProperty("line").GetInt32());
        Assert.Equal(34, error.GetProperty("column").GetInt32());
        Assert.Equal("sensors[0].modbus.slave", error.GetProperty("path").GetString());
        Assert.Equal("slave id 0 is outside 1-247", error.GetProperty("message").GetString());
        Assert.Equal($"{path}:35:34: sensors[0].modbus.slave: slave id 0 is outside 1-247\n", stderr);
    }

    [Fact]
    public async Task Validate_JsonOnAValidFileViaConfigOption_PrintsValid()
    {
        var (code, stdout, stderr) = await InvokeAsync("config", "validate", "--config", ExampleConfig.Path, "--json");

        Assert.Equal(ExitCodes.Success, code);
        Assert.Equal("", stderr);
        using var doc = JsonDocument.Parse(stdout);
        Assert.True(doc.RootElement.GetProperty("valid").GetBoolean());
        Assert.Equal(0, doc.RootElement.GetProperty("errors").GetArrayLength());
    }

    [Fact]
    public async Task Validate_MissingFile_SaysSoAndExitsTwo()
    {
        using var dir = new TempDirectory();
        var path = dir.File("nope.yaml");

        var (code, stdout, stderr) = await InvokeAsync("config", "validate", path);

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Equal("", stdout);
        Assert.Equal($"{path}:1:1: no such file\n", stderr);
    }

    [Fact]
    public async Task Validate_FileAndDifferentConfigOption_IsAUsageError()
    {
        var (code, _, stderr) = await InvokeAsync("config", "validate", ExampleConfig.Path, "--config", "/elsewhere.yaml");

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("name different files", stderr, StringComparison.Ordinal);
    }

    // In-process, through the same command tree the executable builds, with its output captured.
    private static async Task<(int Code, string Stdout, string Stderr)> InvokeAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var parse = CliRoot.Build().Parse(args);
        Assert.Empty(parse.Errors);
        var code = await parse.InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return (code, output.ToString(), error.ToString());
    }
}
