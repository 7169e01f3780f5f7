
namespace EdgeGateway.Tests.Cli;

/// <summary><c>edgegw sl651 decode</c> through the built edgegw, as a technician runs it.</summary>
public sealed class Sl651CommandsTests
{
    private const string Sample =
        "7E7E 02 0012345678 04D2 32 002B 02 0012 141205110002 F1F1 0012345678 48 F0F0 1412051100 "
        + "20 19 000100 26 19 000100 39 23 00014420 38 12 1220 03 9FE1";

    [Fact]
    public async Task Decode_PublicSampleJson_IsTheContractsObject()
    {
        var (exit, stdout, stderr) = await EdgegwProcess.RunAsync("sl651", "decode", Sample.Replace(" ", "", StringComparison.Ordinal), "--json");

        Assert.Equal(0, exit);
        Assert.Empty(stderr);
        Assert.Equal(
            """{"function":"32","direction":"up","centre":2,"station":"0012345678","password":"04D2","serial":18,"sendTime":"2014-12-05T11:00:02","stationType":"H","observationTime":"2014-12-05T11:00","elements":[{"id":"20","value":10.0},{"id":"26","value":10.0},{"id":"39","value":14.420},{"id":"38","value":12.20}],"end":"03","crcOk":true}""",
            stdout.TrimEnd('\n'));
    }

    [Fact]
    public async Task Decode_SpacedConfirmation_PrintsEveryFieldWithItsBytes()
    {
        var (exit, stdout, _) = await EdgegwProcess.RunAsync(["sl651", "decode", .. "7E7E 0012345678 02 04D2 32 8008 02 0012 141205110002 1B BD6C".Split(' ')], TimeSpan.FromSeconds(30));

        Assert.Equal(0, exit);
        Assert.Contains("2-6     station            0012345678\n", stdout, StringComparison.Ordinal);
        Assert.Contains("11-12   direction, length  down, 8 bytes\n", stdout, StringComparison.Ordinal);
        Assert.Contains("22      end                1B ESC", stdout, StringComparison.Ordinal);
        Assert.Contains("23-24   crc                BD6C ok", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Decode_HourlyReportJson_ShowsBlocksUserIdsNegativesAndNoData()
    {
        const string hourly = "7E7E02001234567804D234004F020006260630080509F1F1001234567848F0F02606300805"
            + "F460000102030405060708090AFF" + "F5C0000100027E7E01000000000500060007000800090010FFFF"
            + "FF0E110035" + "3923FF001250" + "2619AAAAAA" + "03" + "78D0";
        var (exit, stdout, _) = await EdgegwProcess.RunAsync("sl651", "decode", hourly, "--json");

        Assert.Equal(0, exit);
        Assert.Contains(
            """elements":[{"id":"F4","values":[0.0,0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9,1.0,null]},{"id":"F5","values":[0.01,0.02,323.82,2.56,0.00,0.05,0.06,0.07,0.08,0.09,0.16,null]},{"id":"FF0E","value":3.5},{"id":"39","value":-1.250},{"id":"26","value":null}]""",
            stdout,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task Decode_BadCrc_StillDecodesAndExitsOne()
    {
        var (exit, stdout, stderr) = await EdgegwProcess.RunAsync("sl651", "decode", Sample[..^1] + "2", "--json");

        Assert.Equal(1, exit);
        Assert.Contains("\"crcOk\":false", stdout, StringComparison.Ordinal);
        Assert.Contains("9FE2", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Decode_CutShort_ExitsTwoNamingTheByte()
    {
        var (exit, stdout, stderr) = await EdgegwProcess.RunAsync("sl651", "decode", Sample[..60], "--json");

        Assert.Equal(2, exit);
        Assert.Empty(stdout);
        Assert.Contains("not a frame: the length field asks for a 60-byte frame", stderr, StringComparison.Ordinal);
        Assert.Contains("(byte ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Decode_NotHex_ExitsTwoNamingTheCharacter()
    {
        var (exit, _, stderr) = await EdgegwProcess.RunAsync("sl651", "decode", "7E7E 0X");

        Assert.Equal(2, exit);
        Assert.Contains("character 'X' at position 7 is not a hex digit", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DecodeHelp_ShowsAnExample()
    {
        var (exit, stdout, _) = await EdgegwProcess.RunAsync("sl651", "decode", "--help");

        Assert.Equal(0, exit);
        Assert.Contains("  edgegw sl651 decode 7E7E 02 0012345678", stdout, StringComparison.Ordinal);
    }
}
