using EdgeGateway.Configuration;
using EdgeGateway.Modbus;

namespace EdgeGateway.Tests.Configuration;

public sealed class ConfigValueTextTests
{
    [Theory]
    [InlineData("250ms", 250)]
    [InlineData("30s", 30_000)]
    [InlineData("5m", 300_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("1d", 86_400_000)]
    [InlineData("0", 0)]
    [InlineData(" 2s ", 2000)]
    public void TryParseDuration_ContractNotation_Parses(string text, long milliseconds)
    {
        Assert.True(ConfigValueText.TryParseDuration(text, out var value));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), value);
    }

    [Theory]
    [InlineData("5")]
    [InlineData("-5s")]
    [InlineData("1.5s")]
    [InlineData("5 s")]
    [InlineData("5sec")]
    [InlineData("1h30m")]
    [InlineData("ms")]
    [InlineData("")]
    [InlineData("99999999999999999999d")]
    [InlineData("200000000000d")]
    public void TryParseDuration_Malformed_IsRefused(string text) =>
        Assert.False(ConfigValueText.TryParseDuration(text, out _));

    [Theory]
    [InlineData("512B", 512L)]
    [InlineData("64KB", 64L * 1024)]
    [InlineData("256MB", 256L * 1024 * 1024)]
    [InlineData("1GB", 1L << 30)]
    [InlineData("2gib", 2L << 30)]
    public void TryParseSize_1024Based_Parses(string text, long bytes)
    {
        Assert.True(ConfigValueText.TryParseSize(text, out var value));
        Assert.Equal(bytes, value);
    }

    [Theory]
    [InlineData("256")]
    [InlineData("256 MB")]
    [InlineData("-1MB")]
    [InlineData("1.5GB")]
    [InlineData("9999999999999TB")]
    public void TryParseSize_Malformed_IsRefused(string text) =>
        Assert.False(ConfigValueText.TryParseSize(text, out _));

    [Theory]
    [InlineData(250, "250ms")]
    [InlineData(90_000, "90s")]
    [InlineData(1_800_000, "30m")]
    [InlineData(0, "0s")]
    public void FormatDuration_RoundTrips(long milliseconds, string text)
    {
        Assert.Equal(text, ConfigValueText.FormatDuration(TimeSpan.FromMilliseconds(milliseconds)));
        Assert.True(ConfigValueText.TryParseDuration(text, out var back));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), back);
    }

    [Fact]
    public void Names_AreTheContractSpellings()
    {
        Assert.Equal(["water-level", "rain-total", "rain-pulse", "digital", "analog"], ConfigNames.Names<SensorKind>());
        Assert.Equal(["uint16", "int16", "uint32", "int32", "float32", "uint64", "int64", "float64"], ConfigNames.Names<RegisterType>());
        Assert.Equal(["ABCD", "CDAB", "BADC", "DCBA"], ConfigNames.Names<ByteOrder>());
        Assert.Equal(["coil", "discrete", "holding", "input"], ConfigNames.Names<ModbusTable>());
        Assert.True(ConfigNames.TryParse<SensorKind>("Rain-Pulse", out var kind));
        Assert.Equal(SensorKind.RainPulse, kind);
        Assert.False(ConfigNames.TryParse<SensorKind>("rainpulse", out _));
    }
}
