namespace EdgeGateway.Tests.Packaging;

/// <summary>
/// packaging/deb/postinst on a system shaped like plain Debian (dialout and audio exist, gpio and i2c do
/// not), with every command it runs replaced by a recorder, so the test changes nothing on this machine.
/// </summary>
public sealed class PostinstGroupsTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(1);

    private static readonly string[] Recorded =
        ["addgroup", "adduser", "install", "chown", "ln", "basename", "udevadm", "deb-systemd-helper", "systemctl"];

    [Fact]
    public async Task Configure_PlainDebianGroups_MakesGpioAndI2cThenJoinsAllFour()
    {
        using var dir = new TempDirectory("edgegw-postinst-");
        var bin = Directory.CreateDirectory(dir.File("bin")).FullName;
        var log = dir.File("calls.log");
        foreach (var tool in Recorded)
        {
            Stub(bin, tool, $"echo \"{tool} $*\" >> '{log}'");
        }

        // getent: the user exists; groups exist once addgroup has recorded them, or if Debian ships them.
        Stub(bin, "getent", $"""
            case "$1 $2" in
              "passwd edge-gateway"|"group dialout"|"group audio") exit 0 ;;
              group\ *) /bin/grep -qx "addgroup --system $2" '{log}' 2>/dev/null ;;
              *) exit 2 ;;
            esac
            """);

        var result = await ScriptRunner.RunAsync(
            "/bin/sh",
            [Path.Combine(ScriptRunner.RepoRoot, "packaging/deb/postinst"), "configure"],
            Timeout,
            new Dictionary<string, string> { ["PATH"] = bin });

        Assert.True(result.ExitCode == 0, result.ToString());
        var calls = await File.ReadAllLinesAsync(log);
        Assert.Equal(["addgroup --system gpio", "addgroup --system i2c"], calls.Where(c => c.StartsWith("addgroup", StringComparison.Ordinal)));
        Assert.Equal(
            ["adduser edge-gateway gpio", "adduser edge-gateway dialout", "adduser edge-gateway i2c", "adduser edge-gateway audio"],
            calls.Where(c => c.StartsWith("adduser edge-gateway ", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Unit_SupplementaryGroups_AllMadeOrJoinedByPostinst()
    {
        var unit = await File.ReadAllLinesAsync(Path.Combine(ScriptRunner.RepoRoot, "systemd/edge-gateway.service"));
        var postinst = await File.ReadAllTextAsync(Path.Combine(ScriptRunner.RepoRoot, "packaging/deb/postinst"));

        var groups = unit.Single(l => l.StartsWith("SupplementaryGroups=", StringComparison.Ordinal))["SupplementaryGroups=".Length..].Split(' ');

        Assert.Equal(["gpio", "dialout", "i2c", "audio"], groups);
        Assert.Contains("for group in gpio i2c; do", postinst, StringComparison.Ordinal);
        Assert.Contains("addgroup --system \"$group\"", postinst, StringComparison.Ordinal);
        Assert.Contains(unit, l => l == "ExecStopPost=/usr/bin/edgegw relays off --config /etc/edge-gateway/station.yaml");
    }

    private static void Stub(string bin, string name, string body)
    {
        var path = Path.Combine(bin, name);
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }
}
